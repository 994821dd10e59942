// The typed netlink transport over a socket (the native addon, or a fake from cttimeout/testing).
// It owns what the kernel leaves to the client: sequence numbers, matching replies to requests,
// when a request is finished, flow control, ENOBUFS recovery, timeouts, aborts and streams.
// It frames messages only through the codec (codec/wire.ts) and knows no policies. The parts:
//   options.ts   — option checks       flow.ts   — queue and flow control
//   lifecycle.ts — a request's life    stream.ts — reply streams with backpressure
//   socket.ts    — the socket seam and the native binding
import { CtTimeoutError, errnoName, kernelError } from '../errors.js';
import { barrier, messageSpans, prepareForSend, probeRequest } from '../codec/node.js';
import { E, NETLINK } from '../generated/table.js';
import { sameBytes, u16 } from './bytes.js';
import { turn } from './budget.js';
import { FlowControl, Fifo } from './flow.js';
import { Lifecycle, type Req, sentWords, transportError } from './lifecycle.js';
import {
  checkOpenOptions,
  checkRequestOptions,
  invalid,
  netnsPath,
  type InternalTransportOptions,
  type RequestOptions,
  type StreamOptions,
  type TransportOptions,
} from './options.js';
import { nativeSocket, openSocket, type NetlinkSocket, type SocketEvent } from './socket.js';
import { replyStream } from './stream.js';

export type { InternalTransportOptions, RequestOptions, StreamOptions, TransportOptions } from './options.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_HIGH_WATER = 8;
/** Messages of a requestBatch handed over per turn budget unit group. */
const BATCH_SLICE = 128;

/** Counters for monitoring and tests. */
export interface TransportStats {
  /** Requests sent whose last reply has not come yet (abandoned ones included). */
  inFlight: number;
  /** Requests waiting to be sent (flow control, or behind a dump). */
  queued: number;
  /** Requests whose caller still waits (queued or sent). */
  pending: number;
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

/**
 * The client's way in: bytes made for this one request (its own encodeRequest output), which
 * the transport writes its sequence number and flags into instead of a copy. A caller of the
 * public `request` keeps its bytes unchanged. Set by NetlinkTransport's static block (it reaches
 * the private method); not exported from the package. It replaced a WeakSet of such messages:
 * an add and a delete per request (~200 ns) and an ephemeron for every scavenge to visit.
 */
export let requestOwned: (t: NetlinkTransport, message: Uint8Array, options?: RequestOptions) => Promise<Uint8Array[]>;
/** {@link requestOwned} for a batch (apply's messages). */
export let requestBatchOwned: (t: NetlinkTransport, messages: readonly Uint8Array[], options?: RequestOptions) => Promise<PromiseSettledResult<Uint8Array[]>[]>;

// A request without an `operation` is named by its nlmsg_type, made once per type: a batch of
// 10,000 would build the same string 10,000 times.
const typeNames = new Map<number, string>();
function typeName(type: number): string {
  let name = typeNames.get(type);
  if (name === undefined) typeNames.set(type, (name = `nlmsg_type 0x${type.toString(16).padStart(4, '0')}`));
  return name;
}

export class NetlinkTransport {
  readonly #sock: NetlinkSocket;
  readonly #defaultTimeout: number;
  readonly #trace: TransportOptions['trace'];
  readonly #life: Lifecycle;
  #closed = false;
  #fatal: CtTimeoutError | undefined;
  readonly #counts = { streamBytes: 0, overruns: 0, truncated: 0, dropped: 0, lateReplies: 0 };
  readonly #budget = turn;
  /** Socket events not handled yet because this turn's budget was spent, in arrival order. */
  readonly #inbox = new Fifo<SocketEvent>();
  #draining = false;
  /** Requests that got a reply chunk but not their last: their timer starts again after the batch. */
  readonly #rearm: Req[] = [];

  private constructor(sock: NetlinkSocket, options: InternalTransportOptions) {
    this.#sock = sock;
    this.#defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#trace = options.trace;
    const flow = new FlowControl<Req>(
      sock,
      options._noFlowControl ?? false,
      (r) => this.#traced('out', r.bytes),
      (rs, e) => {
        for (const r of rs) {
          this.#life.finish(
            r,
            transportError(
              'ERR_SOCKET',
              `${r.operation}: the socket refused the request (${e instanceof Error ? e.message : String(e)}); it did not reach the kernel`,
              { operation: r.operation, seq: r.seq, sent: false, cause: e },
            ),
          );
        }
      },
      this.#budget,
    );
    this.#life = new Lifecycle(flow);
  }

