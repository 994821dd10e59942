// Loading: read the input (text or file), split it into datagrams (readCapture), decode every
// datagram with the WebAssembly codec in time-boxed slices, pair requests with replies, and
// stream message-list rows to the page with progress.
import { decode, inspect, readCapture, type Capture, type Datagram, type DecodeResult, type InspectNode } from 'cttimeout/codec';
import { Dir, Mark, Status, type LoadSummary } from '../protocol.js';
import { ChunkBuilder, post, type RowFields } from './chunk.js';
import { Conversations } from './conversations.js';
import { flagText, info, typeLabel } from './describe.js';
import { familyName, otherLabel, splitOther } from './generic.js';

export interface RowRef {
  dgram: number;
  off: number;
  len: number;
  /** Index of the first inspect() top-level node of this row. */
  node: number;
  /** Malformed row: every node from `node` on. */
  malformed: boolean;
  /** A message of another netlink family (not NETLINK_NETFILTER): shown with generic headers. */
  family?: number;
}

/** What one load left in the worker: the bytes, where each row is, the pairing. */
export interface Session {
  id: number;
  name: string;
  datagrams: Datagram[];
  rows: RowRef[];
  conv: Conversations;
}

export let session: Session = { id: 0, name: '', datagrams: [], rows: [], conv: new Conversations() };
export const stale = (id: number) => id !== session.id;
export const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

export const dirOf = (d: Datagram) => (d.direction === 'sent' ? Dir.Sent : d.direction === 'received' ? Dir.Received : Dir.Unknown);

async function read(id: number, input: { text: string } | { file: Blob }): Promise<Capture | undefined> {
  let source: string | Uint8Array;
  if ('file' in input) {
    post({ t: 'progress', id, phase: 'reading', done: 0, total: input.file.size });
    source = new Uint8Array(await input.file.arrayBuffer());
  } else source = input.text;
  if (stale(id)) return undefined;
  post({ t: 'progress', id, phase: 'parsing', done: 0, total: source.length });
  try {
    return readCapture(source, { allFamilies: true });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    post({ t: 'fail', id, code: err.code ?? 'ERR_CAPTURE_FORMAT', message: err.message ?? String(e) });
    return undefined;
  }
}

function newSummary(capture: Capture, name: string | undefined): LoadSummary {
  const ds = capture.datagrams;
  let bytes = 0;
  for (const d of ds) bytes += d.bytes.length;
  const s: LoadSummary = {
    format: capture.format,
    datagrams: ds.length,
    messages: 0,
    kernelErrors: 0,
    malformed: 0,
    firstMalformed: -1,
    bytes,
    ms: 0,
    times: ds.some((d) => d.time !== undefined),
    t0: ds.find((d) => d.time !== undefined)?.time ?? 0,
    probes: 0,
    latency: [],
    unanswered: 0,
    orphans: 0,
  };
  if (name !== undefined) s.name = name;
  if (capture.skipped) s.skipped = capture.skipped;
  if (capture.error) s.captureError = capture.error;
  return s;
}

export async function load(id: number, input: { text: string } | { file: Blob }, name?: string): Promise<void> {
  const started = performance.now();
  session = { id, name: name ?? 'input', datagrams: [], rows: [], conv: new Conversations() };
  const capture = await read(id, input);
  if (!capture || stale(id)) return;
  session.datagrams = capture.datagrams;
  const summary = newSummary(capture, name);
  const chunk = new ChunkBuilder(id);
  let sliceStart = performance.now();
  for (let di = 0; di < capture.datagrams.length; di++) {
    addDatagram(di, chunk, summary);
    if (performance.now() - sliceStart > 40) {
      chunk.flush();
      post({ t: 'progress', id, phase: 'decoding', done: di + 1, total: capture.datagrams.length });
      await yieldNow();
      if (stale(id)) return;
      sliceStart = performance.now();
    }
  }
  chunk.flush();
  finish(id, summary);
  summary.ms = Math.round(performance.now() - started);
  post({ t: 'done', id, summary });
}

