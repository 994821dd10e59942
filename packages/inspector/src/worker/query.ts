// Questions asked of a whole capture: which rows a filter expression keeps, the policy one row
// carries (for diff), every policy of one name (history). Each walks the rows in datagram
// order, decoding each datagram once, in time-boxed slices so a new question cancels the last.
import { decode, type DecodedMessage } from 'cttimeout/codec';
import { matches, type Expr, type Facts } from '../filter-lang.js';
import { Mark, type PolicyView } from '../protocol.js';
import { post } from './chunk.js';
import { facts, hex, typeLabel } from './describe.js';
import { otherLabel, splitOther } from './generic.js';
import { session, stale, yieldNow } from './load.js';

/** Calls fn for each row from `from`: its decoded message (undefined for a malformed tail). */
function messageAt(row: number, cache: { dgram: number; messages: DecodedMessage[] }): DecodedMessage | undefined {
  const r = session.rows[row]!;
  if (cache.dgram !== r.dgram) {
    cache.dgram = r.dgram;
    cache.messages = decode(session.datagrams[r.dgram]!.bytes).messages;
  }
  return r.malformed || r.family !== undefined ? undefined : cache.messages[r.node];
}

/** The filter's facts of one row, with its conversation marks. */
function rowFacts(row: number, m: DecodedMessage | undefined): Facts {
  const { rows, datagrams, conv } = session;
  const r = rows[row]!;
  const d = datagrams[r.dgram]!;
  const dir = d.direction === 'sent' ? 1 : d.direction === 'received' ? 2 : 0;
  const f: Facts = m
    ? facts(m, dir, r.len)
    : {
        type: 'MALFORMED',
        dir: dir === 1 ? 'out' : dir === 2 ? 'in' : '',
        seq: 0,
        pid: 0,
        flags: 0,
        len: r.len,
        error: false,
        ack: false,
        malformed: r.family === undefined,
        probe: false,
        unanswered: false,
        orphan: false,
      };
  if (r.family !== undefined) {
    const o = splitOther(d.bytes).messages[r.node]!;
    Object.assign(f, { type: otherLabel(r.family, o.type), seq: o.seq, pid: o.pid, flags: o.flags });
  }
  f.probe = conv.probes.has(row);
  f.unanswered = conv.mark[row] === Mark.Unanswered && !f.probe;
  f.orphan = conv.mark[row] === Mark.Orphan;
  const ms = conv.latency[row]!;
  if (!Number.isNaN(ms)) f.latency = ms;
  return f;
}

/** Walks every row in slices of ~30 ms; false when a newer load or question took over. */
async function walk(
  id: number,
  isCurrent: () => boolean,
  fn: (row: number, m: DecodedMessage | undefined) => void,
  progress?: (done: number, total: number) => void,
): Promise<boolean> {
  const cache = { dgram: -1, messages: [] as DecodedMessage[] };
  const total = session.rows.length;
  let until = performance.now() + 30;
  for (let row = 0; row < total; row++) {
    fn(row, messageAt(row, cache));
    if ((row & 255) === 255 && performance.now() > until) {
      progress?.(row + 1, total);
      await yieldNow();
      if (stale(id) || !isCurrent()) return false;
      until = performance.now() + 30;
    }
  }
  return true;
}

let filterRun = 0;
export async function filter(id: number, run: number, expr: Expr): Promise<void> {
  filterRun = run;
  const out = new Uint32Array(session.rows.length);
  let n = 0;
  const done = await walk(
    id,
    () => filterRun === run,
    (row, m) => {
      if (matches(expr, rowFacts(row, m))) out[n++] = row;
    },
    (d, total) => post({ t: 'filter-progress', id, run, done: d, total }),
  );
  if (!done) return;
  const rows = out.slice(0, n);
  post({ t: 'filtered', id, run, rows }, [rows.buffer]);
}

/** The policy a message carries, if it carries one. */
export function policyOf(row: number, m: DecodedMessage | undefined): PolicyView | undefined {
  if (m?.kind !== 'timeout' || (!m.timeouts && m.protocol === undefined)) return undefined;
  const d = session.datagrams[session.rows[row]!.dgram]!;
  const p: PolicyView = {
    row,
    time: d.time ?? Number.NaN,
    dir: d.direction === 'sent' ? 1 : d.direction === 'received' ? 2 : 0,
    type: typeLabel(m),
    timeouts: { ...m.timeouts },
    source: session.name,
  };
  if (typeof m.name === 'string') p.name = m.name;
  else if (m.name !== undefined) {
    p.nameHex = hex(m.name);
    p.name = `bytes ${p.nameHex}`;
  }
  if (m.family !== undefined) p.family = m.family;
  if (m.protocol !== undefined || m.l4proto !== undefined) p.protocol = m.protocol ?? String(m.l4proto);
  if (m.use !== undefined) p.use = m.use;
  return p;
}

export function policy(row: number): PolicyView | undefined {
  if (!session.rows[row]) return undefined;
  return policyOf(row, messageAt(row, { dgram: -1, messages: [] }));
}

let historyReq = 0;
export async function history(id: number, req: number, name: string): Promise<void> {
  historyReq = req;
  const entries: PolicyView[] = [];
  const done = await walk(
    id,
    () => historyReq === req,
    (row, m) => {
      const p = policyOf(row, m);
      if (p && p.name === name) entries.push(p);
    },
  );
  if (done) post({ t: 'history', id, req, name, entries });
}

/** Every policy-carrying message of the capture (for export), in order. */
export function allPolicies(rows: ArrayLike<number>): PolicyView[] {
  const cache = { dgram: -1, messages: [] as DecodedMessage[] };
  const out: PolicyView[] = [];
  for (let i = 0; i < rows.length; i++) {
    const p = policyOf(rows[i]!, messageAt(rows[i]!, cache));
    if (p) out.push(p);
  }
  return out;
}

export { messageAt, rowFacts };
