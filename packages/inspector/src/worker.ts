// The decoding worker: reads the input (text or file), splits it into datagrams
// (readCapture), decodes every datagram with the WebAssembly codec in time-boxed slices, and
// streams message-list rows to the page with progress. It keeps the bytes; the page asks for
// one message's field tree (inspect) when it is selected. Nothing heavy runs on the page.
import { decode, headerNames, init, inspect, readCapture, type Datagram, type DecodedMessage, type InspectNode, type InspectTree } from 'cttimeout/codec';
import { Dir, Status, type Detail, type FromWorker, type LoadSummary, type RowChunk, type ToWorker } from './protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

interface RowRef {
  dgram: number;
  off: number;
  len: number;
  /** Index of the first inspect() top-level node of this row. */
  node: number;
  /** Malformed row: every node from `node` on. */
  malformed: boolean;
}

let current = 0;
let datagrams: Datagram[] = [];
let rows: RowRef[] = [];
const ready = init();

// Names the codec gives (via inspect) for a header type/flags combination: asked once each.
const labelIndex = new Map<string, number>();
let labels: string[] = [];
let newLabels: string[] = [];
function label(s: string): number {
  let i = labelIndex.get(s);
  if (i === undefined) {
    i = labels.length;
    labels.push(s);
    newLabels.push(s);
    labelIndex.set(s, i);
  }
  return i;
}
const flagNames = new Map<string, string>();
const echoNames = new Map<number, string>();

function child(n: InspectNode | undefined, l: string): InspectNode | undefined {
  return n?.children?.find((c) => c.label === l);
}

/** Learns the flag and echoed-request names of a message from the codec (once per pair). */
function learn(m: DecodedMessage): void {
  const key = `${m.header.type}:${m.header.flags}`;
  if (!flagNames.has(key)) {
    const names = headerNames(m.header.type, m.header.flags).flags.join('|');
    flagNames.set(key, names || `0x${m.header.flags.toString(16).padStart(4, '0')}`);
  }
  if ((m.kind === 'ack' || m.kind === 'error') && !echoNames.has(m.request.type)) {
    echoNames.set(m.request.type, headerNames(m.request.type, 0).type.replace(/^IPCTNL_MSG_TIMEOUT_/, ''));
  }
}

function typeLabel(m: DecodedMessage): string {
  switch (m.kind) {
    case 'timeout':
      return m.command ?? `0x${m.header.type.toString(16).padStart(4, '0')}`;
    case 'ack':
      return 'ACK';
    case 'error':
      return 'ERROR';
    case 'done':
      return 'DONE';
    case 'noop':
      return 'NOOP';
    case 'overrun':
      return 'OVERRUN';
    default:
      return `0x${m.header.type.toString(16).padStart(4, '0')}`;
  }
}

function info(m: DecodedMessage): string {
  switch (m.kind) {
    case 'timeout': {
      const parts: string[] = [];
      if (m.name !== undefined) parts.push(JSON.stringify(m.name));
      else if (m.command === 'GET') parts.push('all policies (dump)');
      else if (m.command === 'DELETE') parts.push('all policies (flush)');
      const fam = m.family ?? (m.l3proto !== undefined ? `l3 ${m.l3proto}` : undefined);
      const proto = m.protocol ?? (m.l4proto !== undefined ? `l4 ${m.l4proto}` : undefined);
      if (fam !== undefined || proto !== undefined) parts.push([fam, proto].filter(Boolean).join(' '));
      if (m.use !== undefined) parts.push(`use ${m.use}`);
      if (m.timeouts) {
        const e = Object.entries(m.timeouts);
        const shown = e.slice(0, 6).map(([k, v]) => `${k}=${v}`);
        if (e.length > 6) shown.push(`+${e.length - 6}`);
        if (shown.length) parts.push(shown.join(' '));
      }
      const unknown = (m.unknown?.length ?? 0) + (m.unknownTimeouts?.length ?? 0);
      if (unknown) parts.push(`${unknown} unknown attribute${unknown > 1 ? 's' : ''}`);
      return parts.join('  ·  ');
    }
    case 'ack':
      return `ok  ·  for ${echoNames.get(m.request.type) ?? '?'} seq ${m.request.seq}${m.extAck?.message ? `  ·  ${JSON.stringify(m.extAck.message)}` : ''}`;
    case 'error': {
      let s = `${m.code ?? `errno ${m.errno}`}: ${m.message}  ·  for ${echoNames.get(m.request.type) ?? '?'} seq ${m.request.seq}`;
      if (m.extAck?.message) s += `  ·  ${JSON.stringify(m.extAck.message)}`;
      if (m.extAck?.offset !== undefined) s += ` at request byte ${m.extAck.offset}`;
      return s;
    }
    case 'done':
      return m.status ? `end of dump, status ${m.status}` : 'end of dump';
    case 'other':
      return `not cttimeout: netlink type 0x${m.header.type.toString(16).padStart(4, '0')}, ${m.data.length / 2} payload bytes`;
    default:
      return '';
  }
}

