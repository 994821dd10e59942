// The filter box: words search the row text (as before); an expression of the field filter
// language runs in the worker over every message's decoded fields. A bad expression is shown
// in place, with a caret under the column where it went wrong, and the list is left as it was.
import { app, nf, on, posOf, rowAt, send, visibleCount } from '../app.js';
import { $ } from '../dom.js';
import { FilterSyntaxError, isExpression, parseFilter } from '../filter-lang.js';
import { list, select } from './list.js';

const input = $('filter') as HTMLInputElement;
let timer: ReturnType<typeof setTimeout> | undefined;
let run = 0;
/** Filters applied so far (tests wait for it to change). */
let applied = 0;
let done: ((rows: Uint32Array | undefined) => void) | undefined;

function showError(text: string | undefined, column = 0): void {
  const el = $('filter-error');
  el.hidden = text === undefined;
  input.classList.toggle('bad', text !== undefined);
  input.setAttribute('aria-invalid', String(text !== undefined));
  if (text === undefined) return;
  el.replaceChildren();
  const pre = document.createElement('code');
  pre.textContent = `${input.value}\n${' '.repeat(column)}^`;
  el.append(pre, document.createTextNode(` column ${column + 1}: ${text}`));
  el.dataset.column = String(column);
}

let scheduled = false;
/** The same at the next frame, at most once a frame (rows arrive in bursts while loading). */
export function viewChangedSoon(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    viewChanged();
  });
}

/** Updates the count and the list after the view changed. */
export function viewChanged(): void {
  list.setCount(visibleCount());
  $('count').textContent = app.view ? `${nf.format(app.view.length)} of ${nf.format(app.store.count)}` : nf.format(app.store.count);
}

/** Rows the worker kept for an expression; undefined when a newer run took over. */
function runExpression(src: string): Promise<Uint32Array | undefined> | undefined {
  let expr: ReturnType<typeof parseFilter>;
  try {
    expr = parseFilter(src);
  } catch (e) {
    if (!(e instanceof FilterSyntaxError)) throw e;
    showError(e.message, e.column);
    return undefined;
  }
  showError(undefined);
  done?.(undefined);
  $('count').textContent = 'filtering…';
  const r = ++run;
  send({ t: 'filter', id: app.loadId, run: r, expr });
  return new Promise((resolve) => (done = (rows) => resolve(r === run ? rows : undefined)));
}

export async function applyFilter(): Promise<void> {
  const q = input.value.trim();
  const load = app.loadId;
  let rows: Uint32Array | undefined | 'cancelled';
  if (q === '') {
    showError(undefined);
    rows = undefined;
  } else if (isExpression(q)) {
    const p = runExpression(q);
    if (!p) return;
    rows = await p;
    if (!rows) return;
  } else {
    showError(undefined);
    const r = ++run;
    $('count').textContent = 'filtering…';
    rows = await app.store.filterAsync(q, () => r !== run || load !== app.loadId);
    if (rows === 'cancelled' || r !== run) return;
  }
  if (load !== app.loadId) return;
  app.view = rows;
  viewChanged();
  list.scroller.scrollTop = 0;
  // For tests and tools: which filter text the shown view is for, and a count of views shown (a
  // filter still running from before an edit lands first; its text tells it apart).
  document.body.dataset.filterQuery = q;
  document.body.dataset.filtered = String(++applied);
  if (visibleCount() > 0 && posOf(app.selected) < 0) select(rowAt(0), false);
  else {
    if (posOf(app.selected) >= 0) list.reveal(posOf(app.selected));
    list.render();
  }
}

export const filterText = () => input.value.trim();

export function setupFilter(): void {
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void applyFilter(), 120);
  });
  on('filtered', (m) => {
    if (m.run === run) done?.(m.rows);
  });
  on('filter-progress', (m) => {
    if (m.run === run) $('count').textContent = `filtering… ${Math.round((m.done / m.total) * 100)}%`;
  });
}
