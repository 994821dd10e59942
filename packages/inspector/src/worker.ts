// The decoding worker: loads captures (worker/load.ts), answers the page's questions about
// them (one message's field tree, filters, diff and history, export). Nothing heavy runs on
// the page.
import { init, inspect, type InspectNode } from 'cttimeout/codec';
import type { Detail, ToWorker } from './protocol.js';
import { post } from './worker/chunk.js';
import { exportRows, shareText } from './worker/export.js';
import { generic, otherTree, splitOther } from './worker/generic.js';
import { load, session } from './worker/load.js';
import { filter, history, policy } from './worker/query.js';

const ready = init();

function sortNodes(nodes: InspectNode[]): InspectNode[] {
  // Byte order, as the hex pane reads (the codec lists unknown attributes after known ones).
  return nodes.map((n) => (n.children ? { ...n, children: sortNodes(n.children) } : n)).sort((a, b) => a.offset - b.offset || b.length - a.length);
}

function detail(row: number): Detail | undefined {
  const r = session.rows[row];
  if (!r) return undefined;
  const d = session.datagrams[r.dgram]!;
  if (r.family !== undefined) {
    const m = splitOther(d.bytes).messages[r.node]!;
    return {
      row,
      bytes: d.bytes.slice(r.off, r.off + r.len),
      base: r.off,
      datagramLength: d.bytes.length,
      dgram: r.dgram,
      nodes: [otherTree(d.bytes, m, r.family)],
      ...(d.source !== undefined ? { source: d.source } : {}),
    };
  }
  const tree = inspect(d.bytes);
  const nodes = (r.malformed ? tree.messages.slice(r.node) : tree.messages.slice(r.node, r.node + 1)).map((n) => generic(n, d.bytes, 0));
  const out: Detail = { row, bytes: d.bytes.slice(r.off, r.off + r.len), base: r.off, datagramLength: d.bytes.length, dgram: r.dgram, nodes: sortNodes(nodes) };
  if (d.source !== undefined) out.source = d.source;
  if (r.malformed && tree.error) out.error = tree.error;
  return out;
}

const fail = (id: number) => (err: unknown) => post({ t: 'fail', id, code: 'ERR_INTERNAL', message: String(err) });

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.t === 'load') {
    void ready.then(() => ('file' in m ? load(m.id, { file: m.file }, m.name) : load(m.id, { text: m.text }, m.name))).catch(fail(m.id));
    return;
  }
  void ready.then(() => {
    if (m.id !== session.id) return;
    switch (m.t) {
      case 'detail': {
        const d = detail(m.row);
        if (d) post({ t: 'detail', id: m.id, req: m.req, detail: d }, [d.bytes.buffer]);
        break;
      }
      case 'share':
        post({ t: 'share', id: m.id, req: m.req, ...shareText(m.limit) });
        break;
      case 'export': {
        const rows = m.rows ?? Uint32Array.from(session.rows.keys());
        const out = exportRows(m.id, m.req, m.format, rows);
        post(out, typeof out.data === 'string' ? [] : [out.data.buffer]);
        break;
      }
      case 'filter':
        void filter(m.id, m.run, m.expr);
        break;
      case 'policy': {
        const p = policy(m.row);
        post(p ? { t: 'policy', id: m.id, req: m.req, policy: p } : { t: 'policy', id: m.id, req: m.req });
        break;
      }
      case 'history':
        void history(m.id, m.req, m.name);
        break;
    }
  });
};
