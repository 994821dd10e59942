// The selected message: its field tree and its bytes, linked both ways.
import { app, on, send } from '../app.js';
import { $, copyText, hexN, toast } from '../dom.js';
import { HexView } from '../hexview.js';
import type { Detail } from '../protocol.js';
import { TreeView, type FlatNode } from '../tree.js';

let detailReq = 0;
export let detail: Detail | undefined;

export const tree = new TreeView($('tree'), (n) => nodeSelected(n));
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
  $('sel').textContent = length
    ? `${n.node.label} · bytes ${offset}–${offset + length - 1} (0x${hexN(offset, 4)}) · ${length} B`
    : `${n.node.label} · at byte ${offset}`;
}

function showDetail(d: Detail): void {
  detail = d;
  $('where').textContent = `datagram ${d.dgram + 1}${d.source ? ` (${d.source})` : ''} · bytes ${d.base}–${d.base + d.bytes.length - 1} of ${d.datagramLength}`;
  hex.show(d, d.nodes);
  tree.show(d.nodes);
  if (d.error) {
    // Malformed: go straight to where decoding stopped.
    const stop = tree.flat.findIndex((f) => f.node.error !== undefined);
    if (stop >= 0) tree.select(stop);
  }
  document.body.dataset.detail = `${app.loadId}:${d.row}`;
}

/** Asks the worker for a row's fields. */
export function requestDetail(row: number): void {
  detailReq++;
  send({ t: 'detail', id: app.loadId, req: detailReq, row });
}

export function clearDetail(placeholder: string): void {
  detail = undefined;
  tree.show([], placeholder);
  hex.show(undefined);
  $('where').textContent = '';
  $('sel').textContent = '';
}

export function setupDetail(): void {
  on('detail', (m) => {
    if (m.req === detailReq) showDetail(m.detail);
  });
  $('copy-sel').addEventListener('click', () => {
    const t = hex.selectionHex();
    if (t) void copyText(t.replace(/ /g, '')).then((ok) => toast(ok ? 'Bytes copied as hex' : 'Copy failed'));
  });
}