  /** Opens a NETLINK_NETFILTER socket (in another network namespace if asked). */
  static async open(options?: TransportOptions): Promise<NetlinkTransport> {
    const o = checkOpenOptions(options);
    const capture = o.capture ?? (process.env.CTTIMEOUT_CAPTURE || undefined);
    let self: NetlinkTransport | undefined;
    const early: SocketEvent[][] = [];
    const sock = await openSocket(
      o.socket ?? nativeSocket(),
      {
        ...(o.netns !== undefined ? { netns: netnsPath(o.netns) } : {}),
        ...(o.receiveBufferBytes !== undefined ? { receiveBufferBytes: o.receiveBufferBytes } : {}),
        ...(capture !== undefined ? { capture } : {}),
      },
      (events) => (self ? self.#onEvents(events) : early.push(events)),
    );
    self = new NetlinkTransport(sock, o);
    for (const events of early) self.#onEvents(events);
    if (o.probe !== false) await self.#probe(o._probeSubsystem);
    return self;
  }

  /** The netlink port id of this socket. */
  get portId(): number {
    return this.#sock.portId;
  }

  /** ENOBUFS reports so far (stats().overruns without asking the socket for its counters). */
  get overruns(): number {
    return this.#counts.overruns;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one netlink message and resolves with its reply chunks in arrival order, the last one
   * ending with the ACK or NLMSG_DONE. A chunk is one or more whole messages of this request.
   * The transport writes the sequence number (bytes 8..12) and sets NLM_F_REQUEST, and
   * NLM_F_ACK on everything but a dump, so it always sees the end of a request; the caller's
   * bytes are not modified. A kernel error rejects with its errno name as `code`.
   */
  request(message: Uint8Array, options?: RequestOptions): Promise<Uint8Array[]> {
    return this.#request(message, options, false);
  }

  static {
    requestOwned = (t, message, options) => t.#request(message, options, true);
    requestBatchOwned = (t, messages, options) => t.#requestAll(messages.length, (i) => messages[i]!, options, true);
  }

  /** `owned`: the bytes are the transport's to write into (see requestOwned). */
  #request(message: Uint8Array, options: RequestOptions | undefined, owned: boolean): Promise<Uint8Array[]> {
    return new Promise((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      const r = this.#enqueue(
        message,
        options,
        (c) => chunks.push(c),
        (err) => (err ? reject(err) : resolve(chunks)),
        owned,
      );
      // After the flush queued before it: a request answered inside sendmsg needs no timer.
      if (r) this.#life.armSoon(r);
    });
  }

  /**
   * Sends several messages in one sendmsg (split only where the receive buffer or the send size
   * limit requires it). Each request settles on its own; none is lost. `messages` is an array,
   * or one buffer of messages back to back (as the codec's encodeBatch makes it).
   */
  requestBatch(messages: readonly Uint8Array[] | Uint8Array, options?: RequestOptions): Promise<PromiseSettledResult<Uint8Array[]>[]> {
    if (!(messages instanceof Uint8Array) && !Array.isArray(messages)) {
      return Promise.reject(invalid('messages', 'must be an array of messages or one Uint8Array of messages back to back', 'requestBatch'));
    }
    if (Array.isArray(messages)) return this.#requestAll(messages.length, (i) => messages[i]!, options, false);
    const buf = messages as Uint8Array;
    const { spans, count, error } = messageSpans(buf);
    // A malformed tail is one more request, which then fails on its own.
    const at = (i: number) => (i < count ? buf.subarray(spans[2 * i]!, spans[2 * i]! + spans[2 * i + 1]!) : buf.subarray(error!.offset));
    return this.#requestAll(error ? count + 1 : count, at, options, false);
  }

