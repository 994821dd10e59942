// Requests and their replies, paired by (port id, seq) as the kernel answers them: a reply
// carries the requesting socket's port id and the request's seq; requests usually say port 0,
// so a reply goes to the oldest open request with its seq and port 0 or its own port. A
// dump's replies all belong to its request, which is answered by the last one (DONE or an
// error); ACKs and errors end any request; a reply without MULTI ends a GET.
import { isDump, NLM_F, type DecodedMessage } from 'cttimeout/codec';
import { Mark, type LatencyRow } from '../protocol.js';
import { isProbe, typeLabel } from './describe.js';

interface Open {
  row: number;
  pid: number;
  time: number;
  op: string;
  probe: boolean;
}

export class Conversations {
  private open = new Map<number, Open[]>();
  peer: number[] = [];
  latency: number[] = [];
  mark: number[] = [];
  private byOp = new Map<string, { ms: number[]; unanswered: number }>();
  /** Rows of probe requests and their replies. */
  probes = new Set<number>();
  /** Whether any reply was seen: without one (a builder request, a paste of requests) nothing is "unanswered". */
  replies = false;

  /** A row outside any conversation (a malformed tail). */
  skip(row: number): void {
    this.peer[row] = -1;
    this.latency[row] = Number.NaN;
    this.mark[row] = Mark.None;
  }

  /** Records the message at `row`; tells whether it belongs to an open-time probe. */
  add(row: number, m: DecodedMessage, dir: number, time: number): boolean {
    this.skip(row);
    const h = m.header;
    const request = (h.flags & NLM_F.REQUEST) !== 0 && dir !== 2;
    if (request) {
      const op = `${typeLabel(m)}${isDump(h.type, h.flags) ? ' (dump)' : ''}`;
      const probe = isProbe(m);
      const list = this.open.get(h.seq) ?? [];
      // A socket reuses a seq only once its request is over: an open one with the same port is
      // given up (unanswered). This also keeps every list short.
      const old = list.findIndex((o) => o.pid === h.pid);
      if (old >= 0) this.giveUp(list.splice(old, 1)[0]!);
      list.push({ row, pid: h.pid, time, op, probe });
      this.open.set(h.seq, list);
      const asks = (h.flags & NLM_F.ACK) !== 0 || (m.kind === 'timeout' && (m.command === 'GET' || m.command === 'DEFAULT_GET'));
      this.mark[row] = asks ? Mark.Unanswered : Mark.Silent;
      if (probe) this.probes.add(row);
      return probe;
    }
    if (dir === 1) return false;
    this.replies = true;
    const list = this.open.get(h.seq);
    const i = list ? list.findIndex((o) => o.pid === 0 || o.pid === h.pid) : -1;
    if (!list || i < 0) {
      this.mark[row] = Mark.Orphan;
      return false;
    }
    const o = list[i]!;
    this.peer[row] = o.row;
    this.mark[row] = Mark.Reply;
    const final = m.kind === 'ack' || m.kind === 'error' || m.kind === 'done' || (h.flags & NLM_F.MULTI) === 0;
    if (final) {
      list.splice(i, 1);
      if (list.length === 0) this.open.delete(h.seq);
      this.peer[o.row] = row;
      this.mark[o.row] = Mark.Answered;
      const ms = (time - o.time) * 1000;
      this.latency[o.row] = ms;
      this.latency[row] = ms;
      if (!Number.isNaN(ms) && !o.probe) this.stats(o.op).ms.push(ms);
    }
    if (o.probe) this.probes.add(row);
    return o.probe;
  }

  private giveUp(o: Open): void {
    if (this.mark[o.row] === Mark.Unanswered && !o.probe) this.stats(o.op).unanswered++;
  }

  private stats(op: string): { ms: number[]; unanswered: number } {
    let s = this.byOp.get(op);
    if (!s) this.byOp.set(op, (s = { ms: [], unanswered: 0 }));
    return s;
  }

  /** Per-operation latency (ms): count, median, p99, max; and the requests left unanswered. */
  summary(): LatencyRow[] {
    if (!this.replies) for (let i = 0; i < this.mark.length; i++) if (this.mark[i] === Mark.Unanswered) this.mark[i] = Mark.None;
    for (const list of this.open.values()) for (const o of list) this.giveUp(o);
    this.open.clear();
    return [...this.byOp].map(([op, s]) => {
      const ms = s.ms.sort((a, b) => a - b);
      const q = (p: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)]! : Number.NaN);
      return { op, count: ms.length, unanswered: s.unanswered, median: q(0.5), p99: q(0.99), max: ms.length ? ms[ms.length - 1]! : Number.NaN };
    });
  }
}
