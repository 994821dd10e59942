// The inspector page: input (paste, file, drop, link), the message list, the field tree and
// the bytes pane, the builder. Decoding happens in a worker; the page only draws.
import './style.css';
import { init } from 'cttimeout/codec';
import captures from '../../../test/fixtures/protocol-md-captures.json' with { type: 'json' };
import { Builder } from './builder.js';
import { $, copyText, h, hexN, toast } from './dom.js';
import { HexView } from './hexview.js';
import { Dir, Status, type Detail, type FromWorker, type LoadSummary, type ToWorker } from './protocol.js';
import { RowStore } from './rows.js';
import { decodeFragment, encodeFragment, SHARE_LIMIT } from './share.js';
import { TreeView, type FlatNode } from './tree.js';
import { VirtualList } from './vlist.js';

const ROW_HEIGHT = 22;

const input = $('input') as HTMLTextAreaElement;
const placeholder = input.placeholder;
const filterInput = $('filter') as HTMLInputElement;
const statusEl = $('status');
const store = new RowStore();
let view: Uint32Array | undefined; // filtered row indexes; undefined = all
let selected = -1; // row index in the store
let detail: Detail | undefined;
let loadId = 0;
let detailReq = 0;
let summary: LoadSummary | undefined;
let mode: 'input' | 'builder' = 'input';
let fileLoaded: { name: string; size: number } | undefined;
let dirty = false;
let fromLink = false; // the bytes came from the URL and were not edited since
let t0 = Number.NaN; // time of the first timestamped datagram

// ---------------------------------------------------------------- worker

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'cttimeout-decoder' });
const send = (m: ToWorker) => worker.postMessage(m);
const exportWaiters = new Map<number, (r: { text?: string; bytes: number }) => void>();
let exportId = 0;

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  if (m.t === 'export') {
    exportWaiters.get(m.id)?.(m);
    exportWaiters.delete(m.id);
    return;
  }
  if (m.id !== loadId) return;
  switch (m.t) {
    case 'progress':
      progress(m.phase, m.done, m.total);
      break;
    case 'rows':
      if (m.chunk.start === 0) {
        t0 = m.chunk.time.find((t) => !Number.isNaN(t)) ?? Number.NaN;
        document.querySelector('.list-pane')!.classList.toggle('no-time', Number.isNaN(t0));
      }
      store.append(m.chunk);
      rowsChanged();
      if (selected < 0 && store.count > 0) select(0, false);
      break;
    case 'done':
      summary = m.summary;
      finished(m.summary);
      break;
    case 'fail':
      failed(m.code, m.message);
      break;
    case 'detail':
      if (m.req === detailReq) showDetail(m.detail);
      break;
  }
};

function exportBytes(limit: number): Promise<{ text?: string; bytes: number }> {
  const id = ++exportId;
  return new Promise((resolve) => {
    exportWaiters.set(id, resolve);
    send({ t: 'export', id, limit });
  });
}

// ---------------------------------------------------------------- loading

function startLoad(): number {
  loadId++;
  store.reset();
  view = undefined;
  selected = -1;
  detail = undefined;
  summary = undefined;
  list.setCount(0);
  list.render();
  tree.show([], 'Decoding…');
  hex.show(undefined);
  $('banner').hidden = true;
  $('where').textContent = '';
  $('sel').textContent = '';
  $('count').textContent = '';
  showInputError(undefined);
  document.body.dataset.state = 'loading';
  return loadId;
}

function loadText(text: string, name?: string): void {
  if (text.trim() === '') {
    startLoad();
    document.body.dataset.state = 'empty';
    document.body.dataset.loaded = String(loadId);
    tree.show([], 'Paste bytes above, open a file, or pick an example.');
    statusEl.textContent = 'Ready.';
    updateLink(undefined);
    return;
  }
  const id = startLoad();
  send(name === undefined ? { t: 'load', id, text } : { t: 'load', id, text, name });
}

