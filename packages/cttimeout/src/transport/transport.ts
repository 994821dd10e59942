// The typed netlink transport over the native socket. It owns what the kernel leaves to the
// client: sequence numbers, matching replies to requests, when a request is finished, flow
// control against the receive buffer, ENOBUFS recovery, timeouts, aborts and streams.
// It knows netlink framing, not cttimeout policies.
import { CtTimeoutError, errnoName, kernelError } from '../errors.js';
import { loadNative, type NativeEvent, type NativeOpenError, type NativeSocket } from './native.js';

const NLM_F_REQUEST = 0x01;
const NLM_F_ACK = 0x04;
const NLM_F_DUMP = 0x300;
const NLMSG_NOOP = 1;
const NFNL_SUBSYS_CTNETLINK_TIMEOUT = 8;
const ENOBUFS = 105;
const EINVAL = 22;

/**
 * Receive-buffer accounting (measured on 6.18, see the report in PROTOCOL.md §10): the kernel
 * charges each reply skb's true size, ~835 B for an ACK and ~1,680 B for a GET's object plus
 * its ACK. A running dump holds at most half the buffer plus one 32 KiB datagram (it only
 * advances while the queue is under half full). So requests get the other half, less a margin,
 * at REQUEST_COST each; past that they wait in the queue instead of being dropped with ENOBUFS.
 */
const REQUEST_COST = 2048;
const MARGIN = 64 * 1024;
/** Largest receive buffer the transport asks for on its own. */
const MAX_RECEIVE_BUFFER = 64 * 1024 * 1024;
/** Largest sendmsg: below the default send buffer (212,960 B), so it never fails EMSGSIZE. */
const MAX_SENDMSG = 192 * 1024;
/** Requests handed to the I/O thread per event-loop turn. */
const FLUSH_SLICE = 1000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_HIGH_WATER = 8;
/** A stream consumer gets the chunks already buffered for at most this long before yielding. */
const YIELD_MS = 4;
/** How many abandoned sequence numbers are remembered while a late reply may still come. */
const MAX_ZOMBIES = 65_536;

export interface TransportOptions {
  /** Network namespace: a path (/proc/PID/ns/net, /run/netns/NAME) or a name (= /run/netns/NAME). */
  netns?: string;
  /** Initial SO_RCVBUF in bytes (default 1 MiB); grown automatically with the requests in flight. */
  receiveBufferBytes?: number;
  /** pcap file that receives every datagram sent and received (default: env CTTIMEOUT_CAPTURE). */
  capture?: string;
  /** Default per-request timeout in ms (default 30,000; 0 = none). */
  timeoutMs?: number;
  /**
   * Probe the kernel when opening (default true): a GET of the name "" tells a missing cttimeout
   * subsystem (ERR_NO_CTTIMEOUT) and a missing CAP_NET_ADMIN (EPERM) apart right away.
   */
  probe?: boolean;
}

/** Options used by the tests only; not part of the public API. */
export interface InternalTransportOptions extends TransportOptions {
  /** nfnetlink subsystem the probe asks (default 8, cttimeout). */
  _probeSubsystem?: number;
  /** Create the socket as this uid/gid (helper thread only): the kernel then answers EPERM. */
  _unprivileged?: { uid: number; gid: number };
  /** User-space read buffer size (tiny values provoke MSG_TRUNC). */
  _readBufferBytes?: number;
  /** Send everything at once, ignoring the receive-buffer window (to provoke ENOBUFS). */
  _noFlowControl?: boolean;
  _platform?: string;
  _addonPaths?: string[];
}

export interface RequestOptions {
  /**
   * How long to wait for the kernel's next reply to this request, in ms (the clock restarts with
   * each chunk, so a long dump does not time out while it is flowing). 0 = no timeout.
   */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Named in errors ('add', 'list', ...). */
  operation?: string;
}

export interface StreamOptions extends RequestOptions {
  /** Chunks buffered before the transport stops reading the socket (default 8). */
  highWaterMark?: number;
}

