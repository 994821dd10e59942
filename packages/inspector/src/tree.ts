// The field tree of one message, as the codec's inspect() gives it: every node has a label, a
// byte span and usually a value. Flat rendering with aria-level; expand state and the selected
// field are remembered by path, so stepping through messages keeps your place.
import type { InspectNode } from 'cttimeout/codec';
import { clear, h, hexN, human } from './dom.js';

export interface FlatNode {
  node: InspectNode;
  depth: number;
  parent: number;
  path: string;
  hasChildren: boolean;
  /** An attribute whose only children are its nla_len / nla_type header fields. */
  headerOnly: boolean;
}

const HEADER_FIELDS = new Set(['nla_len', 'nla_type']);

export class TreeView {
  flat: FlatNode[] = [];
  private visible: number[] = [];
  selected = -1;
  private collapsed = new Set<string>(['echoed request']);
  /** Header-only attributes start collapsed; these are the ones opened since. */
  private opened = new Set<string>();
  private selectedPath: string | undefined;
  private els = new Map<number, HTMLElement>();

  constructor(
    readonly el: HTMLElement,
    private readonly onSelect: (n: FlatNode | undefined) => void,
  ) {
    el.addEventListener('click', (e) => {
      const t = (e.target as HTMLElement).closest<HTMLElement>('.tn');
      if (!t) return;
      const i = Number(t.dataset.idx);
      if ((e.target as HTMLElement).classList.contains('caret')) this.toggle(i);
      this.select(i);
    });
    el.addEventListener('dblclick', (e) => {
      const t = (e.target as HTMLElement).closest<HTMLElement>('.tn');
      if (t) this.toggle(Number(t.dataset.idx));
    });
    el.addEventListener('keydown', (e) => this.key(e));
  }

  show(nodes: InspectNode[], placeholder?: string): void {
    this.flat = [];
    const walk = (n: InspectNode, depth: number, parent: number, prefix: string, sib: Map<string, number>) => {
      const k = sib.get(n.label) ?? 0;
      sib.set(n.label, k + 1);
      const path = `${prefix}/${n.label}${k ? `#${k}` : ''}`;
      const i = this.flat.length;
      const hasChildren = !!n.children?.length;
      const headerOnly = hasChildren && n.children!.every((c) => HEADER_FIELDS.has(c.label));
      this.flat.push({ node: n, depth, parent, path, hasChildren, headerOnly });
      const s = new Map<string, number>();
      for (const c of n.children ?? []) walk(c, depth + 1, i, path, s);
    };
    const top = new Map<string, number>();
    // Top level paths ignore the message kind so header fields stay selected across messages.
    for (const n of nodes) walk(n, 0, -1, '', top);
    let sel = -1;
    if (this.selectedPath !== undefined) {
      sel = this.flat.findIndex((f) => f.path === this.selectedPath);
      if (sel < 0) {
        const tail = this.selectedPath.split('/').slice(2).join('/');
        if (tail) sel = this.flat.findIndex((f) => f.path.split('/').slice(2).join('/') === tail);
      }
    }
    this.selected = sel;
    this.render(placeholder);
    this.onSelect(sel >= 0 ? this.flat[sel] : undefined);
  }

  private isCollapsed(i: number): boolean {
    const f = this.flat[i]!;
    return f.hasChildren && (this.collapsed.has(f.path) || this.collapsed.has(f.node.label) || (f.headerOnly && !this.opened.has(f.path)));
  }

  private render(placeholder?: string): void {
    clear(this.el);
    this.els.clear();
    this.visible = [];
    if (this.flat.length === 0) {
      this.el.append(h('div', { class: 'empty', text: placeholder ?? 'Select a message to see its fields.' }));
      return;
    }
    const frag = document.createDocumentFragment();
    let hideBelow = Infinity;
    for (let i = 0; i < this.flat.length; i++) {
      const f = this.flat[i]!;
      if (f.depth > hideBelow) continue;
      hideBelow = Infinity;
      this.visible.push(i);
      const row = this.row(i);
      this.els.set(i, row);
      frag.append(row);
      if (this.isCollapsed(i)) hideBelow = f.depth;
    }
    this.el.append(frag);
    this.mark();
  }

