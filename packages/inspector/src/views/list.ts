// The message list: virtualised rows, the time column in the chosen mode, the conversation
// column (reply or request, latency, unanswered/orphan marks) with a jump, and the keyboard.
import { app, on, posOf, rowAt, visibleCount } from '../app.js';
import { $, h, hexN, toast } from '../dom.js';
import { Dir, Mark, Status } from '../protocol.js';
import { VirtualList } from '../vlist.js';

const ROW_HEIGHT = 22;
const STATUS_CLASS = ['', 'ok', 'kerr', 'bad', 'probe'];
const CELLS = ['no', 'time', 'dir', 'type', 'flags', 'seq', 'conv', 'len', 'info'];

export type TimeMode = 'relative' | 'delta' | 'utc' | 'local';
let timeMode: TimeMode = 'relative';
let t0 = Number.NaN;
/** Set by the detail view: called when a row is selected. */
let onSelect: (row: number) => void = () => {};

export const list = new VirtualList(
  $('list'),
  ROW_HEIGHT,
  () =>
    h(
      'div',
      { class: 'row', role: 'option' },
      ...CELLS.map((c) =>
        c === 'dir' ? h('span', { class: c }, h('b', { class: 'arrow' }), h('i', { class: 'word', text: ' kernel' })) : h('span', { class: c }),
      ),
    ),
  (pos, el) => fillRow(pos, el),
);

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** A timestamp as the time mode shows it; strace -tt gives a time of day only (no date). */
export function formatTime(t: number, prev: number): string {
  if (Number.isNaN(t)) return '';
  switch (timeMode) {
    case 'relative':
      return (t - t0).toFixed(6);
    case 'delta':
      return Number.isNaN(prev) ? '0.000000' : `${t - prev >= 0 ? '+' : ''}${(t - prev).toFixed(6)}`;
    case 'utc':
    case 'local': {
      const us = Math.round((t % 1) * 1e6) % 1e6;
      if (t < 1e9) {
        const s = Math.floor(t);
        return `${pad(Math.floor(s / 3600) % 24)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${pad(us, 6)}`;
      }
      const d = new Date(Math.floor(t) * 1000);
      const [Y, M, D, hh, mm, ss] =
        timeMode === 'utc'
          ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
          : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
      return `${Y}-${pad(M)}-${pad(D)} ${pad(hh)}:${pad(mm)}:${pad(ss)}.${pad(us, 6)}${timeMode === 'utc' ? 'Z' : ''}`;
    }
  }
}

export function ms(v: number): string {
  return v < 1 ? `${(v * 1000).toFixed(0)} µs` : v < 100 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`;
}

/** The conversation cell: where the other half is, and how long the kernel took. */
function convText(i: number): { text: string; title: string; cls: string } {
  const p = app.pairs;
  if (!p) return { text: '', title: '', cls: '' };
  const peer = p.peer[i]!;
  const lat = p.latency[i]!;
  const took = Number.isNaN(lat) ? '' : ` · ${ms(lat)}`;
  switch (p.mark[i]) {
    case Mark.Answered:
      return {
        text: `→ #${peer + 1}${took}`,
        title: `answered by message ${peer + 1}${took ? `, ${ms(lat)} later` : ''} (double-click or r jumps there)`,
        cls: 'paired',
      };
    case Mark.Reply:
      return { text: `← #${peer + 1}${took}`, title: `reply to request ${peer + 1} (double-click or r jumps there)`, cls: 'paired' };
    case Mark.Unanswered:
      return { text: 'unanswered', title: 'no reply with this port id and seq in the capture', cls: 'unanswered' };
    case Mark.Orphan:
      return { text: 'orphan', title: 'a reply to no request of the capture (same seq, port 0 or this port id)', cls: 'orphan' };
    case Mark.Silent:
      return { text: 'no reply asked', title: 'no NLM_F_ACK: the kernel answers only on error', cls: '' };
    default:
      return { text: '', title: '', cls: '' };
  }
}

