/** The formats {@link readCapture} recognises. */
export type CaptureFormat = 'hex' | 'strace' | 'pcap' | 'pcapng';

/** One netlink datagram (one send or receive: one or more messages). */
export interface Datagram {
  bytes: Uint8Array;
  /** 'sent' = user space to kernel, 'received' = kernel to user space; absent when the input does not say. */
  direction?: 'sent' | 'received';
  /** Seconds since the epoch (pcap/pcapng timestamps, strace -t/-tt/-ttt). */
  time?: number;
  /** Where in the input it came from: 'line 12', 'packet 3', 'packet 3 (captured 100 of 152 bytes)'. */
  source?: string;
  /** The netlink family, only for a record of another family than NETLINK_NETFILTER (12), kept by {@link ReadOptions.allFamilies}. */
  family?: number;
}

export interface ReadOptions {
  /** Keep pcap/pcapng records of every netlink family (nlmon sees them all), each with its `family`. */
  allFamilies?: boolean;
}

/** Records left out on purpose (other netlink families in an nlmon capture, other link types). */
export interface Skipped {
  reason: string;
  count: number;
  /** Where the first one was. */
  first: string;
}

/** Why reading stopped before the end (a pcap or pcapng file cut short or damaged mid-way). */
export interface CaptureProblem {
  /** ERR_CAPTURE_TRUNCATED or ERR_CAPTURE_FORMAT. */
  code: string;
  message: string;
  /** Byte offset of the record or block that could not be read. */
  offset?: number;
}

export interface Capture {
  format: CaptureFormat;
  /** Every datagram read; with `error`, the good ones before the problem. */
  datagrams: Datagram[];
  /** Present when records were left out, grouped by reason. */
  skipped?: Skipped[];
  /** Present when a record could not be read: the datagrams before it are still here. */
  error?: CaptureProblem;
}
