// Fault injection as a socket decorator: wraps any OpenSocket (the fake kernel or the native
// addon) and damages what passes through, at a chosen reply chunk or sendmsg. The faults are
// what a netlink client must survive: lost, cut, repeated, reordered and late replies, replies
// for someone else, ENOBUFS, failed and partial sends, a socket dying mid-dump, and a kernel
// that never answers.
import { isDump, splitMessages } from '../codec/node.js';
import { E } from '../generated/table.js';
import { concatBytes, u16, u32 } from '../transport/bytes.js';
import type { NetlinkSocket, OpenSocket, SocketEvent } from '../transport/socket.js';

/**
 * Faults that hit the `at`-th reply chunk (0-based, counted over the socket's life). Netlink
 * itself never loses, repeats or reorders a dump's datagrams (the kernel waits for room rather
 * than drop dump data, and one socket's datagrams stay in order), so no client could notice
 * that; the faults stay within what can happen or be detected: 'drop' and 'enobufs' lose only
 * unicast replies (ACKs, errors, a GET's object), and 'reorder' swaps replies of different
 * requests.
 */
export type ReplyFault =
  /** The chunk never arrives (a dump's part is delivered anyway, see above). */
  | 'drop'
  /** The chunk's datagram arrives cut (MSG_TRUNC). */
  | 'truncate'
  /** The chunk arrives twice. */
  | 'duplicate'
  /** The chunk arrives after the next reply for another request. */
  | 'reorder'
  /** The chunk and everything after it arrive `delayMs` late. */
  | 'delay'
  /** A copy of the chunk addressed to another sequence number and port id arrives first. */
  | 'foreign'
  /** The kernel reports ENOBUFS and drops the chunk (unless it is a dump's). */
  | 'enobufs'
  /** The socket fails (recvmsg error) instead of delivering the chunk; nothing more arrives. */
  | 'socket-error';

/** Faults that hit the `at`-th sendmsg (0-based). */
export type SendFault =
  /** The sendmsg fails with EINTR: none of its requests reaches the kernel. */
  | 'eintr'
  /** Only the first half of the sendmsg's messages reach the kernel; the rest vanish. */
  | 'partial-send'
  /** From this sendmsg on the kernel never answers. */
  | 'silent';

export type FaultKind = ReplyFault | SendFault;

export const REPLY_FAULTS: readonly ReplyFault[] = ['drop', 'truncate', 'duplicate', 'reorder', 'delay', 'foreign', 'enobufs', 'socket-error'];
export const SEND_FAULTS: readonly SendFault[] = ['eintr', 'partial-send', 'silent'];

export interface Fault {
  kind: FaultKind;
  /** Which reply chunk (reply faults) or sendmsg (send faults), 0-based. Default 0. */
  at?: number;
  /** For 'delay' (default 20). */
  delayMs?: number;
}

export interface FaultLog {
  /** Faults that fired, in order. */
  readonly fired: FaultKind[];
  /** Reply chunks and sendmsgs seen so far (fault positions count these). */
  readonly chunks: number;
  readonly sends: number;
}

type Chunk = Extract<SocketEvent, { kind: 'chunk' }>;

const isSendFault = (k: FaultKind): k is SendFault => (SEND_FAULTS as readonly string[]).includes(k);

function seqsOf(data: Uint8Array): number[] {
  return splitMessages(data).messages.map((m) => u32(m, 8));
}

/** Counts over the life of all sockets of one withFaults(); positions count these. */
class Log implements FaultLog {
  readonly fired: FaultKind[] = [];
  chunks = 0;
  sends = 0;
}

/** A socket that damages what passes through it to and from `inner`. */
class FaultySocket implements NetlinkSocket {
  inner!: NetlinkSocket;
  #silent = false;
  #dead = false;
  #held: Chunk | undefined;
  #delayMs = 0;
  /** Sequence numbers of the dumps sent: their parts are never lost (see ReplyFault). */
  readonly #dumps = new Set<number>();

  constructor(
    private readonly faults: readonly Fault[],
    private readonly log: Log,
    private readonly onEvents: (events: SocketEvent[]) => void,
  ) {}

  get portId(): number {
    return this.inner.portId;
  }