function fillRow(pos: number, el: HTMLElement): void {
  const { store, selected } = app;
  const i = rowAt(pos);
  if (i < 0) return;
  const c = el.children as HTMLCollectionOf<HTMLElement>;
  const t = store.get('time', i);
  const dir = store.get('dir', i);
  el.className = `row ${STATUS_CLASS[store.get('status', i)] ?? ''}${i === selected ? ' selected' : ''}${dir === Dir.Sent ? ' sent' : dir === Dir.Received ? ' recv' : ''}`;
  el.dataset.row = String(i);
  el.id = i === selected ? 'list-active' : '';
  el.setAttribute('aria-selected', String(i === selected));
  c[0]!.textContent = String(i + 1);
  const prev = pos > 0 ? store.get('time', rowAt(pos - 1)) : Number.NaN;
  c[1]!.textContent = formatTime(t, prev);
  c[1]!.title = Number.isNaN(t) ? '' : t > 1e9 ? new Date(t * 1000).toISOString() : `${t} s`;
  c[2]!.firstChild!.textContent = dir === Dir.Sent ? '→' : dir === Dir.Received ? '←' : '';
  c[2]!.classList.toggle('none', dir === Dir.Unknown);
  c[2]!.title = dir === Dir.Sent ? 'sent to the kernel' : dir === Dir.Received ? 'received from the kernel' : 'direction not recorded';
  c[3]!.textContent = store.typeOf(i);
  c[4]!.textContent = store.flagsOf(i);
  c[4]!.title = `0x${hexN(store.get('flags', i), 4)} ${store.flagsOf(i)}`;
  c[5]!.textContent = String(store.get('seq', i));
  const conv = convText(i);
  c[6]!.textContent = conv.text;
  c[6]!.title = conv.title;
  c[6]!.className = `conv ${conv.cls}`;
  c[7]!.textContent = String(store.get('len', i));
  const info = store.infoOf(i);
  c[8]!.textContent = info;
  c[8]!.title = info;
}

export function setTimeMode(m: TimeMode): void {
  timeMode = m;
  document.querySelector('.list-pane')!.classList.toggle('abs-time', m === 'utc' || m === 'local');
  list.render();
}

export function resetList(): void {
  t0 = Number.NaN;
  list.setCount(0);
  list.render();
}

/** The first timestamp of a load (relative times count from it). */
export function setT0(t: number): void {
  t0 = t;
  document.querySelector('.list-pane')!.classList.toggle('no-time', Number.isNaN(t0));
}

export function select(row: number, focusList = true): void {
  if (row < 0 || row >= app.store.count) return;
  app.selected = row;
  const pos = posOf(row);
  if (pos >= 0) list.reveal(pos);
  list.render();
  $('list').setAttribute('aria-activedescendant', 'list-active');
  onSelect(row);
  if (focusList && document.activeElement !== $('list') && document.activeElement?.closest('.list-pane')) $('list').focus();
}

/** Selects the other half of the selected row's conversation. */
export function jumpToPeer(): void {
  const peer = app.pairs?.peer[app.selected] ?? -1;
  if (peer < 0) return toast(app.selected < 0 ? 'Select a message first' : 'This message has no paired request or reply');
  if (app.view && posOf(peer) < 0) toast(`Message ${peer + 1} is hidden by the filter`);
  select(peer);
}

export function nextError(): void {
  const { store, view, selected } = app;
  for (let k = 1; k <= store.count; k++) {
    const i = (Math.max(selected, 0) + k) % store.count;
    const s = store.get('status', i);
    if ((s === Status.KernelError || s === Status.Malformed) && (!view || posOf(i) >= 0)) return select(i);
  }
  toast('No errors');
}

function keydown(e: KeyboardEvent): void {
  const n = visibleCount();
  if (n === 0) return;
  const pos = Math.max(0, posOf(app.selected));
  const moves: Record<string, number> = {
    ArrowDown: pos + 1,
    j: pos + 1,
    ArrowUp: pos - 1,
    k: pos - 1,
    PageDown: pos + list.pageSize,
    PageUp: pos - list.pageSize,
    Home: 0,
    End: n - 1,
  };
  if (e.key === 'Enter' || e.key === 'ArrowRight') {
    $('tree').focus();
    e.preventDefault();
    return;
  }
  const next = moves[e.key];
  if (next === undefined) return;
  e.preventDefault();
  e.stopPropagation();
  select(rowAt(Math.max(0, Math.min(n - 1, next))));
}

export function setupList(selected: (row: number) => void): void {
  onSelect = selected;
  $('list').addEventListener('click', (e) => {
    const target = e.target as HTMLElement;
    const r = target.closest<HTMLElement>('.row');
    if (r?.dataset.row) select(Number(r.dataset.row));
    $('list').focus();
  });
  // A double click on the Reply cell jumps to the other half (a click only selects).
  $('list').addEventListener('dblclick', (e) => {
    if ((e.target as HTMLElement).closest('.conv.paired')) jumpToPeer();
  });
  $('list').addEventListener('keydown', keydown);
  $('next-error').addEventListener('click', nextError);
  const timeSel = $('time-mode') as HTMLSelectElement;
  timeSel.addEventListener('change', () => setTimeMode(timeSel.value as TimeMode));
  on('pairs', (m) => {
    app.pairs = { peer: m.peer, latency: m.latency, mark: m.mark };
    list.render();
  });
}