/** Counters for monitoring and tests. */
export interface TransportStats {
  /** Requests sent whose last reply has not come yet (abandoned ones included). */
  inFlight: number;
  /** Requests waiting to be sent (flow control, or behind a dump). */
  queued: number;
  /** How many requests the receive buffer has room for. */
  window: number;
  /** SO_RCVBUF as the kernel reports it. */
  receiveBufferBytes: number;
  /** Reading is stopped because a stream's consumer is behind (backpressure). */
  readingPaused: boolean;
  /** Bytes received for streams and not yet taken by their consumers. */
  streamBufferedBytes: number;
  /** ENOBUFS reports from the kernel. */
  overruns: number;
  /** Datagrams cut by MSG_TRUNC. */
  truncated: number;
  /** Datagrams or messages not from the kernel or not for this socket. */
  dropped: number;
  /** Replies to requests whose caller had given up (timeout, abort). */
  lateReplies: number;
  datagramsSent: number;
  datagramsReceived: number;
}

interface Req {
  seq: number;
  bytes: Uint8Array;
  operation: string;
  dump: boolean;
  state: 'queued' | 'sent';
  internal: boolean;
  received: number;
  timeoutMs: number;
  timer?: ReturnType<typeof setTimeout>;
  /** Receives each chunk; settle() ends the request (error, or undefined for success). */
  onChunk: (chunk: Uint8Array) => void;
  settle: (error: CtTimeoutError | undefined) => void;
  detach?: () => void;
}

interface Zombie {
  dump: boolean;
}