function loadFile(file: File): void {
  setMode('input');
  fileLoaded = { name: file.name, size: file.size };
  $('file-name').textContent = `${file.name} · ${size(file.size)}`;
  $('file-chip').hidden = false;
  input.value = '';
  input.disabled = true;
  input.placeholder = '';
  const id = startLoad();
  send({ t: 'load', id, file, name: file.name });
}

function closeFile(): void {
  fileLoaded = undefined;
  $('file-chip').hidden = true;
  input.disabled = false;
  input.placeholder = placeholder;
  ($('file') as HTMLInputElement).value = '';
  loadText(input.value);
  input.focus();
}

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

const nf = new Intl.NumberFormat('en');

function progress(phase: string, done: number, total: number): void {
  const p = $('progress');
  p.hidden = false;
  const frac = total > 0 ? done / total : 0;
  ($('progress-bar') as HTMLElement).style.width = `${(frac * 100).toFixed(1)}%`;
  p.setAttribute('aria-valuenow', String(Math.round(frac * 100)));
  statusEl.textContent =
    phase === 'decoding' ? `Decoding… ${nf.format(done)} of ${nf.format(total)} datagrams (${Math.round(frac * 100)}%)` : phase === 'reading' ? `Reading ${size(total)}…` : 'Parsing…';
}

function finished(s: LoadSummary): void {
  $('progress').hidden = true;
  document.body.dataset.state = 'done';
  rowsChanged(true);
  list.render();
  document.body.dataset.loaded = String(loadId);
  rowsChanged(true);
  const parts = [
    s.name ? `${s.name}` : '',
    s.format,
    `${nf.format(s.datagrams)} datagram${s.datagrams === 1 ? '' : 's'}`,
    `${nf.format(s.messages)} message${s.messages === 1 ? '' : 's'}`,
    s.kernelErrors ? `${nf.format(s.kernelErrors)} kernel error${s.kernelErrors === 1 ? '' : 's'}` : '',
    s.malformed ? `${nf.format(s.malformed)} malformed` : '',
    `${size(s.bytes)} of netlink data`,
    `${s.ms} ms`,
  ].filter(Boolean);
  statusEl.textContent = parts.join(' · ');
  if (s.skipped?.length) statusEl.textContent += ` · skipped: ${s.skipped.map((k) => `${k.count} × ${k.reason}`).join('; ')}`;
  if (s.captureError) showInputError(`${s.captureError.code}: ${s.captureError.message}`);
  if (s.malformed > 0) {
    const b = $('banner');
    b.hidden = false;
    b.replaceChildren(
      h('span', { class: 'warn-icon', 'aria-hidden': 'true', text: '⚠' }),
      h('span', { text: `${s.malformed === 1 ? 'One datagram does' : `${nf.format(s.malformed)} datagrams do`} not decode to the end. ` }),
      h('button', { class: 'linklike', id: 'goto-malformed', text: 'Show where decoding stopped' }),
    );
    $('goto-malformed').addEventListener('click', () => select(s.firstMalformed));
  }
  if (!fileLoaded || s.bytes <= SHARE_LIMIT) void updateLink(s);
  else updateLink(undefined, s.bytes);
}

function failed(code: string, message: string): void {
  $('progress').hidden = true;
  document.body.dataset.state = 'error';
  document.body.dataset.loaded = String(loadId);
  showInputError(`${code}: ${message}`);
  tree.show([], 'Nothing to show: the input could not be read (see above).');
  statusEl.textContent = `Could not read the input (${code}).`;
  updateLink(undefined);
}

function showInputError(text: string | undefined): void {
  const el = $('input-error');
  el.hidden = text === undefined;
  el.textContent = text ?? '';
}

// ---------------------------------------------------------------- the URL

