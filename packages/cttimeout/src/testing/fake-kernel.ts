// A scripted fake kernel behind the transport's socket seam, in the spirit of mdlayher/netlink's
// nltest: each request message goes to a handler, whose answer the fake frames as the kernel
// does (seq and port id filled in, NLMSG_ERROR with the echoed header, NLMSG_DONE for dumps,
// NLM_F_MULTI on dump parts) and delivers asynchronously, honouring pause (a paused reader
// stops a dump). No root, no kernel state.
import { decode, isDump, splitMessages } from '../codec/node.js';
import { IPCTNL_MSG_TIMEOUT_DEFAULT_SET, IPCTNL_MSG_TIMEOUT_NEW, NLM_F } from '../generated/c-names.js';
import { CTA_TIMEOUT, E, NETLINK, NLA_F, NLMSG, NLMSGERR_ATTR, PROTOCOLS } from '../generated/table.js';
import { concatBytes, u16, u32 } from '../transport/bytes.js';
import { KernelModel, fromDecoded, type ModelOptions, type ModelReply } from './model.js';
import type { NetlinkSocket, OpenSocket, SocketEvent, SocketOpenOptions } from '../transport/socket.js';

/** A request as the fake kernel received it (seq and flags as the transport set them). */
export interface FakeRequest {
  bytes: Uint8Array;
  type: number;
  flags: number;
  seq: number;
  /** The socket's port id. */
  portId: number;
}

/** A reply message: nlmsg_type and payload; the fake writes the header. */
export interface FakeMessage {
  type: number;
  payload: Uint8Array;
}

/** What the kernel answers one request with. */
export interface FakeReply {
  /** Objects sent before the end (a GET's policy, a dump's policies). */
  messages?: FakeMessage[];
  /** Positive errno of the NLMSG_ERROR that ends the request (0 = ACK, when asked for). */
  errno?: number;
  /** Extended-ACK text on an error. */
  extAckMessage?: string;
}

/** Answers one request; undefined = the kernel never answers it. */
export type FakeHandler = (request: FakeRequest) => FakeReply | undefined;

export interface FakeKernelOptions {
  handler: FakeHandler;
  /** Messages per dump datagram (default 16; the kernel fills ~32 KiB). */
  dumpBatch?: number;
}

export interface FakeKernel {
  /** Pass as `socket` to NetlinkTransport.open or CtTimeout.open. */
  readonly socket: OpenSocket;
  /** Every request received, in order, over all sockets. */
  readonly requests: FakeRequest[];
  /** Sockets open now. */
  readonly openSockets: number;
}

function header(len: number, type: number, flags: number, seq: number, pid: number): Uint8Array {
  const out = new Uint8Array((len + 3) & ~3);
  const v = new DataView(out.buffer);
  v.setUint32(0, len, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, pid, true);
  return out;
}

function frame(m: FakeMessage, flags: number, seq: number, pid: number): Uint8Array {
  const out = header(NETLINK.NLMSG_HDRLEN + m.payload.length, m.type, flags, seq, pid);
  out.set(m.payload, NETLINK.NLMSG_HDRLEN);
  return out;
}

/** NLMSG_ERROR: -errno, the request's header, and the extended-ACK text if any. */
function errorMessage(req: FakeRequest, errno: number, extAck: string | undefined): Uint8Array {
  const text = extAck === undefined ? undefined : new TextEncoder().encode(`${extAck}\0`);
  const tlv = text ? (NETLINK.NLA_HDRLEN + text.length + 3) & ~3 : 0;
  // struct nlmsgerr: the header, the negative errno, the request's header; then the TLVs.
  const hdr = NETLINK.NLMSG_HDRLEN;
  const out = header(hdr + 4 + hdr + tlv, NLMSG.ERROR, NLM_F.CAPPED | (text ? NLM_F.ACK_TLVS : 0), req.seq, req.portId);
  const v = new DataView(out.buffer);
  v.setInt32(hdr, -errno, true);
  out.set(req.bytes.subarray(0, hdr), hdr + 4);
  if (text) {
    const at = hdr + 4 + hdr;
    v.setUint16(at, NETLINK.NLA_HDRLEN + text.length, true);
    v.setUint16(at + 2, NLMSGERR_ATTR.MSG, true);
    out.set(text, at + NETLINK.NLA_HDRLEN);
  }
  return out;
}