  /** Events from the inner socket. */
  receive(events: SocketEvent[]): void {
    if (this.#silent || this.#dead) return;
    const out: SocketEvent[] = [];
    for (const e of events) if (!this.#dead) this.#damage(e, out);
    // After an injected socket error nothing more arrives.
    if (this.#dead) this.onEvents(out.slice(0, out.findIndex((x) => x.kind === 'fatal') + 1));
    else this.#deliver(out);
  }

  send(data: Uint8Array): void {
    this.#send(data, (d) => this.inner.send(d));
  }

  /** Present when the inner socket has it; the same faults apply, replies pass #damage too. */
  get sendNow(): ((data: Uint8Array) => boolean) | undefined {
    const inner = this.inner.sendNow?.bind(this.inner);
    if (!inner) return undefined;
    return (data) => {
      this.#send(data, (d) => void (inner(d) || this.inner.send(d)));
      return true;
    };
  }

  #send(data: Uint8Array, pass: (data: Uint8Array) => void): void {
    const f = this.faults.find((x) => isSendFault(x.kind) && (x.at ?? 0) === this.log.sends);
    this.log.sends++;
    for (const m of splitMessages(data).messages) if (isDump(u16(m, 4), u16(m, 6))) this.#dumps.add(u32(m, 8));
    if (this.#silent) return;
    if (!f) return pass(data);
    this.log.fired.push(f.kind);
    switch (f.kind as SendFault) {
      case 'eintr':
        return void setImmediate(() => !this.#dead && this.onEvents([{ kind: 'send-failed', seqs: seqsOf(data), errno: E.EINTR }]));
      case 'partial-send': {
        const msgs = splitMessages(data).messages;
        const keep = msgs.slice(0, msgs.length >> 1);
        if (keep.length > 0) pass(concatBytes(keep));
        return;
      }
      case 'silent':
        this.#silent = true;
        return;
    }
  }

  idle(): void {
    this.inner.idle?.();
  }
  setPaused(paused: boolean): void {
    this.inner.setPaused(paused);
  }
  setReceiveBuffer(bytes: number): number {
    return this.inner.setReceiveBuffer(bytes);
  }
  receiveBuffer(): number {
    return this.inner.receiveBuffer();
  }
  counters(): number[] {
    return this.inner.counters();
  }
  close(): Promise<unknown> {
    this.#dead = true;
    return this.inner.close();
  }

  #deliver(events: SocketEvent[]): void {
    if (events.length === 0 || this.#dead) return;
    if (this.#delayMs > 0) setTimeout(() => !this.#dead && this.onEvents(events), this.#delayMs);
    else this.onEvents(events);
  }

  #damage(e: SocketEvent, out: SocketEvent[]): void {
    if (e.kind !== 'chunk') return void out.push(e);
    const f = this.faults.find((x) => !isSendFault(x.kind) && (x.at ?? 0) === this.log.chunks);
    this.log.chunks++;
    const before = this.#held;
    this.#held = undefined;
    // A held reply goes before the next part of its own request, after another request's.
    if (before && before.seq === e.seq) out.push(before);
    out.push(...(f ? this.#apply(f, e) : [e]));
    if (before && before.seq !== e.seq && !this.#dead) out.push(before);
  }

  /** A lost chunk, unless it is a dump's (see ReplyFault). */
  #lose(e: Chunk): SocketEvent[] {
    return this.#dumps.has(e.seq) ? [e] : [];
  }

  /** What one chunk becomes under fault `f`. */
  #apply(f: Fault, e: Chunk): SocketEvent[] {
    this.log.fired.push(f.kind);
    switch (f.kind as ReplyFault) {
      case 'drop':
        return this.#lose(e);
      case 'truncate':
        return [{ kind: 'truncated', seq: e.seq, terminal: e.terminal, length: Math.min(16, e.data.length), realLength: e.data.length }];
      case 'duplicate':
        return [e, e];
      case 'reorder':
        this.#held = e;
        // If no other request's reply follows, it still comes, late.
        setTimeout(() => {
          if (this.#held !== e) return;
          this.#held = undefined;
          this.#deliver([e]);
        }, 10);
        return [];
      case 'delay':
        this.#delayMs = f.delayMs ?? 20;
        return [e];
      case 'foreign':
        return [{ kind: 'dropped', message: '1 message(s) for another port id' }, { ...e, seq: (e.seq ^ 0x8000_0000) >>> 0 }, e];
      case 'enobufs':
        return [{ kind: 'overrun' }, ...this.#lose(e)];
      case 'socket-error':
        this.#dead = true;
        return [{ kind: 'fatal', errno: E.EIO, message: 'recvmsg: Input/output error (os error 5) [injected]' }];
    }
  }
}

/** `open` with `faults` injected. The returned log tells which fired. */
export function withFaults(open: OpenSocket, faults: Fault | readonly Fault[]): { socket: OpenSocket; log: FaultLog } {
  const list: readonly Fault[] = Array.isArray(faults) ? faults : [faults as Fault];
  const log = new Log();
  const socket: OpenSocket = async (options, onEvents) => {
    const s = new FaultySocket(list, log, onEvents);
    s.inner = await open(options, (events) => s.receive(events));
    return s;
  };
  return { socket, log };
}