async function updateLink(s: LoadSummary | undefined, tooBig?: number): Promise<void> {
  const el = $('link-status');
  if (mode === 'builder' || !dirty) return;
  if (fromLink) {
    el.textContent = 'Opened from a link';
    return;
  }
  if (!s) {
    el.textContent = tooBig ? `Not in the link: ${size(tooBig)} is over the ${size(SHARE_LIMIT)} a link carries — share the file` : '';
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    return;
  }
  const r = await exportBytes(SHARE_LIMIT);
  if (r.text === undefined) {
    el.textContent = `Not in the link: ${size(r.bytes)} is over the ${size(SHARE_LIMIT)} a link carries — share the file`;
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    return;
  }
  const frag = await encodeFragment(r.text);
  history.replaceState(null, '', frag);
  el.textContent = `Link holds these ${size(r.bytes)}`;
}

async function share(): Promise<void> {
  if (mode === 'builder') {
    // The builder's bytes go to the input first, so the link opens them.
    dirty = true;
  }
  const r = await exportBytes(SHARE_LIMIT);
  if (r.text === undefined) {
    toast(r.bytes ? `Too big for a link (${size(r.bytes)}; the limit is ${size(SHARE_LIMIT)}). Share the file instead.` : 'Nothing to share yet.');
    return;
  }
  const url = location.href.split('#')[0] + (await encodeFragment(r.text));
  history.replaceState(null, '', url);
  toast((await copyText(url)) ? 'Link copied' : 'Link is in the address bar');
}

// ---------------------------------------------------------------- message list

const list = new VirtualList(
  $('list'),
  ROW_HEIGHT,
  () => {
    const cells = ['no', 'time', 'dir', 'type', 'flags', 'seq', 'len', 'info'].map((c) =>
      c === 'dir' ? h('span', { class: c }, h('b', { class: 'arrow' }), h('i', { class: 'word', text: ' kernel' })) : h('span', { class: c }),
    );
    return h('div', { class: 'row', role: 'option' }, ...cells);
  },
  (i, el) => fillRow(i, el),
);