function doneMessage(req: FakeRequest, errno: number): Uint8Array {
  // NLMSG_DONE carries the dump's status as an int after the header.
  const out = header(NETLINK.NLMSG_HDRLEN + 4, NLMSG.DONE, NLM_F.MULTI, req.seq, req.portId);
  new DataView(out.buffer).setInt32(NETLINK.NLMSG_HDRLEN, -errno, true);
  return out;
}

/** The chunk events for one request's reply, one per datagram, as the native socket makes them. */
function replyEvents(req: FakeRequest, reply: FakeReply, dumpBatch: number): SocketEvent[] {
  const dump = isDump(req.type, req.flags);
  const errno = reply.errno ?? 0;
  const objects = (reply.messages ?? []).map((m) => frame(m, NLM_F.MULTI, req.seq, req.portId));
  const datagrams: Uint8Array[][] = [];
  for (let i = 0; i < objects.length; i += dump ? dumpBatch : 1) datagrams.push(objects.slice(i, i + (dump ? dumpBatch : 1)));
  const chunk = (parts: Uint8Array[], terminal: boolean, extAckMessage?: string): SocketEvent => ({
    kind: 'chunk',
    seq: req.seq,
    data: concatBytes(parts),
    terminal,
    errno: terminal ? errno : 0,
    ...(extAckMessage !== undefined ? { extAckMessage } : {}),
  });
  const events = datagrams.map((d) => chunk(d, false));
  // A dump ends with DONE (errors too, as DONE's status, unless it failed before starting);
  // anything else with NLMSG_ERROR when it failed or asked for an ACK.
  if (dump && (errno === 0 || objects.length > 0)) events.push(chunk([doneMessage(req, errno)], true));
  else if (errno !== 0 || req.flags & NLM_F.ACK) events.push(chunk([errorMessage(req, errno, reply.extAckMessage)], true, reply.extAckMessage));
  return events;
}

class FakeSocket implements NetlinkSocket {
  readonly portId: number;
  #paused = false;
  #closed = false;
  #scheduled = false;
  #receiveBuffer = 2 * 1024 * 1024;
  readonly #outbox: SocketEvent[] = [];
  #sent = 0;
  #received = 0;

  constructor(
    portId: number,
    private readonly kernel: { handle(r: FakeRequest): FakeReply | undefined; dumpBatch: number; log: FakeRequest[]; closed(): void },
    private readonly onEvents: (events: SocketEvent[]) => void,
  ) {
    this.portId = portId;
  }

