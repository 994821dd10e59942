// Diff and history: pin one policy (p), select another (in this capture or after loading
// another one) and compare them state by state; or list every policy of one name in the
// capture, each change from the one before marked.
import { PROTOCOLS } from 'cttimeout/codec';
import { app, ask } from '../app.js';
import { $, h, human, toast } from '../dom.js';
import type { PolicyView } from '../protocol.js';
import { formatTime, select } from './list.js';

let pinned: PolicyView | undefined;
let current: PolicyView | undefined;
const dialog = () => $('diff-dialog') as HTMLDialogElement;

const title = (p: PolicyView) =>
  `#${p.row + 1} ${p.type} ${p.name !== undefined ? JSON.stringify(p.name) : '(no name)'} ${p.family ?? ''} ${p.protocol ?? ''} · ${p.source}`;

/** States in the protocol table's order (unknown protocols: as the messages list them). */
function stateOrder(a: PolicyView, b?: PolicyView): string[] {
  const proto = PROTOCOLS.find((p) => p.name === (a.protocol ?? b?.protocol));
  const names: string[] = proto ? proto.states.map((s) => s.name) : [];
  for (const k of [...Object.keys(a.timeouts), ...Object.keys(b?.timeouts ?? {})]) if (!names.includes(k)) names.push(k);
  return names;
}

const cell = (v: number | undefined) => (v === undefined ? '–' : `${v} s${v >= 60 ? ` (${human(v)})` : ''}`);

function renderDiff(a: PolicyView, b: PolicyView): HTMLElement {
  const head = h('tr', {}, h('th', { text: 'State' }), h('th', { class: 'side', text: `A: ${title(a)}` }), h('th', { class: 'side', text: `B: ${title(b)}` }));
  const rows: HTMLElement[] = [];
  const fields: Array<[string, string | undefined, string | undefined]> = [
    ['family', a.family, b.family],
    ['protocol', a.protocol, b.protocol],
  ];
  for (const [k, x, y] of fields)
    rows.push(h('tr', { class: x !== y ? 'changed' : '' }, h('td', { text: k }), h('td', { text: x ?? '–' }), h('td', { text: y ?? '–' })));
  for (const s of stateOrder(a, b)) {
    const x = a.timeouts[s];
    const y = b.timeouts[s];
    rows.push(h('tr', { class: x !== y ? 'changed' : '', 'data-state': s }, h('td', { text: s }), h('td', { text: cell(x) }), h('td', { text: cell(y) })));
  }
  const changed = rows.filter((r) => r.classList.contains('changed')).length;
  return h(
    'div',
    {},
    h('p', { id: 'diff-count', text: changed ? `${changed} difference${changed === 1 ? '' : 's'} (marked)` : 'The two policies are the same' }),
    h('table', { class: 'diff' }, h('thead', {}, head), h('tbody', {}, ...rows)),
  );
}

function renderHistory(name: string, entries: PolicyView[]): HTMLElement {
  if (entries.length === 0) return h('p', { text: `No message of this capture carries the policy ${JSON.stringify(name)}.` });
  const states = stateOrder(entries[0]!, entries[entries.length - 1]);
  const head = h('tr', {}, h('th', { text: 'No.' }), h('th', { text: 'Time' }), h('th', { text: 'Message' }), ...states.map((s) => h('th', { text: s })));
  const body = entries.map((p, i) => {
    const prev = entries[i - 1];
    const dir = p.dir === 1 ? '→' : p.dir === 2 ? '←' : '';
    return h(
      'tr',
      { class: 'hist', 'data-row': p.row },
      h('td', { class: 'num', text: String(p.row + 1) }),
      h('td', { class: 'num', text: formatTime(p.time, prev?.time ?? Number.NaN) }),
      h('td', { text: `${dir} ${p.type}` }),
      ...states.map((s) =>
        h('td', {
          class: `num${prev && prev.timeouts[s] !== p.timeouts[s] ? ' changed' : ''}`,
          text: p.timeouts[s] === undefined ? '–' : String(p.timeouts[s]),
        }),
      ),
    );
  });
  const table = h('table', { class: 'diff history' }, h('thead', {}, head), h('tbody', {}, ...body));
  table.addEventListener('click', (e) => {
    const tr = (e.target as HTMLElement).closest<HTMLElement>('tr.hist');
    if (tr) {
      dialog().close();
      select(Number(tr.dataset.row));
    }
  });
  return h(
    'div',
    {},
    h('p', {
      id: 'history-count',
      text: `${entries.length} message${entries.length === 1 ? '' : 's'} carry ${JSON.stringify(name)}; a changed value is marked`,
    }),
    table,
  );
}

/**
 * The policy lookup of the latest selection (the worker answers it). Pinning waits for it: a
 * `p` pressed right after a click would otherwise see the previous row's policy, or none.
 */
let lookup: Promise<void> = Promise.resolve();

/** Pins the selected message's policy as A. */
export async function pin(): Promise<void> {
  await lookup;
  if (!current) return toast('The selected message carries no policy to pin');
  pinned = current;
  $('pin-status').textContent = `A = ${title(pinned)}`;
  $('pin-status').hidden = false;
  ($('compare') as HTMLButtonElement).disabled = false;
  toast('Pinned as A: select another policy (here or in another capture) and press Compare');
}

async function compare(): Promise<void> {
  if (!pinned || !current) return toast(pinned ? 'The selected message carries no policy' : 'Pin a policy first (p)');
  $('diff-title').textContent = 'Compare policies';
  $('diff-body').replaceChildren(renderDiff(pinned, current));
  dialog().showModal();
}

async function showHistory(): Promise<void> {
  if (current?.name === undefined) return toast('The selected message carries no named policy');
  const name = current.name;
  $('diff-title').textContent = `History of ${JSON.stringify(name)}`;
  $('diff-body').replaceChildren(h('p', { text: 'Looking through the capture…' }));
  dialog().showModal();
  const r = await ask('history', { name });
  if (r) $('diff-body').replaceChildren(renderHistory(name, r.entries));
}

/** The selection changed: learn its policy (if any) for the buttons. */
export function selectionChanged(row: number): Promise<void> {
  lookup = learnPolicy(row);
  return lookup;
}

async function learnPolicy(row: number): Promise<void> {
  const r = await ask('policy', { row });
  if (!r || row !== app.selected) return;
  current = r.policy;
  ($('compare') as HTMLButtonElement).disabled = !current || !pinned;
  ($('history') as HTMLButtonElement).disabled = current?.name === undefined;
  ($('pin') as HTMLButtonElement).disabled = !current;
}

export function setupDiff(): void {
  $('pin').addEventListener('click', () => void pin());
  $('compare').addEventListener('click', () => void compare());
  $('history').addEventListener('click', () => void showHistory());
  $('diff-close').addEventListener('click', () => dialog().close());
}
