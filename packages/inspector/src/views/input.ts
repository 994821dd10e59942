// Getting bytes in: the input box (paste or type), a file (open or drop), the examples. Each
// starts a load in the worker; the rows stream back into the store.
import { app, on, send, size } from '../app.js';
import { $, h } from '../dom.js';
import { EXAMPLES, exampleText } from '../examples.js';
import type { LoadSummary } from '../protocol.js';
import { clearDetail, tree } from './detail.js';
import { applyFilter, filterText, viewChanged, viewChangedSoon } from './filter.js';
import { updateLink, linkState } from './link.js';
import { resetList, select, setT0 } from './list.js';
import { setMode } from './mode.js';
import { failed, finished, progress, showInputError, status } from './status.js';

const input = $('input') as HTMLTextAreaElement;
const placeholder = input.placeholder;
export let fileLoaded: { name: string; size: number } | undefined;

/** Starts a new load: forgets the rows, the view, the selection. */
export function startLoad(source: string): number {
  app.loadId++;
  app.store.reset();
  app.view = undefined;
  app.selected = -1;
  app.summary = undefined;
  app.pairs = undefined;
  app.source = source;
  resetList();
  clearDetail('Decoding…');
  $('banner').hidden = true;
  $('count').textContent = '';
  $('latency').hidden = true;
  showInputError(undefined);
  document.body.dataset.state = 'loading';
  return app.loadId;
}

export function loadText(text: string, name?: string): void {
  if (text.trim() === '') {
    startLoad('input');
    document.body.dataset.state = 'empty';
    document.body.dataset.loaded = String(app.loadId);
    tree.show([], 'Paste bytes above, open a file, or pick an example.');
    status('Ready.');
    void updateLink(undefined);
    return;
  }
  const id = startLoad(name ?? 'input');
  send(name === undefined ? { t: 'load', id, text } : { t: 'load', id, text, name });
}

export function loadFile(file: File): void {
  setMode('input');
  fileLoaded = { name: file.name, size: file.size };
  $('file-name').textContent = `${file.name} · ${size(file.size)}`;
  $('file-chip').hidden = false;
  input.value = '';
  input.disabled = true;
  input.placeholder = '';
  const id = startLoad(file.name);
  send({ t: 'load', id, file, name: file.name });
}

export function closeFile(): void {
  fileLoaded = undefined;
  $('file-chip').hidden = true;
  input.disabled = false;
  input.placeholder = placeholder;
  ($('file') as HTMLInputElement).value = '';
  loadText(input.value);
  input.focus();
}

function done(s: LoadSummary): void {
  app.summary = s;
  document.body.dataset.state = 'done';
  viewChanged();
  document.body.dataset.loaded = String(app.loadId);
  finished(s);
  if (filterText()) void applyFilter();
  void updateLink(s, fileLoaded !== undefined);
}

/** Text typed or pasted: decode it shortly after the last key. */
function edited(delay: number): void {
  linkState.dirty = true;
  linkState.fromLink = false;
  clearTimeout(inputTimer);
  inputTimer = setTimeout(() => loadText(input.value), delay);
}
let inputTimer: ReturnType<typeof setTimeout> | undefined;

function dropping(): void {
  let depth = 0;
  window.addEventListener('dragenter', (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    depth++;
    $('drop').hidden = false;
  });
  window.addEventListener('dragleave', () => {
    if (--depth <= 0) {
      depth = 0;
      $('drop').hidden = true;
    }
  });
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    $('drop').hidden = true;
    const f = e.dataTransfer?.files[0];
    if (f) {
      linkState.dirty = true;
      linkState.fromLink = false;
      loadFile(f);
    }
  });
}

export function setupInput(): void {
  on('progress', (m) => progress(m.phase, m.done, m.total));
  on('rows', (m) => {
    if (m.chunk.start === 0) setT0(m.chunk.time.find((t) => !Number.isNaN(t)) ?? Number.NaN);
    app.store.append(m.chunk);
    if (!filterText()) viewChangedSoon();
    if (app.selected < 0 && app.store.count > 0) select(0, false);
  });
  on('done', (m) => done(m.summary));
  on('fail', (m) => {
    document.body.dataset.state = 'error';
    document.body.dataset.loaded = String(app.loadId);
    failed(m.code, m.message);
    clearDetail('Nothing to show: the input could not be read (see above).');
    void updateLink(undefined);
  });
  input.addEventListener('input', () => edited(180));
  input.addEventListener('paste', () => edited(0));
  ($('file') as HTMLInputElement).addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) {
      linkState.dirty = true;
      linkState.fromLink = false;
      loadFile(f);
    }
  });
  $('file-clear').addEventListener('click', closeFile);
  dropping();
  const examples = $('examples') as HTMLSelectElement;
  for (const e of EXAMPLES) examples.append(h('option', { value: e.key, text: e.title }));
  examples.addEventListener('change', () => {
    if (!examples.value) return;
    if (fileLoaded) closeFile();
    setMode('input');
    input.value = exampleText(examples.value);
    linkState.dirty = true;
    linkState.fromLink = false;
    loadText(input.value);
    examples.value = '';
  });
}