  send(data: Uint8Array): void {
    if (this.#closed) throw new Error('the netlink socket is closed');
    this.#sent++;
    // The kernel stops at a malformed header.
    for (const bytes of splitMessages(data.slice()).messages) {
      const req: FakeRequest = { bytes, type: u16(bytes, 4), flags: u16(bytes, 6), seq: u32(bytes, 8), portId: this.portId };
      this.kernel.log.push(req);
      const reply = req.type === NLMSG.NOOP ? {} : this.kernel.handle(req);
      if (reply) this.#outbox.push(...replyEvents(req, reply, this.kernel.dumpBatch));
    }
    this.#schedule();
  }

  setPaused(paused: boolean): void {
    this.#paused = paused;
    this.#schedule();
  }

  setReceiveBuffer(bytes: number): number {
    this.#receiveBuffer = Math.min(2 * bytes, 2 ** 31 - 1);
    return this.#receiveBuffer;
  }

  receiveBuffer(): number {
    return this.#receiveBuffer;
  }

  counters(): number[] {
    return [this.#sent, this.#received];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#outbox.length = 0;
    this.kernel.closed();
  }

  /** Delivers what is queued on a later turn, a few datagrams at a time, while not paused. */
  #schedule(): void {
    if (this.#scheduled || this.#closed || this.#paused || this.#outbox.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#closed || this.#paused) return;
      // One datagram at a time, as a reader would take them: a pause stops the very next one.
      for (let n = 0; n < 64 && this.#outbox.length > 0 && !this.#paused && !this.#closed; n++) {
        this.#received++;
        this.onEvents([this.#outbox.shift()!]);
      }
      this.#schedule();
    });
  }
}

/** A fake kernel answering with `handler`. */
export function fakeKernel(options: FakeKernelOptions): FakeKernel {
  const log: FakeRequest[] = [];
  let open = 0;
  let nextPort = 1_000_000;
  const state = {
    handle: options.handler,
    dumpBatch: Math.max(1, options.dumpBatch ?? 16),
    log,
    closed: () => void open--,
  };
  const socket: OpenSocket = async (_options: SocketOpenOptions, onEvents) => {
    open++;
    return new FakeSocket(nextPort++, state, onEvents);
  };
  return {
    socket,
    requests: log,
    get openSockets() {
      return open;
    },
  };
}

// ---- a ready cttimeout kernel on the model ----

// The codec decodes replies but encodes only requests, so the fake kernel frames its objects
// here (attribute numbers from the generated table).
const STATE_ATTRS = new Map<number, Map<string, number>>(PROTOCOLS.map((p) => [p.number, new Map<string, number>(p.states.map((s) => [s.name, s.attr]))]));

function attr(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array((4 + payload.length + 3) & ~3);
  const v = new DataView(out.buffer);
  v.setUint16(0, 4 + payload.length, true);
  v.setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}
const be = (n: number, bytes: 1 | 2 | 4): Uint8Array => {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (n >>> (8 * (bytes - 1 - i))) & 0xff;
  return out;
};

/** CTA_TIMEOUT_DATA: every state, as the kernel sends them (u32 big endian, attribute order). */
function dataAttr(l4proto: number, timeouts: Record<string, number>): Uint8Array {
  const attrs = STATE_ATTRS.get(l4proto);
  const parts = Object.entries(timeouts).map(([state, seconds]) => attr(attrs?.get(state) ?? 0, be(seconds, 4)));
  return attr(CTA_TIMEOUT.DATA | NLA_F.NESTED, concatBytes(parts));
}

/** One reply object of the model as the kernel frames it (nfgenmsg + attributes). */
function replyMessage(m: ModelReply['messages'][number]): FakeMessage {
  const nfgen = new Uint8Array(4);
  if (m.kind === 'defaults') {
    const payload = concatBytes([
      nfgen,
      attr(CTA_TIMEOUT.L3PROTO, be(m.l3proto, 2)),
      attr(CTA_TIMEOUT.L4PROTO, be(m.l4proto, 1)),
      dataAttr(m.l4proto, m.timeouts),
    ]);
    return { type: (NETLINK.NFNL_SUBSYS_CTNETLINK_TIMEOUT << 8) | IPCTNL_MSG_TIMEOUT_DEFAULT_SET, payload };
  }
  const p = m.policy;
  const name = new Uint8Array(p.name.length + 1);
  name.set(p.name);
  const payload = concatBytes([
    nfgen,
    attr(CTA_TIMEOUT.NAME, name),
    attr(CTA_TIMEOUT.L3PROTO, be(p.l3proto, 2)),
    attr(CTA_TIMEOUT.L4PROTO, be(p.l4proto, 1)),
    attr(CTA_TIMEOUT.USE, be(p.use, 4)),
    dataAttr(p.l4proto, p.timeouts),
  ]);
  return { type: (NETLINK.NFNL_SUBSYS_CTNETLINK_TIMEOUT << 8) | IPCTNL_MSG_TIMEOUT_NEW, payload };
}

/** The model's answer to one request message; EINVAL for what the kernel would not parse. */
export function modelHandler(model: KernelModel): FakeHandler {
  return (req) => {
    if (req.type >> 8 !== NETLINK.NFNL_SUBSYS_CTNETLINK_TIMEOUT) return { errno: E.EINVAL };
    const { messages, error } = decode(req.bytes);
    const m = messages[0];
    if (error || m?.kind !== 'timeout') return { errno: E.EINVAL };
    const reply = model.handle(fromDecoded(m));
    return { messages: reply.messages.map(replyMessage), errno: reply.errno };
  };
}

export interface CttimeoutKernel extends FakeKernel {
  /** The kernel state: policies, defaults, CT rules (attach/detach). */
  readonly model: KernelModel;
}

/** A fake kernel that keeps policies and defaults as Linux does (the model of PROTOCOL.md §2). */
export function cttimeoutKernel(options: ModelOptions & { dumpBatch?: number } = {}): CttimeoutKernel {
  const model = new KernelModel(options);
  return Object.assign(fakeKernel({ handler: modelHandler(model), ...(options.dumpBatch !== undefined ? { dumpBatch: options.dumpBatch } : {}) }), { model });
}