/** Decodes one datagram into rows (a malformed tail is one more row). */
function addDatagram(di: number, chunk: ChunkBuilder, summary: LoadSummary): void {
  const { datagrams, rows, conv } = session;
  const d = datagrams[di]!;
  if (d.family !== undefined) return addOther(di, chunk, summary);
  const r = decode(d.bytes);
  const dir = dirOf(d);
  const time = d.time ?? Number.NaN;
  r.messages.forEach((m, i) => {
    const len = Math.min(m.header.len, d.bytes.length - m.offset);
    const row = rows.length;
    rows.push({ dgram: di, off: m.offset, len, node: i, malformed: false });
    const probe = conv.add(row, m, dir, time);
    let status: number = m.kind === 'error' ? Status.KernelError : m.kind === 'ack' ? Status.Ok : Status.Neutral;
    if (probe) status = Status.Probe;
    if (status === Status.KernelError) summary.kernelErrors++;
    if (probe && m.kind === 'error') summary.probes++;
    const h = m.header;
    chunk.add({
      dgram: di,
      off: m.offset,
      len,
      seq: h.seq,
      pid: h.pid,
      flags: h.flags,
      time,
      dir,
      status,
      type: typeLabel(m),
      flagText: flagText(h.type, h.flags),
      info: info(m, probe),
    });
  });
  summary.messages += r.messages.length;
  if (r.error) {
    if (summary.firstMalformed < 0) summary.firstMalformed = rows.length;
    summary.malformed++;
    const row = malformedRow(di, r, time, dir);
    conv.skip(rows.length);
    rows.push({ dgram: di, off: row.off, len: row.len, node: r.messages.length, malformed: true });
    chunk.add(row);
  }
}

/** A datagram of another netlink family: one row per message, by its nlmsghdr alone. */
function addOther(di: number, chunk: ChunkBuilder, summary: LoadSummary): void {
  const { datagrams, rows, conv } = session;
  const d = datagrams[di]!;
  const family = d.family!;
  const { messages } = splitOther(d.bytes);
  messages.forEach((m, i) => {
    conv.skip(rows.length);
    rows.push({ dgram: di, off: m.offset, len: m.len, node: i, malformed: false, family });
    const info = `${familyName(family)} (family ${family}) message type ${m.type}, ${m.len - 16} payload bytes (not cttimeout)`;
    chunk.add({
      dgram: di,
      off: m.offset,
      len: m.len,
      seq: m.seq,
      pid: m.pid,
      flags: m.flags,
      time: d.time ?? Number.NaN,
      dir: dirOf(d),
      status: Status.Neutral,
      type: otherLabel(family, m.type),
      flagText: `0x${m.flags.toString(16).padStart(4, '0')}`,
      info,
    });
  });
  summary.messages += messages.length;
  summary.otherFamilies = (summary.otherFamilies ?? 0) + messages.length;
}

function child(n: InspectNode | undefined, l: string): InspectNode | undefined {
  return n?.children?.find((c) => c.label === l);
}

/** The row for where decoding stopped: the header fields that could be read, and why. */
function malformedRow(di: number, r: DecodeResult, time: number, dir: number): RowFields {
  const d = session.datagrams[di]!;
  const nodes = inspect(d.bytes).messages.slice(r.messages.length);
  const off = nodes.length ? Math.min(...nodes.map((n) => n.offset)) : r.error!.offset;
  const head = nodes[0];
  const bad = head && head.label !== 'decoding stopped' ? head : undefined;
  const hdr = child(bad, 'nlmsghdr');
  const num = (l: string) => {
    const v = child(hdr, l)?.value;
    return v === undefined ? 0 : Number(v.split(' ')[0]) >>> 0;
  };
  return {
    dgram: di,
    off,
    len: d.bytes.length - off,
    seq: num('nlmsg_seq'),
    pid: num('nlmsg_pid'),
    flags: num('nlmsg_flags') & 0xffff,
    time,
    dir,
    status: Status.Malformed,
    type: 'MALFORMED',
    flagText: bad ? (child(hdr, 'nlmsg_flags')?.value?.replace(/^0x[0-9a-f]+\s*/i, '') ?? '') : '',
    info: `decoding stopped at byte ${r.error!.offset}: ${r.error!.message.replace(/^at byte \d+: /, '')}`,
  };
}

/** The pairing of every row, and the summary's conversation numbers. */
function finish(id: number, summary: LoadSummary): void {
  const { conv, rows } = session;
  summary.latency = conv.summary();
  const n = rows.length;
  const peer = Int32Array.from(conv.peer.slice(0, n));
  const latency = Float64Array.from(conv.latency.slice(0, n));
  const mark = Uint8Array.from(conv.mark.slice(0, n));
  for (let i = 0; i < n; i++) {
    if (mark[i] === Mark.Unanswered && !conv.probes.has(i)) summary.unanswered++;
    if (mark[i] === Mark.Orphan) summary.orphans++;
  }
  post({ t: 'pairs', id, peer, latency, mark }, [peer.buffer, latency.buffer, mark.buffer]);
}
