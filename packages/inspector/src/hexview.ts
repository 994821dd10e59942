// The bytes pane: offset, hex and ASCII columns of the selected message (addresses are
// offsets in its datagram). The selected field's bytes are highlighted; clicking a byte (or
// moving the byte cursor with the arrow keys) selects the field it belongs to. Padding is
// dimmed; where decoding stopped the byte is marked and what follows is hatched.
import type { InspectNode } from 'cttimeout/codec';
import { h, hex2, hexN } from './dom.js';
import type { Detail } from './protocol.js';
import { VirtualList } from './vlist.js';

const LINE_HEIGHT = 20;

export class HexView {
  private list: VirtualList;
  private d: Detail | undefined;
  private bpl = 16;
  private sel: { offset: number; length: number } | undefined;
  /** Per shown byte: depth of the deepest field covering it (-1 none). */
  private depth = new Int8Array(0);
  private stop = -1;
  cursor = -1;

  constructor(
    readonly el: HTMLElement,
    private readonly onPick: (offset: number) => void,
    private readonly labelAt: (offset: number) => string | undefined,
  ) {
    this.list = new VirtualList(
      el,
      LINE_HEIGHT,
      () => this.createLine(),
      (i, line) => this.fillLine(i, line),
    );
    new ResizeObserver(() => {
      const bpl = el.clientWidth > 0 && el.clientWidth < 470 ? 8 : 16;
      if (bpl !== this.bpl) {
        this.bpl = bpl;
        this.el.dataset.bpl = String(bpl);
        this.rebuild();
      }
    }).observe(el);
    el.addEventListener('click', (e) => {
      const t = (e.target as HTMLElement).closest<HTMLElement>('[data-i]');
      if (t && this.d) {
        this.cursor = Number(t.dataset.i);
        this.onPick(this.cursor);
      }
    });
    el.addEventListener('mouseover', (e) => {
      const t = (e.target as HTMLElement).closest<HTMLElement>('[data-i]');
      if (t && !t.title) {
        const off = Number(t.dataset.i);
        const d = this.d;
        if (d) t.title = `byte ${off} (0x${hexN(off, 4)}) = 0x${hex2(d.bytes[off - d.base]!)}${this.labelAt(off) ? ` · ${this.labelAt(off)}` : ''}`;
      }
    });
    el.addEventListener('keydown', (e) => this.key(e));
  }

  show(d: Detail | undefined, nodes: InspectNode[] = []): void {
    this.d = d;
    this.sel = undefined;
    this.cursor = -1;
    this.stop = d?.error ? d.error.offset : -1;
    const n = d?.bytes.length ?? 0;
    this.depth = new Int8Array(n).fill(-1);
    if (d) {
      const paint = (node: InspectNode, depth: number) => {
        const from = Math.max(node.offset, d.base) - d.base;
        const to = Math.min(node.offset + node.length, d.base + n) - d.base;
        for (let i = from; i < to; i++) if (this.depth[i]! < depth) this.depth[i] = Math.min(depth, 127);
        for (const c of node.children ?? []) paint(c, depth + 1);
      };
      for (const node of nodes) paint(node, 0);
    }
    this.el.classList.toggle('empty-hex', !d);
    this.rebuild();
    this.list.scroller.scrollTop = 0;
  }

  private rebuild(): void {
    // Lines are built for a bytes-per-line count: drop them when it changes.
    this.list.resetRows();
    const n = this.d?.bytes.length ?? 0;
    this.list.setCount(Math.ceil(n / this.bpl));
    this.list.render();
  }

  highlight(span: { offset: number; length: number } | undefined, reveal = true): void {
    this.sel = span;
    if (span && reveal && this.d) {
      const first = Math.floor((Math.max(span.offset, this.d.base) - this.d.base) / this.bpl);
      const last = Math.floor((Math.max(span.offset + Math.max(span.length, 1) - 1, this.d.base) - this.d.base) / this.bpl);
      this.list.reveal(last);
      this.list.reveal(first);
    }
    this.list.render();
  }

  private createLine(): HTMLElement {
    const hexCells: HTMLElement[] = [];
    const ascCells: HTMLElement[] = [];
    for (let k = 0; k < this.bpl; k++) {
      hexCells.push(h('span', { class: 'b' }));
      ascCells.push(h('span', { class: 'c' }));
    }
    return h('div', { class: 'hl' }, h('span', { class: 'ad' }), h('span', { class: 'hx' }, ...hexCells), h('span', { class: 'as' }, ...ascCells));
  }

  private fillLine(line: number, el: HTMLElement): void {
    const d = this.d;
    if (!d) return;
    const ad = el.firstElementChild as HTMLElement;
    const hx = ad.nextElementSibling as HTMLElement;
    const as = hx.nextElementSibling as HTMLElement;
    const addr = d.base + line * this.bpl;
    ad.textContent = hexN(addr, d.datagramLength > 0xffff ? 6 : 4);
    const sel = this.sel;
    for (let k = 0; k < this.bpl; k++) {
      const i = line * this.bpl + k;
      const b = hx.children[k] as HTMLElement;
      const c = as.children[k] as HTMLElement;
      if (i >= d.bytes.length) {
        b.textContent = '';
        c.textContent = '';
        b.className = 'b none';
        c.className = 'c none';
        delete b.dataset.i;
        delete c.dataset.i;
        b.title = '';
        continue;
      }
      const v = d.bytes[i]!;
      const off = d.base + i;
      b.textContent = hex2(v);
      c.textContent = v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : '·';
      let cls = '';
      const depth = this.depth[i]!;
      if (this.stop >= 0 && off >= this.stop) cls += off === this.stop ? ' stop' : ' undecoded';
      else if (depth <= 0) cls += ' pad';
      if (sel && off >= sel.offset && off < sel.offset + sel.length) cls += ' sel';
      if (off === this.cursor) cls += ' cur';
      if (k === 7 && this.bpl === 16) cls += ' mid';
      b.className = 'b' + cls;
      c.className = 'c' + cls;
      b.dataset.i = String(off);
      c.dataset.i = String(off);
      b.title = '';
    }
  }

  private key(e: KeyboardEvent): void {
    const d = this.d;
    if (!d || d.bytes.length === 0) return;
    const start = this.cursor < 0 ? d.base : this.cursor;
    let next = start;
    switch (e.key) {
      case 'ArrowRight':
      case 'l':
        next = start + 1;
        break;
      case 'ArrowLeft':
      case 'h':
        next = start - 1;
        break;
      case 'ArrowDown':
      case 'j':
        next = start + this.bpl;
        break;
      case 'ArrowUp':
      case 'k':
        next = start - this.bpl;
        break;
      case 'Home':
        next = d.base;
        break;
      case 'End':
        next = d.base + d.bytes.length - 1;
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
    this.cursor = Math.max(d.base, Math.min(d.base + d.bytes.length - 1, next));
    this.list.reveal(Math.floor((this.cursor - d.base) / this.bpl));
    this.onPick(this.cursor);
  }

  /** Hex of the selected span (or everything), for copying. */
  selectionHex(): string {
    const d = this.d;
    if (!d) return '';
    const s = this.sel ?? { offset: d.base, length: d.bytes.length };
    const from = Math.max(0, s.offset - d.base);
    return Array.from(d.bytes.subarray(from, from + s.length), hex2).join(' ');
  }
}