  /**
   * The requests of a batch, a slice per turn budget (budget.ts): a huge batch does not stall
   * the event loop. Message `i` is `at(i)`, made when its slice goes.
   */
  async #requestAll(
    count: number,
    at: (i: number) => Uint8Array,
    options: RequestOptions | undefined,
    owned: boolean,
  ): Promise<PromiseSettledResult<Uint8Array[]>[]> {
    const out: Promise<Uint8Array[]>[] = [];
    for (let i = 0; i < count; ) {
      // A message handed to the transport costs about a client call (prepareForSend's copy
      // and check, the request's promise and record): 10,000 at a quarter unit each were
      // 8–17 ms of the caller's task.
      const end = Math.min(count, i + BATCH_SLICE);
      const wait = this.#budget.enter(end - i);
      if (wait) await wait;
      for (; i < end; i++) out.push(this.#request(at(i), options, owned));
    }
    return Promise.allSettled(out);
  }

  /**
   * The replies to one request as an async iterable of chunks, for dumps too large to hold at
   * once. Reading stops while more than `highWaterMark` chunks wait for the consumer; the kernel
   * then stops producing the dump, so memory stays bounded (other requests on this socket wait
   * meanwhile: use a second transport for concurrent work during a slow dump). Breaking out of
   * the loop abandons the rest of the dump, which is drained and dropped.
   */
  stream(message: Uint8Array, options?: StreamOptions): AsyncIterable<Uint8Array> {
    let hwm = DEFAULT_HIGH_WATER;
    let error: CtTimeoutError | undefined;
    try {
      hwm = checkRequestOptions(options, 'stream').highWaterMark ?? DEFAULT_HIGH_WATER;
    } catch (e) {
      error = e as CtTimeoutError;
    }
    return replyStream(this.#life, this.#counts, hwm, (onChunk, settle) => (error ? void settle(error) : this.#enqueue(message, options, onChunk, settle)));
  }

  /** Rejects everything pending with ERR_CLOSED, stops the socket and closes it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox.clear();
    this.#life.failAll((r) =>
      transportError('ERR_CLOSED', `${r.operation}: the netlink transport was closed; ${sentWords(r)}`, {
        operation: r.operation,
        seq: r.seq,
        sent: r.state === 'sent',
      }),
    );
    await this.#sock.close();
  }

  stats(): TransportStats {
    const [sent, received] = this.#closed ? [0, 0] : this.#sock.counters();
    const flow = this.#life.flow;
    const c = this.#counts;
    return {
      inFlight: flow.inFlight,
      queued: flow.queue.length,
      pending: this.#life.pending.size,
      window: flow.window,
      receiveBufferBytes: flow.receiveBuffer,
      readingPaused: flow.paused,
      streamBufferedBytes: c.streamBytes,
      overruns: c.overruns,
      truncated: c.truncated,
      dropped: c.dropped,
      lateReplies: c.lateReplies,
      datagramsSent: sent ?? 0,
      datagramsReceived: received ?? 0,
    };
  }

  // ---- internals ----

  #traced(direction: 'out' | 'in', bytes: Uint8Array): void {
    try {
      this.#trace?.(direction, bytes);
    } catch {
      // A logging hook must not break the transport.
    }
  }

  async #probe(subsystem: number | undefined): Promise<void> {
    try {
      await this.request(probeRequest(subsystem ?? NETLINK.NFNL_SUBSYS_CTNETLINK_TIMEOUT), {
        operation: 'open',
        timeoutMs: this.#defaultTimeout || DEFAULT_TIMEOUT_MS,
      });
    } catch (e) {
      const err = e as CtTimeoutError;
      if (err.code === 'ENOENT') return;
      await this.close();
      if (err.errno === E.EINVAL) {
        throw transportError(
          'ERR_NO_CTTIMEOUT',
          `open: the kernel has no conntrack timeout subsystem (nfnetlink subsystem ${subsystem ?? NETLINK.NFNL_SUBSYS_CTNETLINK_TIMEOUT} answered EINVAL); it needs CONFIG_NF_CT_NETLINK_TIMEOUT (module nfnetlink_cttimeout)`,
          { operation: 'open', errno: E.EINVAL, cause: err },
        );
      }
      if (err.code === 'EPERM') {
        throw new CtTimeoutError(
          'EPERM',
          'open: Operation not permitted (EPERM): the kernel requires CAP_NET_ADMIN in the network namespace for every cttimeout request',
          {
            source: 'kernel',
            errno: E.EPERM,
            operation: 'open',
            seq: err.seq,
            cause: err,
          },
        );
      }
      throw err;
    }
  }

  /** Validates and queues a request; settles at once (and returns undefined) if it cannot go. */
  #enqueue(
    message: Uint8Array,
    options: RequestOptions | undefined,
    onChunk: (c: Uint8Array) => void,
    settle: (e: CtTimeoutError | undefined) => void,
    owned = false,
    internal = false,
  ): Req | undefined {
    let o: RequestOptions;
    try {
      o = checkRequestOptions(options);
    } catch (e) {
      return void settle(e as CtTimeoutError);
    }
    const seq = this.#life.allocSeq();
    let prepared: { bytes: Uint8Array; dump: boolean };
    try {
      if (!(message instanceof Uint8Array)) throw new Error('request: the message must be a Uint8Array');
      // The client's own requests are written into; a caller's bytes are copied first.
      prepared = prepareForSend(message, seq, owned);
    } catch (e) {
      const text = (e as Error).message;
      return void settle(new CtTimeoutError('ERR_BAD_ARGUMENT', text, { source: 'usage', operation: o.operation, field: 'message' }));
    }
    const { bytes, dump } = prepared;
    const operation = o.operation ?? typeName(u16(message, 4));
    if (this.#closed || this.#fatal) {
      return void settle(this.#fatal ?? transportError('ERR_CLOSED', `${operation}: the netlink transport is closed`, { operation, sent: false }));
    }
    if (o.signal?.aborted)
      return void settle(
        transportError('ERR_ABORTED', `${operation}: aborted; the request was never sent`, { operation, sent: false, cause: o.signal.reason }),
      );
    const r: Req = {
      seq,
      bytes,
      operation,
      dump,
      state: 'queued',
      internal,
      received: 0,
      timeoutMs: o.timeoutMs ?? this.#defaultTimeout,
      // Set later, named here: fields added after the literal would cost a property array each.
      last: undefined,
      deadline: undefined,
      signal: undefined,
      onChunk,
      settle,
    };
    this.#life.start(r, o.signal);
    return r;
  }

  #onEvents(events: SocketEvent[]): void {
    if (this.#closed) return;
    for (const e of events) this.#inbox.push(e);
    if (!this.#draining) this.#drain();
  }

  /** Handles queued events while this turn's budget lasts; the rest on the next turn. */
  readonly #drain = (): void => {
    this.#draining = false;
    while (this.#inbox.length > 0 && !this.#closed) {
      if (this.#budget.spent) {
        this.#draining = true;
        setImmediate(this.#drain);
        break;
      }
      const e = this.#inbox.shift()!;
      // A reply chunk is a unit, plus one per KiB: a 32 KiB dump datagram holds ~150 policies
      // for its consumer to decode, an ACK nothing.
      if (e.kind === 'chunk') this.#budget.take(1 + (e.data.length >> 10));
      this.#onEvent(e);
    }
    // Once per batch, not per chunk: a GET's object and its ACK come in one batch, and a timer
    // set and cleared between them cost more than the request's own JS work.
    for (const r of this.#rearm) this.#life.armTimer(r);
    this.#rearm.length = 0;
    this.#life.flow.schedule();
  };

  #onEvent(e: SocketEvent): void {
    switch (e.kind) {
      case 'chunk':
        this.#onChunk(e);
        break;
      case 'overrun':
        this.#counts.overruns++;
        this.#recoverLostReplies();
        break;
      case 'truncated':
        this.#onTruncated(e);
        break;
      case 'send-failed':
        this.#onSendFailed(e);
        break;
      case 'dropped':
        this.#counts.dropped++;
        break;
      case 'fatal':
        this.#fail(transportError(errnoName(e.errno), `the netlink socket failed: ${e.message}`, { errno: e.errno }));
        break;
    }
  }

  /** The sent request `seq` is waiting, or undefined. */
  #sentRequest(seq: number | undefined): Req | undefined {
    const r = seq === undefined ? undefined : this.#life.pending.get(seq);
    return r?.state === 'sent' ? r : undefined;
  }

  #onChunk(e: Extract<SocketEvent, { kind: 'chunk' }>): void {
    this.#traced('in', e.data);
    const r = this.#sentRequest(e.seq);
    if (!r) {
      if (!this.#life.zombies.has(e.seq)) this.#counts.dropped++;
      else {
        this.#counts.lateReplies++;
        if (e.terminal) this.#life.buryZombie(e.seq);
      }
      return;
    }
    // Netlink never repeats a datagram, and two datagrams of one reply never hold the same
    // bytes (each dump part holds other policies): a repeat is a duplicate, dropped.
    if (r.last !== undefined && sameBytes(r.last, e.data)) return void this.#counts.dropped++;
    r.last = e.data;
    r.received++;
    this.#life.disarmTimer(r);
    r.onChunk(e.data);
    if (!e.terminal) return void this.#rearm.push(r);
    this.#life.finish(
      r,
      e.errno === 0
        ? undefined
        : kernelError(e.errno, { operation: r.operation, seq: r.seq, extAckMessage: e.extAckMessage ?? undefined, extAckOffset: e.extAckOffset ?? undefined }),
    );
  }

  #onTruncated(e: Extract<SocketEvent, { kind: 'truncated' }>): void {
    this.#counts.truncated++;
    const r = this.#sentRequest(e.seq ?? undefined);
    if (!r) {
      if (e.seq == null || !this.#life.zombies.has(e.seq)) {
        // We cannot tell whose reply was cut: find out the way ENOBUFS does.
        this.#recoverLostReplies();
      } else if (e.terminal) this.#life.buryZombie(e.seq);
      return;
    }
    const err = transportError(
      'ERR_TRUNCATED',
      `${r.operation}: a reply datagram of ${e.realLength} bytes was cut to ${e.length} bytes (MSG_TRUNC) and dropped; the read buffer has been enlarged, retry the request (it was executed)`,
      { operation: r.operation, seq: r.seq, sent: true },
    );
    if (e.terminal) this.#life.finish(r, err);
    // Otherwise more replies will come: keep its seq reserved until the last one does.
    else this.#life.abandon(r, err);
  }

  #onSendFailed(e: Extract<SocketEvent, { kind: 'send-failed' }>): void {
    const name = errnoName(e.errno);
    for (const seq of e.seqs) {
      const r = this.#sentRequest(seq);
      if (!r) continue;
      // The kernel never saw it: no reply will come, so its seq is free again.
      this.#life.finish(
        r,
        transportError(name, `${r.operation}: sendmsg failed: ${name} (the request did not reach the kernel)`, {
          operation: r.operation,
          seq,
          errno: e.errno,
          sent: false,
        }),
      );
    }
  }

  /**
   * After ENOBUFS the kernel has dropped some replies, but every request it received was still
   * executed. Replies come in the order the requests were processed, so a barrier (an
   * NLMSG_NOOP that the kernel always ACKs) sent now tells, once its ACK arrives, which of the
   * requests sent before it will never hear back: those reject with ENOBUFS ("may have been
   * executed"). A dump that has started delivering is still running and goes on.
   */
  #recoverLostReplies(): void {
    const suspects = this.#life.pending.values().filter((r) => r.state === 'sent');
    const zombies = [...this.#life.zombies.entries()].filter(([, dump]) => !dump).map(([seq]) => seq);
    const done = () => {
      for (const r of suspects) {
        if (!this.#life.live(r) || (r.dump && r.received > 0)) continue;
        this.#life.finish(
          r,
          new CtTimeoutError(
            'ENOBUFS',
            `${r.operation}: No buffer space available (ENOBUFS): the kernel dropped the reply because the socket's receive buffer was full; the request may have been executed`,
            { source: 'kernel', errno: E.ENOBUFS, operation: r.operation, seq: r.seq, sent: true },
          ),
        );
      }
      for (const seq of zombies) this.#life.buryZombie(seq);
    };
    const b = this.#enqueue(barrier(), { operation: 'barrier', timeoutMs: this.#defaultTimeout || DEFAULT_TIMEOUT_MS }, () => {}, done, false, true);
    if (b) {
      this.#life.armTimer(b);
      // Ahead of anything queued: it must follow exactly the requests already sent.
      this.#life.flow.queue.remove(b);
      this.#life.flow.pushFront(b);
    }
  }

  #fail(err: CtTimeoutError): void {
    this.#fatal = err;
    this.#life.failAll(
      (r) =>
        new CtTimeoutError(err.code, `${r.operation}: ${err.message}`, {
          source: 'transport',
          errno: err.errno,
          operation: r.operation,
          seq: r.seq,
          sent: r.state === 'sent',
        }),
    );
  }
}