function rowAt(pos: number): number {
  return view ? (view[pos] ?? -1) : pos < store.count ? pos : -1;
}
function posOf(row: number): number {
  if (!view) return row;
  let lo = 0;
  let hi = view.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = view[mid]!;
    if (v === row) return mid;
    if (v < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
const visibleCount = () => (view ? view.length : store.count);

const STATUS_CLASS = ['', 'ok', 'kerr', 'bad'];

function fillRow(pos: number, el: HTMLElement): void {
  const i = rowAt(pos);
  if (i < 0) return;
  const c = el.children;
  const t = store.get('time', i);
  const dir = store.get('dir', i);
  const status = store.get('status', i);
  el.className = `row ${STATUS_CLASS[status] ?? ''}${i === selected ? ' selected' : ''}${dir === Dir.Sent ? ' sent' : dir === Dir.Received ? ' recv' : ''}`;
  el.dataset.row = String(i);
  el.id = i === selected ? 'list-active' : '';
  el.setAttribute('aria-selected', String(i === selected));
  c[0]!.textContent = String(i + 1);
  c[1]!.textContent = Number.isNaN(t) ? '' : (t - t0).toFixed(6);
  (c[1] as HTMLElement).title = Number.isNaN(t) ? '' : t > 1e9 ? new Date(t * 1000).toISOString() : `${t} s`;
  c[2]!.firstChild!.textContent = dir === Dir.Sent ? '→' : dir === Dir.Received ? '←' : '';
  (c[2] as HTMLElement).classList.toggle('none', dir === Dir.Unknown);
  (c[2] as HTMLElement).title = dir === Dir.Sent ? 'sent to the kernel' : dir === Dir.Received ? 'received from the kernel' : 'direction not recorded';
  c[3]!.textContent = store.typeOf(i);
  c[4]!.textContent = store.flagsOf(i);
  (c[4] as HTMLElement).title = `0x${hexN(store.get('flags', i), 4)} ${store.flagsOf(i)}`;
  c[5]!.textContent = String(store.get('seq', i));
  c[6]!.textContent = String(store.get('len', i));
  const info = store.infoOf(i);
  c[7]!.textContent = info;
  (c[7] as HTMLElement).title = info;
}

let rowsScheduled = false;
function rowsChanged(now = false, refilter = true): void {
  const apply = () => {
    rowsScheduled = false;
    // While loading, new rows join the filtered view at the end of the load.
    if (refilter && filterInput.value.trim() && document.body.dataset.state !== 'loading') {
      void applyFilter();
      return;
    }
    list.setCount(visibleCount());
    $('count').textContent = view ? `${nf.format(view.length)} of ${nf.format(store.count)}` : nf.format(store.count);
  };
  if (now) return apply();
  if (rowsScheduled) return;
  rowsScheduled = true;
  requestAnimationFrame(apply);
}

function select(row: number, focusList = true): void {
  if (row < 0 || row >= store.count) return;
  selected = row;
  const pos = posOf(row);
  if (pos >= 0) list.reveal(pos);
  list.render();
  $('list').setAttribute('aria-activedescendant', 'list-active');
  detailReq++;
  send({ t: 'detail', id: loadId, req: detailReq, row });
  if (focusList && document.activeElement !== $('list') && document.activeElement?.closest('.list-pane')) $('list').focus();
}

$('list').addEventListener('click', (e) => {
  const r = (e.target as HTMLElement).closest<HTMLElement>('.row');
  if (r?.dataset.row) select(Number(r.dataset.row));
  $('list').focus();
});

$('list').addEventListener('keydown', (e) => {
  const n = visibleCount();
  if (n === 0) return;
  const pos = Math.max(0, posOf(selected));
  let next: number | undefined;
  switch (e.key) {
    case 'ArrowDown':
    case 'j':
      next = pos + 1;
      break;
    case 'ArrowUp':
    case 'k':
      next = pos - 1;
      break;
    case 'PageDown':
      next = pos + list.pageSize;
      break;
    case 'PageUp':
      next = pos - list.pageSize;
      break;
    case 'Home':
      next = 0;
      break;
    case 'End':
      next = n - 1;
      break;
    case 'Enter':
    case 'ArrowRight':
      $('tree').focus();
      e.preventDefault();
      return;
    default:
      return;
  }
  e.preventDefault();
  e.stopPropagation();
  select(rowAt(Math.max(0, Math.min(n - 1, next))));
});

function nextError(): void {
  if (store.count === 0) return;
  for (let k = 1; k <= store.count; k++) {
    const i = (Math.max(selected, 0) + k) % store.count;
    if (store.get('status', i) >= Status.KernelError && (!view || posOf(i) >= 0)) {
      select(i);
      return;
    }
  }
  toast('No errors');
}
$('next-error').addEventListener('click', nextError);

let filterTimer: ReturnType<typeof setTimeout> | undefined;
let filterRun = 0;
filterInput.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => void applyFilter(), 120);
});

async function applyFilter(): Promise<void> {
  const run = ++filterRun;
  const load = loadId;
  $('count').textContent = filterInput.value.trim() ? 'filtering…' : $('count').textContent;
  const r = await store.filterAsync(filterInput.value, () => run !== filterRun || load !== loadId);
  if (r === 'cancelled' || run !== filterRun || load !== loadId) return;
  view = r;
  rowsChanged(true, false);
  list.scroller.scrollTop = 0;
  if (visibleCount() > 0 && posOf(selected) < 0) select(rowAt(0), false);
  else {
    if (posOf(selected) >= 0) list.reveal(posOf(selected));
    list.render();
  }
}

// ---------------------------------------------------------------- tree + hex

const tree = new TreeView($('tree'), (n) => nodeSelected(n));
const hex = new HexView(
  $('hex'),
  (offset) => {
    const i = tree.nodeAt(offset);
    if (i >= 0) tree.select(i);
  },
  (offset) => {
    const i = tree.nodeAt(offset);
    return i >= 0 ? tree.flat[i]!.node.label : undefined;
  },
);

