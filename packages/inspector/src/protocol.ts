// Messages between the page and the decoding worker.
import type { DecodeProblem, InspectNode, Skipped } from 'cttimeout/codec';
import type { Expr } from './filter-lang.js';

export type ExportFormat = 'hex' | 'pcap' | 'json' | 'yaml';

export type ToWorker =
  | { t: 'load'; id: number; text: string; name?: string }
  | { t: 'load'; id: number; file: Blob; name: string }
  | { t: 'detail'; id: number; req: number; row: number }
  /** The bytes of every datagram as labelled hex, for a link (nothing when over `limit`). */
  | { t: 'share'; id: number; req: number; limit: number }
  /** Rows (all when absent) in one format. */
  | { t: 'export'; id: number; req: number; format: ExportFormat; rows?: Uint32Array }
  | { t: 'filter'; id: number; run: number; expr: Expr }
  | { t: 'policy'; id: number; req: number; row: number }
  | { t: 'history'; id: number; req: number; name: string };

/** Row status: what colour and icon a message list row gets. */
export const Status = { Neutral: 0, Ok: 1, KernelError: 2, Malformed: 3, Probe: 4 } as const;

/** Where a row stands in its conversation. */
export const Mark = { None: 0, Answered: 1, Reply: 2, Unanswered: 3, Orphan: 4, Silent: 5 } as const;

/** Latency of one kind of request, in milliseconds (nearest-rank percentiles). */
export interface LatencyRow {
  op: string;
  count: number;
  unanswered: number;
  median: number;
  p99: number;
  max: number;
}

/** A policy as one message carries it (for diff and history). */
export interface PolicyView {
  row: number;
  time: number;
  dir: number;
  type: string;
  name?: string;
  /** The name's bytes when they are not UTF-8. */
  nameHex?: string;
  family?: string;
  protocol?: string;
  use?: number;
  timeouts: Record<string, number>;
  /** The capture it came from (file name or input). */
  source: string;
}

export const Dir = { Unknown: 0, Sent: 1, Received: 2 } as const;

/** One chunk of message-list rows, column by column (typed arrays are transferred). */
export interface RowChunk {
  start: number;
  count: number;
  dgram: Uint32Array;
  off: Uint32Array;
  len: Uint32Array;
  seq: Uint32Array;
  pid: Uint32Array;
  flags: Uint16Array;
  time: Float64Array;
  dir: Uint8Array;
  status: Uint8Array;
  /** Indexes into the label table: short type ('NEW', 'ACK'...) and flag names. */
  typeLab: Uint16Array;
  flagLab: Uint16Array;
  /** Every row's summary, concatenated; row k's is infoText.slice(infoOff[k], infoOff[k + 1]). */
  infoText: string;
  infoOff: Uint32Array;
  /** Labels added to the table since the previous chunk. */
  newLabels: string[];
}

export interface LoadSummary {
  format: string;
  name?: string;
  datagrams: number;
  messages: number;
  kernelErrors: number;
  malformed: number;
  firstMalformed: number;
  bytes: number;
  skipped?: Skipped[];
  /** The capture stopped early (a pcap cut short): the datagrams before it are shown. */
  captureError?: { code: string; message: string; offset?: number };
  ms: number;
  times: boolean;
  t0: number;
  /** Open-time probes (GET of "" answered ENOENT): not counted as kernel errors. */
  probes: number;
  /** Messages of other netlink families (an nlmon capture), listed with generic headers. */
  otherFamilies?: number;
  latency: LatencyRow[];
  unanswered: number;
  orphans: number;
}

export interface Detail {
  row: number;
  /** The bytes shown: datagram bytes [base, base + bytes.length). */
  bytes: Uint8Array;
  base: number;
  /** Size of the whole datagram. */
  datagramLength: number;
  dgram: number;
  source?: string;
  nodes: InspectNode[];
  error?: DecodeProblem;
}

export type FromWorker =
  | { t: 'progress'; id: number; phase: 'reading' | 'parsing' | 'decoding'; done: number; total: number }
  | { t: 'rows'; id: number; chunk: RowChunk }
  | { t: 'done'; id: number; summary: LoadSummary }
  | { t: 'fail'; id: number; code: string; message: string }
  | { t: 'detail'; id: number; req: number; detail: Detail }
  | { t: 'share'; id: number; req: number; text?: string; bytes: number }
  /** Pairing of every row, sent once the load is done. */
  | { t: 'pairs'; id: number; peer: Int32Array; latency: Float64Array; mark: Uint8Array }
  | { t: 'export'; id: number; req: number; name: string; mime: string; data: string | Uint8Array; count: number }
  | { t: 'filtered'; id: number; run: number; rows: Uint32Array }
  | { t: 'filter-progress'; id: number; run: number; done: number; total: number }
  | { t: 'policy'; id: number; req: number; policy?: PolicyView }
  | { t: 'history'; id: number; req: number; name: string; entries: PolicyView[] };
