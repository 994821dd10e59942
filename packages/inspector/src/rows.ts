// The page's copy of the message list: columns in growable typed arrays, filled chunk by chunk
// as the worker decodes. A filter is an index array over them.
import type { RowChunk } from './protocol.js';

type Col = Uint32Array | Uint16Array | Uint8Array | Float64Array;
const COLS = ['dgram', 'off', 'len', 'seq', 'pid', 'flags', 'time', 'dir', 'status', 'typeLab', 'flagLab'] as const;
type ColName = (typeof COLS)[number];

export class RowStore {
  count = 0;
  labels: string[] = [];
  info: string[] = [];
  cols!: Record<ColName, Col>;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.count = 0;
    this.labels = [];
    this.info = [];
    this.cols = {
      dgram: new Uint32Array(1024),
      off: new Uint32Array(1024),
      len: new Uint32Array(1024),
      seq: new Uint32Array(1024),
      pid: new Uint32Array(1024),
      flags: new Uint16Array(1024),
      time: new Float64Array(1024),
      dir: new Uint8Array(1024),
      status: new Uint8Array(1024),
      typeLab: new Uint16Array(1024),
      flagLab: new Uint16Array(1024),
    };
  }

  append(c: RowChunk): void {
    this.labels.push(...c.newLabels);
    const need = this.count + c.count;
    for (const k of COLS) {
      let col = this.cols[k];
      if (col.length < need) {
        const Ctor = col.constructor as new (n: number) => Col;
        const next = new Ctor(Math.max(need, col.length * 2));
        next.set(col as never);
        this.cols[k] = col = next;
      }
      col.set(c[k] as never, this.count);
    }
    for (let i = 0; i < c.info.length; i++) this.info.push(c.info[i]!);
    this.count = need;
  }

  get(k: ColName, i: number): number {
    return this.cols[k][i]!;
  }

  typeOf(i: number): string {
    return this.labels[this.cols.typeLab[i]!] ?? '';
  }

  flagsOf(i: number): string {
    return this.labels[this.cols.flagLab[i]!] ?? '';
  }

  /** Rows whose type, flags, info, seq or direction contain every word of `query` (case-insensitive). */
  filter(query: string): Uint32Array | undefined {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return undefined;
    const out = new Uint32Array(this.count);
    let n = 0;
    const labelsLower = this.labels.map((l) => l.toLowerCase());
    for (let i = 0; i < this.count; i++) {
      const hay = `${labelsLower[this.cols.typeLab[i]!]} ${labelsLower[this.cols.flagLab[i]!]} ${this.info[i]!.toLowerCase()} seq ${this.cols.seq[i]} ${
        this.cols.dir[i] === 1 ? 'sent' : this.cols.dir[i] === 2 ? 'received' : ''
      }`;
      if (words.every((w) => hay.includes(w))) out[n++] = i;
    }
    return out.slice(0, n);
  }
}