function nodeSelected(n: FlatNode | undefined): void {
  if (!n) {
    hex.highlight(undefined, false);
    $('sel').textContent = '';
    return;
  }
  const { offset, length } = n.node;
  hex.highlight({ offset, length });
  $('sel').textContent = length ? `${n.node.label} · bytes ${offset}–${offset + length - 1} (0x${hexN(offset, 4)}) · ${length} B` : `${n.node.label} · at byte ${offset}`;
}

function showDetail(d: Detail): void {
  detail = d;
  const total = d.datagramLength;
  $('where').textContent = `datagram ${d.dgram + 1}${d.source ? ` (${d.source})` : ''} · bytes ${d.base}–${d.base + d.bytes.length - 1} of ${total}`;
  hex.show(d, d.nodes);
  tree.show(d.nodes);
  if (d.error) {
    // Malformed: go straight to where decoding stopped.
    const stop = tree.flat.findIndex((f) => f.node.error !== undefined);
    if (stop >= 0) tree.select(stop);
  }
  document.body.dataset.detail = `${loadId}:${d.row}`;
}

$('copy-sel').addEventListener('click', () => {
  const t = hex.selectionHex();
  if (t) void copyText(t.replace(/ /g, '')).then((ok) => toast(ok ? 'Bytes copied as hex' : 'Copy failed'));
});

// ---------------------------------------------------------------- input

let inputTimer: ReturnType<typeof setTimeout> | undefined;
input.addEventListener('input', () => {
  dirty = true;
  fromLink = false;
  clearTimeout(inputTimer);
  inputTimer = setTimeout(() => loadText(input.value), 180);
});
input.addEventListener('paste', () => {
  dirty = true;
  fromLink = false;
  clearTimeout(inputTimer);
  setTimeout(() => loadText(input.value), 0);
});

($('file') as HTMLInputElement).addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) {
    dirty = true;
    fromLink = false;
    loadFile(f);
  }
});
$('file-clear').addEventListener('click', closeFile);

// Drag and drop anywhere.
let dragDepth = 0;
window.addEventListener('dragenter', (e) => {
  if (!e.dataTransfer?.types.includes('Files')) return;
  dragDepth++;
  $('drop').hidden = false;
});
window.addEventListener('dragleave', () => {
  if (--dragDepth <= 0) {
    dragDepth = 0;
    $('drop').hidden = true;
  }
});
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  $('drop').hidden = true;
  const f = e.dataTransfer?.files[0];
  if (f) {
    dirty = true;
    fromLink = false;
    loadFile(f);
  }
});