/** A FIFO with O(1) shift (Array.prototype.shift is O(n): quadratic for big batches). */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  push(x: T): void {
    this.#items.push(x);
  }
  peek(): T | undefined {
    return this.#items[this.#head];
  }
  shift(): T | undefined {
    const x = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return x;
  }
  unshift(x: T): void {
    if (this.#head > 0) this.#items[--this.#head] = x;
    else this.#items.unshift(x);
  }
  remove(x: T): void {
    const i = this.#items.indexOf(x, this.#head);
    if (i >= 0) this.#items.splice(i, 1);
  }
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

function transportError(code: string, message: string, extra: { operation?: string; seq?: number; errno?: number; cause?: unknown } = {}): CtTimeoutError {
  return new CtTimeoutError(code, message, { source: 'transport', ...extra });
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/**
 * Cuts a buffer of back-to-back messages at their nlmsg_len (views, no copy). A malformed tail
 * becomes one last piece, which request() then rejects with ERR_BAD_ARGUMENT.
 */
function splitMessages(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < buf.length) {
    const len = buf.length - at >= 16 ? readU32(buf, at) : 0;
    if (len < 16 || at + len > buf.length) {
      out.push(buf.subarray(at));
      break;
    }
    out.push(buf.subarray(at, at + len));
    at += (len + 3) & ~3;
  }
  return out;
}

/** A GET of the policy named "" to `subsystem`: ENOENT (or the policy) if cttimeout is there. */
function probeMessage(subsystem: number): Uint8Array {
  const b = new Uint8Array(28);
  const v = new DataView(b.buffer);
  v.setUint32(0, 28, true);
  v.setUint16(4, (subsystem << 8) | 1, true);
  v.setUint16(6, NLM_F_REQUEST | NLM_F_ACK, true);
  v.setUint16(20, 5, true); // CTA_TIMEOUT_NAME, len 5: "\0" + 3 bytes padding
  v.setUint16(22, 1, true);
  return b;
}

export class NetlinkTransport {
  #sock: NativeSocket;
  #portId: number;
  #defaultTimeout: number;
  #noFlowControl: boolean;
  #closed = false;
  #fatal: CtTimeoutError | undefined;
  #nextSeq: number;
  readonly #pending = new Map<number, Req>();
  readonly #queue = new Fifo<Req>();
  readonly #zombies = new Map<number, Zombie>();
  #inFlight = 0;
  #dumpRunning = false;
  #flushScheduled = false;
  #window = 0;
  #receiveBuffer = 0;
  #pauses = 0;
  #cannotGrow = false;
  #streamBytes = 0;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #overruns = 0;
  #truncated = 0;
  #dropped = 0;
  #lateReplies = 0;

  private constructor(sock: NativeSocket, options: InternalTransportOptions) {
    this.#sock = sock;
    this.#portId = sock.portId;
    this.#defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#noFlowControl = options._noFlowControl ?? false;
    this.#nextSeq = 1 + Math.floor(Math.random() * 0x7fffffff);
    this.#setReceiveBuffer(sock.receiveBuffer());
  }

  /** Opens a NETLINK_NETFILTER socket (in another network namespace if asked). */
  static async open(options: TransportOptions = {}): Promise<NetlinkTransport> {
    const o = options as InternalTransportOptions;
    const native = loadNative({ platform: o._platform, paths: o._addonPaths });
    let self: NetlinkTransport | undefined;
    const early: NativeEvent[][] = [];
    const result = await native.open(
      {
        netns: o.netns,
        receiveBufferBytes: o.receiveBufferBytes,
        readBufferBytes: o._readBufferBytes,
        capture: o.capture ?? process.env.CTTIMEOUT_CAPTURE,
        unprivilegedUid: o._unprivileged?.uid,
        unprivilegedGid: o._unprivileged?.gid,
      },
      (events: NativeEvent[]) => (self ? self.#onEvents(events) : early.push(events)),
    );
    if (!('portId' in result)) {
      const e = result as NativeOpenError;
      throw transportError(e.code, `open: ${e.message}`, { operation: 'open', errno: e.errno ?? undefined });
    }
    self = new NetlinkTransport(result, o);
    for (const events of early) self.#onEvents(events);
    if (o.probe !== false) await self.#probe(o._probeSubsystem ?? NFNL_SUBSYS_CTNETLINK_TIMEOUT);
    return self;
  }

  /** The kernel-assigned netlink port id of this socket. */
  get portId(): number {
    return this.#portId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one netlink message and resolves with its reply chunks in arrival order, the last one
   * ending with the ACK or NLMSG_DONE. A chunk is one or more whole messages of this request.
   * The transport writes the sequence number (bytes 8..12) and sets NLM_F_REQUEST|NLM_F_ACK, so
   * it always sees the end of a request (a single GET is answered MULTI without DONE); the
   * caller's bytes are not modified. A kernel error rejects with its errno name as `code`.
   */
  request(message: Uint8Array, options: RequestOptions = {}): Promise<Uint8Array[]> {
    return new Promise((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      const r = this.#enqueue(message, options, (c) => chunks.push(c), (err) => (err ? reject(err) : resolve(chunks)));
      if (r) this.#armTimer(r);
    });
  }

  /**
   * Sends several messages in one sendmsg (split only where the receive buffer or the send size
   * limit requires it). Each request settles on its own; none is lost. `messages` is an array,
   * or one buffer of messages back to back (as the codec's encodeBatch makes it).
   */
  requestBatch(messages: readonly Uint8Array[] | Uint8Array, options: RequestOptions = {}): Promise<PromiseSettledResult<Uint8Array[]>[]> {
    const list = messages instanceof Uint8Array ? splitMessages(messages) : messages;
    return Promise.allSettled(list.map((m) => this.request(m, options)));
  }

  /**
   * The replies to one request as an async iterable of chunks, for dumps too large to hold at
   * once. Reading stops while more than `highWaterMark` chunks wait for the consumer; the kernel
   * then stops producing the dump, so memory stays bounded (other requests on this socket wait
   * meanwhile: use a second transport for concurrent work during a slow dump). Breaking out of
   * the loop abandons the rest of the dump, which is drained and dropped.
   */
  stream(message: Uint8Array, options: StreamOptions = {}): AsyncIterable<Uint8Array> {
    const hwm = Math.max(1, options.highWaterMark ?? DEFAULT_HIGH_WATER);
    const buffer: Uint8Array[] = [];
    let req: Req | undefined;
    let started = false;
    let finished = false;
    let failure: CtTimeoutError | undefined;
    let paused = false;
    let wake: (() => void) | undefined;
    const setPaused = (p: boolean) => {
      if (p !== paused) {
        paused = p;
        this.#pause(p ? 1 : -1);
      }
    };
    const drop = () => {
      for (const c of buffer) this.#streamBytes -= c.length;
      buffer.length = 0;
    };
    const start = () => {
      started = true;
      req = this.#enqueue(
        message,
        options,
        (c) => {
          buffer.push(c);
          this.#streamBytes += c.length;
          if (buffer.length >= hwm) setPaused(true);
          wake?.();
        },
        (err) => {
          finished = true;
          failure = err;
          // A kernel error (DONE with an errno) comes after valid chunks: deliver them first.
          // Close, timeout or abort end the stream at once.
          if (err?.source === 'transport') drop();
          setPaused(false);
          wake?.();
        },
      );
    };
    // A for-await loop over buffered chunks runs on microtasks only and would starve timers
    // and I/O: give the event loop a turn at least every YIELD_MS of consuming.
    let turn = performance.now();
    const iterator: AsyncIterator<Uint8Array> = {
      next: async () => {
        if (!started) start();
        if (buffer.length > 0 && performance.now() - turn > YIELD_MS) {
          await new Promise((r) => setImmediate(r));
          turn = performance.now();
        }
        for (;;) {
          const c = buffer.shift();
          if (c) {
            this.#streamBytes -= c.length;
            if (paused && buffer.length <= hwm >> 1) setPaused(false);
            return { value: c, done: false };
          }
          if (failure) throw failure;
          if (finished) return { value: undefined, done: true };
          // Only waiting on the kernel counts against the timeout, not a slow consumer.
          if (req) this.#armTimer(req);
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          turn = performance.now(); // woken from a native callback: the loop had its turn
          if (req) this.#disarmTimer(req);
        }
      },
      return: async () => {
        if (req && !finished) this.#abandon(req, undefined);
        finished = true;
        drop();
        setPaused(false);
        return { value: undefined, done: true };
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  /** Rejects everything pending with ERR_CLOSED, stops the I/O thread and closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.clear();
    for (const r of [...this.#pending.values()]) this.#finish(r, this.#closedError(r));
    this.#zombies.clear();
    this.#updateKeepAlive();
    await this.#sock.close();
  }

  stats(): TransportStats {
    const [sent, received] = this.#closed ? [0, 0] : this.#sock.counters();
    return {
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      window: this.#window,
      receiveBufferBytes: this.#receiveBuffer,
      readingPaused: this.#pauses > 0,
      streamBufferedBytes: this.#streamBytes,
      overruns: this.#overruns,
      truncated: this.#truncated,
      dropped: this.#dropped,
      lateReplies: this.#lateReplies,
      datagramsSent: sent ?? 0,
      datagramsReceived: received ?? 0,
    };
  }

  // ---- internals ----

  #closedError(r: Req): CtTimeoutError {
    return transportError('ERR_CLOSED', `${r.operation}: the netlink transport was closed`, { operation: r.operation, seq: r.seq });
  }

  async #probe(subsystem: number): Promise<void> {
    try {
      await this.request(probeMessage(subsystem), { operation: 'open', timeoutMs: this.#defaultTimeout || DEFAULT_TIMEOUT_MS });
    } catch (e) {
      const err = e as CtTimeoutError;
      if (err.code === 'ENOENT') return;
      await this.close();
      if (err.errno === EINVAL) {
        throw transportError(
          'ERR_NO_CTTIMEOUT',
          `open: the kernel has no conntrack timeout subsystem (nfnetlink subsystem ${subsystem} answered EINVAL); it needs CONFIG_NF_CT_NETLINK_TIMEOUT (module nfnetlink_cttimeout)`,
          { operation: 'open', errno: EINVAL, cause: err },
        );
      }
      if (err.code === 'EPERM') {
        throw new CtTimeoutError('EPERM', 'open: Operation not permitted (EPERM): the kernel requires CAP_NET_ADMIN in the network namespace for every cttimeout request', {
          source: 'kernel',
          errno: 1,
          operation: 'open',
          seq: err.seq,
          cause: err,
        });
      }
      throw err;
    }
  }

  #allocSeq(): number {
    for (;;) {
      const s = this.#nextSeq;
      this.#nextSeq = this.#nextSeq >= 0xffffffff ? 1 : this.#nextSeq + 1;
      if (!this.#pending.has(s) && !this.#zombies.has(s)) return s;
    }
  }

  /** Validates and queues a request; settles at once (and returns undefined) if it cannot go. */
  #enqueue(message: Uint8Array, options: RequestOptions, onChunk: (c: Uint8Array) => void, settle: (e: CtTimeoutError | undefined) => void, internal = false): Req | undefined {
    const bad = (m: string) => settle(new CtTimeoutError('ERR_BAD_ARGUMENT', `request: ${m}`, { source: 'usage', operation: options.operation }));
    if (!(message instanceof Uint8Array)) return void bad('the message must be a Uint8Array');
    if (message.length < 16 || readU32(message, 0) !== message.length) {
      return void bad(`expected exactly one netlink message (nlmsg_len = byte length, at least 16); got ${message.length} bytes with nlmsg_len ${message.length >= 4 ? readU32(message, 0) : 'missing'}`);
    }
    const type = message[4]! | (message[5]! << 8);
    const flags = message[6]! | (message[7]! << 8);
    const operation = options.operation ?? `nlmsg_type 0x${type.toString(16).padStart(4, '0')}`;
    if (this.#closed || this.#fatal) {
      settle(this.#fatal ?? transportError('ERR_CLOSED', `${operation}: the netlink transport is closed`, { operation }));
      return undefined;
    }
    const signal = options.signal;
    if (signal?.aborted) {
      settle(transportError('ERR_ABORTED', `${operation}: aborted`, { operation, cause: signal.reason }));
      return undefined;
    }
    const seq = this.#allocSeq();
    const bytes = message.slice();
    const v = new DataView(bytes.buffer);
    v.setUint16(6, flags | NLM_F_REQUEST | NLM_F_ACK, true);
    v.setUint32(8, seq, true);
    const r: Req = {
      seq,
      bytes,
      operation,
      // The kernel answers a dump with NLMSG_DONE and never ACKs it, and allows one per socket.
      dump: (flags & NLM_F_DUMP) === NLM_F_DUMP && type !== NLMSG_NOOP,
      state: 'queued',
      internal,
      received: 0,
      timeoutMs: options.timeoutMs ?? this.#defaultTimeout,
      onChunk,
      settle,
    };
    if (signal) {
      const onAbort = () => this.#abandon(r, transportError('ERR_ABORTED', `${operation}: aborted`, { operation, seq, cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      r.detach = () => signal.removeEventListener('abort', onAbort);
    }
    this.#pending.set(seq, r);
    this.#queue.push(r);
    this.#updateKeepAlive();
    this.#scheduleFlush();
    return r;
  }

  #armTimer(r: Req): void {
    if (r.timer || !(r.timeoutMs > 0) || !Number.isFinite(r.timeoutMs) || !this.#pending.has(r.seq)) return;
    r.timer = setTimeout(() => {
      r.timer = undefined;
      this.#abandon(r, transportError('ERR_TIMEOUT', `${r.operation}: no reply from the kernel within ${r.timeoutMs} ms`, { operation: r.operation, seq: r.seq }));
    }, r.timeoutMs);
  }

  #disarmTimer(r: Req): void {
    if (r.timer) clearTimeout(r.timer);
    r.timer = undefined;
  }

  /** The caller gives up (timeout, abort, stream closed). A sent request's seq stays reserved. */
  #abandon(r: Req, err: CtTimeoutError | undefined): void {
    if (this.#pending.get(r.seq) !== r) return;
    if (r.state === 'queued') {
      this.#queue.remove(r);
    } else {
      this.#zombies.set(r.seq, { dump: r.dump });
      if (this.#zombies.size > MAX_ZOMBIES) {
        // Forget the oldest: its reply is long lost. Keep the counters honest.
        const [seq, z] = this.#zombies.entries().next().value as [number, Zombie];
        this.#zombies.delete(seq);
        this.#ended(z.dump);
      }
    }
    this.#pending.delete(r.seq);
    this.#cleanup(r);
    r.settle(err);
    this.#scheduleFlush();
  }

  #cleanup(r: Req): void {
    this.#disarmTimer(r);
    r.detach?.();
    r.detach = undefined;
    this.#updateKeepAlive();
  }

  /** A sent request (or zombie) got its last reply, or is known to never get it. */
  #ended(dump: boolean): void {
    this.#inFlight--;
    if (dump) this.#dumpRunning = false;
  }

  #finish(r: Req, err: CtTimeoutError | undefined): void {
    if (this.#pending.get(r.seq) !== r) return;
    this.#pending.delete(r.seq);
    if (r.state === 'sent') this.#ended(r.dump);
    this.#cleanup(r);
    r.settle(err);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#queue.length === 0) return;
    this.#flushScheduled = true;
    // Requests made in the same tick go out together, in one sendmsg.
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#closed || this.#queue.length === 0) return;
    if (!this.#noFlowControl && this.#inFlight + this.#queue.length > this.#window) this.#grow(this.#inFlight + this.#queue.length);
    const parts: Uint8Array[] = [];
    let size = 0;
    const send = () => {
      if (parts.length === 0) return;
      const out = parts.length === 1 ? parts[0]! : new Uint8Array(size);
      if (parts.length > 1) {
        let at = 0;
        for (const p of parts) {
          out.set(p, at);
          at += p.length;
        }
      }
      this.#sock.send(out);
      parts.length = 0;
      size = 0;
    };
    let budget = FLUSH_SLICE;
    while (this.#queue.length > 0) {
      const r = this.#queue.peek()!;
      if (r.dump && this.#dumpRunning) break;
      if (!this.#noFlowControl && !r.internal && this.#inFlight >= this.#window && this.#inFlight > 0) break;
      if (budget-- === 0) {
        // A huge batch goes out in slices, one per event-loop turn: timers and I/O keep running
        // and the kernel starts on the first slice while JS prepares the next.
        this.#flushScheduled = true;
        setImmediate(() => {
          this.#flushScheduled = false;
          this.#flush();
        });
        break;
      }
      if (size + r.bytes.length > MAX_SENDMSG) send();
      this.#queue.shift();
      r.state = 'sent';
      this.#inFlight++;
      if (r.dump) this.#dumpRunning = true;
      parts.push(r.bytes);
      size += r.bytes.length;
    }
    send();
  }

  #setReceiveBuffer(reported: number): void {
    this.#receiveBuffer = reported;
    this.#window = Math.max(1, Math.floor((reported / 2 - MARGIN) / REQUEST_COST));
  }

  /** Grows SO_RCVBUF so `requests` replies fit (PROTOCOL.md §10: otherwise the kernel drops ACKs). */
  #grow(requests: number): void {
    if (this.#receiveBuffer >= MAX_RECEIVE_BUFFER || this.#cannotGrow) return;
    // setsockopt asks for half of what getsockopt then reports.
    const want = Math.min(MAX_RECEIVE_BUFFER, Math.max(this.#receiveBuffer, MARGIN + requests * REQUEST_COST));
    const before = this.#receiveBuffer;
    try {
      this.#setReceiveBuffer(this.#sock.setReceiveBuffer(want));
    } catch {
      // Keep the current window: requests then wait in the queue instead.
    }
    // Without CAP_NET_ADMIN the kernel caps SO_RCVBUF at net.core.rmem_max: stop asking.
    this.#cannotGrow = this.#receiveBuffer <= before;
  }

  #pause(delta: number): void {
    const before = this.#pauses;
    this.#pauses = Math.max(0, this.#pauses + delta);
    if ((before > 0) !== (this.#pauses > 0) && !this.#closed) this.#sock.setPaused(this.#pauses > 0);
  }

  /** Keeps Node running while requests are pending (the native callback alone does not). */
  #updateKeepAlive(): void {
    const busy = this.#pending.size > 0;
    if (busy && !this.#keepAlive) this.#keepAlive = setInterval(() => {}, 1 << 30);
    else if (!busy && this.#keepAlive) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
  }

  #onEvents(events: NativeEvent[]): void {
    if (this.#closed) return;
    for (const e of events) {
      switch (e.kind) {
        case 'chunk':
          this.#onChunk(e);
          break;
        case 'overrun':
          this.#overruns++;
          this.#recoverLostReplies();
          break;
        case 'truncated':
          this.#onTruncated(e);
          break;
        case 'send-failed':
          for (const seq of e.seqs ?? []) {
            const r = this.#pending.get(seq);
            if (!r) continue;
            const name = errnoName(e.errno ?? 0);
            this.#finish(r, transportError(name, `${r.operation}: sendmsg failed: ${name} (the request did not reach the kernel)`, { operation: r.operation, seq, errno: e.errno ?? undefined }));
          }
          break;
        case 'dropped':
          this.#dropped++;
          break;
        case 'fatal':
          this.#fail(transportError(errnoName(e.errno ?? 0), `the netlink socket failed: ${e.message ?? ''}`, { errno: e.errno ?? undefined }));
          break;
      }
    }
    this.#scheduleFlush();
  }

  #onChunk(e: NativeEvent): void {
    const seq = e.seq ?? -1;
    const r = this.#pending.get(seq);
    if (!r || r.state !== 'sent') {
      const z = this.#zombies.get(seq);
      if (z) {
        this.#lateReplies++;
        if (e.terminal) {
          this.#zombies.delete(seq);
          this.#ended(z.dump);
        }
      } else {
        this.#dropped++;
      }
      return;
    }
    r.received++;
    this.#disarmTimer(r);
    if (e.data) r.onChunk(e.data);
    if (!e.terminal) {
      this.#armTimer(r);
      return;
    }
    const errno = e.errno ?? 0;
    this.#finish(
      r,
      errno === 0
        ? undefined
        : kernelError(errno, {
            operation: r.operation,
            seq: r.seq,
            extAckMessage: e.extAckMessage ?? undefined,
            extAckOffset: e.extAckOffset ?? undefined,
          }),
    );
  }

  #onTruncated(e: NativeEvent): void {
    this.#truncated++;
    const seq = e.seq ?? -1;
    const r = this.#pending.get(seq);
    if (!r || r.state !== 'sent') {
      const z = this.#zombies.get(seq);
      if (z && e.terminal) {
        this.#zombies.delete(seq);
        this.#ended(z.dump);
      } else if (!z) {
        // We cannot tell whose reply was cut: find out the way ENOBUFS does.
        this.#recoverLostReplies();
      }
      return;
    }
    const err = transportError(
      'ERR_TRUNCATED',
      `${r.operation}: a reply datagram of ${e.realLength} bytes was cut to ${e.length} bytes (MSG_TRUNC) and dropped; the read buffer has been enlarged, retry the request`,
      { operation: r.operation, seq: r.seq },
    );
    if (e.terminal) this.#finish(r, err);
    // Otherwise more replies will come: keep its seq reserved until the last one does.
    else this.#abandon(r, err);
  }

  /**
   * After ENOBUFS the kernel has dropped some replies, but every request it received was still
   * executed. Replies come in the order the requests were processed, so a barrier (an
   * NLMSG_NOOP that the kernel always ACKs) sent now tells, once its ACK arrives, which of the
   * requests sent before it will never hear back: those reject with ENOBUFS ("may have been
   * executed"). A dump that has started delivering is still running and goes on.
   */
  #recoverLostReplies(): void {
    const suspects = [...this.#pending.values()].filter((r) => r.state === 'sent');
    const zombies = [...this.#zombies.keys()];
    const barrier = new Uint8Array(16);
    new DataView(barrier.buffer).setUint32(0, 16, true);
    barrier[4] = NLMSG_NOOP;
    const done = () => {
      for (const r of suspects) {
        if (this.#pending.get(r.seq) !== r || (r.dump && r.received > 0)) continue;
        this.#finish(
          r,
          new CtTimeoutError(
            'ENOBUFS',
            `${r.operation}: No buffer space available (ENOBUFS): the kernel dropped the reply because the socket's receive buffer was full; the request may have been executed`,
            { source: 'kernel', errno: ENOBUFS, operation: r.operation, seq: r.seq },
          ),
        );
      }
      for (const seq of zombies) {
        const z = this.#zombies.get(seq);
        if (z && !z.dump) {
          this.#zombies.delete(seq);
          this.#ended(false);
        }
      }
    };
    const b = this.#enqueue(barrier, { operation: 'barrier', timeoutMs: 0 }, () => {}, done, true);
    if (b) {
      // Ahead of anything queued: it must follow exactly the requests already sent.
      this.#queue.remove(b);
      this.#queue.unshift(b);
    }
  }

  #fail(err: CtTimeoutError): void {
    this.#fatal = err;
    this.#queue.clear();
    for (const r of [...this.#pending.values()]) {
      this.#finish(r, new CtTimeoutError(err.code, `${r.operation}: ${err.message}`, { source: 'transport', errno: err.errno, operation: r.operation, seq: r.seq }));
    }
  }
}
