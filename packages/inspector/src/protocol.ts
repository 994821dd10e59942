// Messages between the page and the decoding worker.
import type { DecodeProblem, InspectNode, Skipped } from 'cttimeout/codec';

export type ToWorker =
  | { t: 'load'; id: number; text: string; name?: string }
  | { t: 'load'; id: number; file: Blob; name: string }
  | { t: 'detail'; id: number; req: number; row: number }
  | { t: 'export'; id: number; limit: number };

/** Row status: what colour and icon a message list row gets. */
export const Status = { Neutral: 0, Ok: 1, KernelError: 2, Malformed: 3 } as const;

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
  | { t: 'export'; id: number; text?: string; bytes: number };