// Examples: every capture of PROTOCOL.md §7, grouped by experiment.
interface Capture {
  id: string;
  direction: 'request' | 'reply';
  source: string;
  note: string;
  hex: string;
}
const groups = new Map<string, Capture[]>();
for (const c of captures as Capture[]) {
  const key = c.id.split('.')[0]!;
  groups.set(key, [...(groups.get(key) ?? []), c]);
}
const examples = $('examples') as HTMLSelectElement;
for (const [key, cs] of groups) {
  examples.append(h('option', { value: key, text: `§7.${key} ${cs[0]!.source.replace(/^[A-Z]\.\s*/, '').replace(/`/g, '')}` }));
}

/** A capture as PROTOCOL.md prints it: a label (naming the direction), then 16 bytes a line. */
export function exampleText(key: string): string {
  const out: string[] = [];
  for (const c of groups.get(key) ?? []) {
    const dir = c.direction === 'request' ? 'request' : 'reply';
    out.push(new RegExp(`^${dir}\\b`, 'i').test(c.note) ? c.note : `${dir}: ${c.note}`);
    for (let at = 0; at < c.hex.length; at += 32) {
      const line = c.hex.slice(at, at + 32).replace(/(..)(?!$)/g, '$1 ');
      out.push(`${hexN(at / 2, 4)}  ${line}`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd() + '\n';
}

examples.addEventListener('change', () => {
  if (!examples.value) return;
  if (fileLoaded) closeFile();
  setMode('input');
  input.value = exampleText(examples.value);
  dirty = true;
  fromLink = false;
  loadText(input.value);
  examples.value = '';
});

// ---------------------------------------------------------------- builder

let builder: Builder | undefined;
let builderTimer: ReturnType<typeof setTimeout> | undefined;
function builderBytes(b: Uint8Array | undefined): void {
  if (mode !== 'builder') return;
  clearTimeout(builderTimer);
  builderTimer = setTimeout(() => {
    if (!b) {
      startLoad();
      tree.show([], 'Fix the request above to see its bytes.');
      statusEl.textContent = 'Builder: the request does not encode.';
      return;
    }
    let s = 'request\n';
    for (const x of b) s += x.toString(16).padStart(2, '0');
    const id = startLoad();
    send({ t: 'load', id, text: s, name: 'builder' });
  }, 60);
}

function setMode(m: 'input' | 'builder'): void {
  if (m === mode) return;
  mode = m;
  $('tab-input').setAttribute('aria-selected', String(m === 'input'));
  $('tab-builder').setAttribute('aria-selected', String(m === 'builder'));
  $('input-panel').hidden = m !== 'input';
  $('builder-panel').hidden = m !== 'builder';
  document.body.dataset.mode = m;
  if (m === 'builder') {
    builder?.update();
  } else if (fileLoaded) {
    // The file is still in the worker only if nothing else was loaded: reopen from the input.
    $('file-chip').hidden = false;
    closeFile();
  } else loadText(input.value);
}
$('tab-input').addEventListener('click', () => setMode('input'));
$('tab-builder').addEventListener('click', () => setMode('builder'));

// ---------------------------------------------------------------- keys, help, share

$('share').addEventListener('click', () => void share());
const help = $('help-dialog') as HTMLDialogElement;
$('help').addEventListener('click', () => help.showModal());
$('help-close').addEventListener('click', () => help.close());

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target as HTMLElement;
  const typing = t.matches('input, textarea, select, [contenteditable]');
  if (e.key === 'Escape') {
    if (typing) {
      t.blur();
      $('list').focus();
    }
    return;
  }
  if (typing) return;
  switch (e.key) {
    case '/':
      setMode('input');
      input.disabled ? $('file-clear').focus() : input.focus();
      break;
    case '?':
      help.showModal();
      break;
    case 'e':
      nextError();
      break;
    case 'f':
      filterInput.focus();
      break;
    case 'c':
      $('copy-sel').click();
      break;
    case 'i':
      setMode('input');
      break;
    case 'b':
      setMode('builder');
      ($('b-op') as HTMLElement).focus();
      break;
    case 'j':
    case 'k':
    case 'ArrowDown':
    case 'ArrowUp':
      if (t === document.body || t.closest('.bar, .statusbar')) {
        $('list').focus();
        $('list').dispatchEvent(new KeyboardEvent('keydown', { key: e.key }));
      } else return;
      break;
    default:
      return;
  }
  e.preventDefault();
});

// ---------------------------------------------------------------- start

async function start(): Promise<void> {
  await init();
  builder = new Builder(builderBytes);
  document.body.dataset.ready = 'true';
  let text: string | undefined;
  try {
    text = await decodeFragment(location.hash);
  } catch {
    showInputError('The link is damaged: its bytes could not be unpacked.');
  }
  if (text !== undefined) {
    input.value = text;
    dirty = true;
    fromLink = true;
    loadText(text);
    $('link-status').textContent = 'Opened from a link';
  } else {
    loadText('');
  }
}
void start();

window.addEventListener('hashchange', async () => {
  const text = await decodeFragment(location.hash).catch(() => undefined);
  if (text !== undefined && text !== input.value) {
    setMode('input');
    input.value = text;
    loadText(text);
  }
});

if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker
    .register('./sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then(() => ($('offline').textContent = 'Works offline'))
    .catch(() => ($('offline').textContent = ''));
}
