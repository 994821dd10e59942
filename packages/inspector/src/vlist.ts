// A virtualised list of fixed-height rows: only the rows in view exist in the DOM, so a
// capture of 400,000 messages scrolls like one of 40.
import { h } from './dom.js';

export class VirtualList {
  readonly spacer: HTMLElement;
  readonly window: HTMLElement;
  private pool: HTMLElement[] = [];
  private scheduled = false;
  private first = 0;
  count = 0;

  constructor(
    readonly scroller: HTMLElement,
    public rowHeight: number,
    private readonly create: () => HTMLElement,
    private readonly fill: (index: number, el: HTMLElement) => void,
  ) {
    this.spacer = h('div', { class: 'vspacer' });
    this.window = h('div', { class: 'vwindow' });
    this.spacer.append(this.window);
    scroller.append(this.spacer);
    scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(scroller);
  }

  /** Drops the row elements (when their shape changes). */
  resetRows(): void {
    this.pool = [];
    this.window.replaceChildren();
  }

  setCount(n: number): void {
    this.count = n;
    this.spacer.style.height = `${n * this.rowHeight}px`;
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  /** Renders now (tests and selection changes want the DOM current). */
  render(): void {
    const h0 = this.scroller.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / this.rowHeight) - 4);
    const last = Math.min(this.count, Math.ceil((this.scroller.scrollTop + h0) / this.rowHeight) + 4);
    const n = Math.max(0, last - first);
    while (this.pool.length < n) {
      const el = this.create();
      this.pool.push(el);
      this.window.append(el);
    }
    for (let i = 0; i < this.pool.length; i++) {
      const el = this.pool[i]!;
      if (i < n) {
        el.hidden = false;
        this.fill(first + i, el);
      } else el.hidden = true;
    }
    this.first = first;
    this.window.style.transform = `translateY(${first * this.rowHeight}px)`;
  }

  /** The element showing row `index`, if it is rendered. */
  element(index: number): HTMLElement | undefined {
    const el = this.pool[index - this.first];
    return el && !el.hidden ? el : undefined;
  }

  /** Scrolls so that row `index` is in view. */
  reveal(index: number): void {
    const top = index * this.rowHeight;
    const view = this.scroller.clientHeight;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + this.rowHeight > this.scroller.scrollTop + view) this.scroller.scrollTop = top + this.rowHeight - view;
  }

  /** Rows that fit in the view (for Page Up/Down). */
  get pageSize(): number {
    return Math.max(1, Math.floor(this.scroller.clientHeight / this.rowHeight) - 1);
  }
}
