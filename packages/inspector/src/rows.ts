// The page's copy of the message list: columns in growable typed arrays, filled chunk by chunk
// as the worker decodes. A filter is an index array over them.
import type { RowChunk } from './protocol.js';

type Col = Uint32Array | Uint16Array | Uint8Array | Float64Array;
const COLS = ['dgram', 'off', 'len', 'seq', 'pid', 'flags', 'time', 'dir', 'status', 'typeLab', 'flagLab'] as const;
const MORE = ['infoChunk', 'infoFrom', 'infoTo'] as const;
type ColName = (typeof COLS)[number] | (typeof MORE)[number];

export class RowStore {
  count = 0;
  labels: string[] = [];
  /** Row summaries, one string per chunk (few big strings instead of one per row: less GC). */
  infoText: string[] = [];
  cols!: Record<ColName, Col>;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.count = 0;
    this.labels = [];
    this.infoText = [];
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
      infoChunk: new Uint32Array(1024),
      infoFrom: new Uint32Array(1024),
      infoTo: new Uint32Array(1024),
    };
  }

  append(c: RowChunk): void {
    this.labels.push(...c.newLabels);
    const need = this.count + c.count;
    for (const k of [...COLS, ...MORE]) {
      let col = this.cols[k];
      if (col.length < need) {
        const Ctor = col.constructor as new (n: number) => Col;
        const next = new Ctor(Math.max(need, col.length * 2));
        next.set(col as never);
        this.cols[k] = col = next;
      }
      if (k !== 'infoChunk' && k !== 'infoFrom' && k !== 'infoTo') col.set(c[k] as never, this.count);
    }
    const chunk = this.infoText.length;
    this.infoText.push(c.infoText);
    const { infoChunk, infoFrom, infoTo } = this.cols;
    for (let k = 0; k < c.count; k++) {
      infoChunk[this.count + k] = chunk;
      infoFrom[this.count + k] = c.infoOff[k]!;
      infoTo[this.count + k] = c.infoOff[k + 1]!;
    }
    this.count = need;
  }

  get(k: ColName, i: number): number {
    return this.cols[k][i]!;
  }

  infoOf(i: number): string {
    return this.infoText[this.cols.infoChunk[i]!]?.slice(this.cols.infoFrom[i]!, this.cols.infoTo[i]!) ?? '';
  }

  typeOf(i: number): string {
    return this.labels[this.cols.typeLab[i]!] ?? '';
  }

  flagsOf(i: number): string {
    return this.labels[this.cols.flagLab[i]!] ?? '';
  }

  /** Does row `i` contain every word (lower case)? */
  private matches(i: number, words: string[], labelsLower: string[]): boolean {
    const hay = `${labelsLower[this.cols.typeLab[i]!]} ${labelsLower[this.cols.flagLab[i]!]} ${this.infoOf(i).toLowerCase()} seq ${this.cols.seq[i]} ${
      this.cols.dir[i] === 1 ? 'sent →' : this.cols.dir[i] === 2 ? 'received ←' : ''
    }`;
    for (const w of words) if (!hay.includes(w)) return false;
    return true;
  }

  /** Rows whose type, flags, info, seq or direction contain every word of `query` (case-insensitive). */
  filter(query: string): Uint32Array | undefined {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return undefined;
    const labelsLower = this.labels.map((l) => l.toLowerCase());
    const out = new Uint32Array(this.count);
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.matches(i, words, labelsLower)) out[n++] = i;
    return out.slice(0, n);
  }

  /**
   * The same, in slices of ~8 ms so a filter over half a million rows never blocks the page.
   * Resolves undefined when `cancelled()` turns true first.
   */
  async filterAsync(query: string, cancelled: () => boolean): Promise<Uint32Array | undefined | 'cancelled'> {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return undefined;
    const labelsLower = this.labels.map((l) => l.toLowerCase());
    const count = this.count;
    const out = new Uint32Array(count);
    let n = 0;
    for (let i = 0; i < count; ) {
      const until = performance.now() + 8;
      for (; i < count && (i & 1023 || performance.now() < until); i++) if (this.matches(i, words, labelsLower)) out[n++] = i;
      if (i < count) {
        await new Promise((r) => setTimeout(r, 0));
        if (cancelled()) return 'cancelled';
      }
    }
    return out.slice(0, n);
  }
}