  private row(i: number): HTMLElement {
    const f = this.flat[i]!;
    const n = f.node;
    const open = f.hasChildren ? !this.isCollapsed(i) : undefined;
    const value = n.value;
    const secs = value !== undefined ? /^(\d+) s$/.exec(value) : null;
    const extra = secs && Number(secs[1]) >= 60 ? human(Number(secs[1])) : undefined;
    const span = n.length ? `${hexN(n.offset, 4)}–${hexN(n.offset + n.length - 1, 4)} · ${n.length} B` : `at ${hexN(n.offset, 4)}`;
    const el = h(
      'div',
      {
        class: `tn${n.error ? ' err' : ''}${/unknown/i.test(n.label) ? ' unknown' : ''}`,
        role: 'treeitem',
        'aria-level': f.depth + 1,
        'aria-expanded': open === undefined ? undefined : String(open),
        'aria-selected': 'false',
        'data-idx': i,
        'data-offset': n.offset,
        'data-length': n.length,
      },
      h('span', { class: 'indent', 'aria-hidden': 'true' }),
      h('span', { class: `caret${f.hasChildren ? '' : ' leaf'}`, 'aria-hidden': 'true' }),
      h('span', { class: 'label', text: n.label }),
      value !== undefined ? h('span', { class: 'value', text: value }) : null,
      extra ? h('span', { class: 'human', text: extra }) : null,
      n.error ? h('span', { class: 'error', text: n.error }) : null,
      h('span', { class: 'span', text: span }),
    );
    el.style.setProperty('--depth', String(f.depth));
    return el;
  }

  private mark(): void {
    for (const [i, el] of this.els) {
      const on = i === this.selected;
      el.setAttribute('aria-selected', String(on));
      el.classList.toggle('selected', on);
      if (on) el.id = 'tree-active';
      else if (el.id) el.removeAttribute('id');
    }
    if (this.selected >= 0) this.el.setAttribute('aria-activedescendant', 'tree-active');
    else this.el.removeAttribute('aria-activedescendant');
  }

  select(i: number, reveal = true): void {
    if (i < 0 || i >= this.flat.length) return;
    // Open every ancestor so the node is visible.
    let changed = false;
    for (let p = this.flat[i]!.parent; p >= 0; p = this.flat[p]!.parent) {
      if (this.isCollapsed(p)) {
        this.collapsed.delete(this.flat[p]!.path);
        this.collapsed.delete(this.flat[p]!.node.label);
        this.opened.add(this.flat[p]!.path);
        changed = true;
      }
    }
    this.selected = i;
    this.selectedPath = this.flat[i]!.path;
    if (changed) this.render();
    else this.mark();
    if (reveal) this.els.get(i)?.scrollIntoView({ block: 'nearest' });
    this.onSelect(this.flat[i]);
  }

  toggle(i: number, open?: boolean): void {
    const f = this.flat[i];
    if (!f?.hasChildren) return;
    const now = !this.isCollapsed(i);
    const want = open ?? !now;
    if (want === now) return;
    if (want) {
      this.collapsed.delete(f.path);
      this.collapsed.delete(f.node.label);
      this.opened.add(f.path);
    } else {
      this.collapsed.add(f.path);
      this.opened.delete(f.path);
    }
    this.render();
    this.els.get(this.selected)?.scrollIntoView({ block: 'nearest' });
  }

  /** Deepest node whose bytes include `offset` (a "decoding stopped" marker at it wins). */
  nodeAt(offset: number): number {
    let best = -1;
    for (let i = 0; i < this.flat.length; i++) {
      const n = this.flat[i]!.node;
      if (n.error && n.length === 0 && n.offset === offset) return i;
      if (n.length > 0 && offset >= n.offset && offset < n.offset + n.length) {
        const b = best >= 0 ? this.flat[best]! : undefined;
        if (!b || this.flat[i]!.depth > b.depth || (this.flat[i]!.depth === b.depth && n.length < b.node.length)) best = i;
      }
    }
    return best;
  }

  private key(e: KeyboardEvent): void {
    if (this.visible.length === 0) return;
    const pos = this.visible.indexOf(this.selected);
    const go = (p: number) => this.select(this.visible[Math.max(0, Math.min(this.visible.length - 1, p))]!);
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        go(pos < 0 ? 0 : pos + 1);
        break;
      case 'ArrowUp':
      case 'k':
        go(pos < 0 ? 0 : pos - 1);
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(this.visible.length - 1);
        break;
      case 'ArrowRight':
      case 'l':
        if (this.selected >= 0) {
          if (this.flat[this.selected]!.hasChildren && this.isCollapsed(this.selected)) this.toggle(this.selected, true);
          else if (this.flat[this.selected]!.hasChildren) go(pos + 1);
        }
        break;
      case 'ArrowLeft':
      case 'h':
        if (this.selected >= 0) {
          if (this.flat[this.selected]!.hasChildren && !this.isCollapsed(this.selected)) this.toggle(this.selected, false);
          else if (this.flat[this.selected]!.parent >= 0) this.select(this.flat[this.selected]!.parent);
        }
        break;
      case 'Enter':
      case ' ':
        if (this.selected >= 0) this.toggle(this.selected);
        break;
      case '*':
        this.collapsed.clear();
        for (const f of this.flat) if (f.headerOnly) this.opened.add(f.path);
        this.render();
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }
}
