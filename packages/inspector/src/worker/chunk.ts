// Message-list rows, column by column, posted to the page in chunks (typed arrays transferred).
import type { FromWorker, RowChunk } from '../protocol.js';

export const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

export interface RowFields {
  dgram: number;
  off: number;
  len: number;
  seq: number;
  pid: number;
  flags: number;
  time: number;
  dir: number;
  status: number;
  type: string;
  flagText: string;
  info: string;
}

const NUMERIC = ['dgram', 'off', 'len', 'seq', 'pid', 'flags', 'time', 'dir', 'status'] as const;

/** Short strings (types, flag names) sent once each; rows carry their index. */
class Labels {
  private index = new Map<string, number>();
  fresh: string[] = [];
  of(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(s, i);
      this.fresh.push(s);
    }
    return i;
  }
}

export class ChunkBuilder {
  private n = 0;
  private c: RowChunk;
  private info: string[] = [];
  private infoLen = 0;
  private labels = new Labels();

  constructor(
    private readonly id: number,
    private start = 0,
    private readonly cap = 4096,
  ) {
    this.c = ChunkBuilder.alloc(start, cap);
  }

  private static alloc(start: number, cap: number): RowChunk {
    return {
      start,
      count: 0,
      dgram: new Uint32Array(cap),
      off: new Uint32Array(cap),
      len: new Uint32Array(cap),
      seq: new Uint32Array(cap),
      pid: new Uint32Array(cap),
      flags: new Uint16Array(cap),
      time: new Float64Array(cap),
      dir: new Uint8Array(cap),
      status: new Uint8Array(cap),
      typeLab: new Uint16Array(cap),
      flagLab: new Uint16Array(cap),
      infoText: '',
      infoOff: new Uint32Array(cap + 1),
      newLabels: [],
    };
  }

  get size(): number {
    return this.n;
  }

  add(r: RowFields): void {
    const c = this.c;
    const i = this.n++;
    for (const k of NUMERIC) c[k][i] = r[k];
    c.typeLab[i] = this.labels.of(r.type);
    c.flagLab[i] = this.labels.of(r.flagText);
    this.info.push(r.info);
    c.infoOff[i] = this.infoLen;
    this.infoLen += r.info.length;
    c.infoOff[i + 1] = this.infoLen;
    if (this.n === this.cap) this.flush();
  }

  flush(): void {
    const n = this.n;
    if (n === 0) return;
    const c = this.c;
    const cols = [...NUMERIC, 'typeLab', 'flagLab'] as const;
    const out = { ...c, count: n, infoText: this.info.join(''), infoOff: c.infoOff.slice(0, n + 1), newLabels: this.labels.fresh } as RowChunk;
    for (const k of cols) (out as unknown as Record<string, Uint32Array>)[k] = c[k].slice(0, n) as Uint32Array;
    this.labels.fresh = [];
    this.info = [];
    this.infoLen = 0;
    post({ t: 'rows', id: this.id, chunk: out }, [...cols.map((k) => out[k].buffer), out.infoOff.buffer]);
    this.start += n;
    this.n = 0;
    this.c = ChunkBuilder.alloc(this.start, this.cap);
  }
}