class ChunkBuilder {
  private n = 0;
  private c: RowChunk;
  constructor(
    private start: number,
    private cap: number,
  ) {
    this.c = ChunkBuilder.alloc(start, cap);
  }
  static alloc(start: number, cap: number): RowChunk {
    return {
      start,
      count: 0,
      dgram: new Uint32Array(cap),
      off: new Uint32Array(cap),
      len: new Uint32Array(cap),
      seq: new Uint32Array(cap),
      pid: new Uint32Array(cap),
      flags: new Uint16Array(cap),
      time: new Float64Array(cap),
      dir: new Uint8Array(cap),
      status: new Uint8Array(cap),
      typeLab: new Uint16Array(cap),
      flagLab: new Uint16Array(cap),
      infoText: '',
      infoOff: new Uint32Array(cap + 1),
      newLabels: [],
    };
  }
  private info: string[] = [];
  private infoLen = 0;
  get size(): number {
    return this.n;
  }
  add(r: { dgram: number; off: number; len: number; seq: number; pid: number; flags: number; time: number; dir: number; status: number; type: string; flagText: string; info: string }): void {
    const c = this.c;
    const i = this.n++;
    c.dgram[i] = r.dgram;
    c.off[i] = r.off;
    c.len[i] = r.len;
    c.seq[i] = r.seq;
    c.pid[i] = r.pid;
    c.flags[i] = r.flags;
    c.time[i] = r.time;
    c.dir[i] = r.dir;
    c.status[i] = r.status;
    c.typeLab[i] = label(r.type);
    c.flagLab[i] = label(r.flagText);
    this.info.push(r.info);
    c.infoOff[i] = this.infoLen;
    this.infoLen += r.info.length;
    c.infoOff[i + 1] = this.infoLen;
  }
  flush(id: number): void {
    if (this.n === 0) return;
    const c = this.c;
    const n = this.n;
    const out: RowChunk = {
      start: this.start,
      count: n,
      dgram: c.dgram.slice(0, n),
      off: c.off.slice(0, n),
      len: c.len.slice(0, n),
      seq: c.seq.slice(0, n),
      pid: c.pid.slice(0, n),
      flags: c.flags.slice(0, n),
      time: c.time.slice(0, n),
      dir: c.dir.slice(0, n),
      status: c.status.slice(0, n),
      typeLab: c.typeLab.slice(0, n),
      flagLab: c.flagLab.slice(0, n),
      infoText: this.info.join(''),
      infoOff: c.infoOff.slice(0, n + 1),
      newLabels,
    };
    newLabels = [];
    this.info = [];
    this.infoLen = 0;
    post({ t: 'rows', id, chunk: out }, [
      out.dgram.buffer,
      out.off.buffer,
      out.len.buffer,
      out.seq.buffer,
      out.pid.buffer,
      out.flags.buffer,
      out.time.buffer,
      out.dir.buffer,
      out.status.buffer,
      out.typeLab.buffer,
      out.flagLab.buffer,
      out.infoOff.buffer,
    ]);
    this.start += n;
    this.n = 0;
    this.c = ChunkBuilder.alloc(this.start, this.cap);
  }
}

const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

async function load(id: number, input: { text: string } | { file: Blob }, name?: string): Promise<void> {
  const started = performance.now();
  await ready;
  let source: string | Uint8Array;
  if ('file' in input) {
    post({ t: 'progress', id, phase: 'reading', done: 0, total: input.file.size });
    source = new Uint8Array(await input.file.arrayBuffer());
  } else {
    source = input.text;
  }
  if (id !== current) return;
  post({ t: 'progress', id, phase: 'parsing', done: 0, total: typeof source === 'string' ? source.length : source.length });
  let capture;
  try {
    capture = readCapture(source);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    post({ t: 'fail', id, code: err.code ?? 'ERR_CAPTURE_FORMAT', message: err.message ?? String(e) });
    return;
  }
  datagrams = capture.datagrams;
  rows = [];
  // The page starts a fresh label table with every load.
  labels = [];
  newLabels = [];
  labelIndex.clear();
  const total = datagrams.length;
  let bytes = 0;
  for (const d of datagrams) bytes += d.bytes.length;
  const summary: LoadSummary = {
    format: capture.format,
    datagrams: total,
    messages: 0,
    kernelErrors: 0,
    malformed: 0,
    firstMalformed: -1,
    bytes,
    ms: 0,
    times: datagrams.some((d) => d.time !== undefined),
    t0: datagrams.find((d) => d.time !== undefined)?.time ?? 0,
  };
  if (name !== undefined) summary.name = name;
  if (capture.skipped) summary.skipped = capture.skipped;
  if (capture.error) summary.captureError = capture.error;
  const chunk = new ChunkBuilder(0, 4096);
  let sliceStart = performance.now();
  for (let di = 0; di < total; di++) {
    const d = datagrams[di]!;
    const r = decode(d.bytes);
    const dir = d.direction === 'sent' ? Dir.Sent : d.direction === 'received' ? Dir.Received : Dir.Unknown;
    const time = d.time ?? Number.NaN;
    let tree: InspectTree | undefined;
    r.messages.forEach((m, i) => {
      learn(m);
      const len = Math.min(m.header.len, d.bytes.length - m.offset);
      rows.push({ dgram: di, off: m.offset, len, node: i, malformed: false });
      const status = m.kind === 'error' ? Status.KernelError : m.kind === 'ack' ? Status.Ok : Status.Neutral;
      if (status === Status.KernelError) summary.kernelErrors++;
      chunk.add({
        dgram: di,
        off: m.offset,
        len,
        seq: m.header.seq,
        pid: m.header.pid,
        flags: m.header.flags,
        time,
        dir,
        status,
        type: typeLabel(m),
        flagText: flagNames.get(`${m.header.type}:${m.header.flags}`) ?? '',
        info: info(m),
      });
    });
    summary.messages += r.messages.length;
    if (r.error) {
      tree ??= inspect(d.bytes);
      const nodes = tree.messages.slice(r.messages.length);
      const off = nodes.length ? Math.min(...nodes.map((n) => n.offset)) : r.error.offset;
      const head = nodes[0];
      const bad = head && head.label !== 'decoding stopped' ? head : undefined;
      const hdr = child(bad, 'nlmsghdr');
      const num = (l: string) => {
        const v = child(hdr, l)?.value;
        return v === undefined ? 0 : Number(v.split(' ')[0]) >>> 0;
      };
      if (summary.firstMalformed < 0) summary.firstMalformed = rows.length;
      rows.push({ dgram: di, off, len: d.bytes.length - off, node: r.messages.length, malformed: true });
      summary.malformed++;
      chunk.add({
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
        info: `decoding stopped at byte ${r.error.offset}: ${r.error.message.replace(/^at byte \d+: /, '')}`,
      });
    }
    if (chunk.size >= 4096 || performance.now() - sliceStart > 40) {
      chunk.flush(id);
      post({ t: 'progress', id, phase: 'decoding', done: di + 1, total });
      await yieldNow();
      if (id !== current) return;
      sliceStart = performance.now();
    }
  }
  chunk.flush(id);
  summary.ms = Math.round(performance.now() - started);
  post({ t: 'done', id, summary });
}

function sortNodes(nodes: InspectNode[]): InspectNode[] {
  // Byte order, as the hex pane reads (the codec lists unknown attributes after known ones).
  return nodes
    .map((n) => (n.children ? { ...n, children: sortNodes(n.children) } : n))
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
}

function detail(row: number): Detail | undefined {
  const r = rows[row];
  if (!r) return undefined;
  const d = datagrams[r.dgram]!;
  const tree = inspect(d.bytes);
  const nodes = r.malformed ? tree.messages.slice(r.node) : tree.messages.slice(r.node, r.node + 1);
  const out: Detail = {
    row,
    bytes: d.bytes.slice(r.off, r.off + r.len),
    base: r.off,
    datagramLength: d.bytes.length,
    dgram: r.dgram,
    nodes: sortNodes(nodes),
  };
  if (d.source !== undefined) out.source = d.source;
  if (r.malformed && tree.error) out.error = tree.error;
  return out;
}

const HEX = '0123456789abcdef';
function exportText(limit: number): { text?: string; bytes: number } {
  let bytes = 0;
  for (const d of datagrams) bytes += d.bytes.length;
  if (bytes > limit || datagrams.length === 0) return { bytes };
  const lines: string[] = [];
  for (const d of datagrams) {
    lines.push(d.direction ?? '-');
    let s = '';
    for (const b of d.bytes) s += HEX[b >> 4]! + HEX[b & 15]!;
    lines.push(s);
  }
  return { text: lines.join('\n'), bytes };
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.t === 'load') {
    current = m.id;
    const run = 'file' in m ? load(m.id, { file: m.file }, m.name) : load(m.id, { text: m.text }, m.name);
    run.catch((err: unknown) => post({ t: 'fail', id: m.id, code: 'ERR_INTERNAL', message: String(err) }));
  } else if (m.t === 'detail') {
    void ready.then(() => {
      const d = detail(m.row);
      if (d) post({ t: 'detail', id: m.id, req: m.req, detail: d }, [d.bytes.buffer]);
    });
  } else if (m.t === 'export') {
    post({ t: 'export', id: m.id, ...exportText(m.limit) });
  }
};
