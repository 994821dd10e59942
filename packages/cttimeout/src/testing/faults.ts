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

/** `open` with `faults` injected. The returned log tells which fired. */
export function withFaults(open: OpenSocket, faults: Fault | readonly Fault[]): { socket: OpenSocket; log: FaultLog } {
  const list = Array.isArray(faults) ? faults : [faults as Fault];
  const fired: FaultKind[] = [];
  let chunks = 0;
  let sends = 0;
  const log: FaultLog = {
    fired,
    get chunks() {
      return chunks;
    },
    get sends() {
      return sends;
    },
  };
  const socket: OpenSocket = async (options, onEvents) => {
    let silent = false;
    let dead = false;
    let held: Chunk | undefined;
    let delayMs = 0;
    const deliver = (events: SocketEvent[]) => {
      if (events.length === 0 || dead) return;
      if (delayMs > 0) setTimeout(() => !dead && onEvents(events), delayMs);
      else onEvents(events);
    };
    /** Sequence numbers of the dumps sent: their parts are never lost (see ReplyFault). */
    const dumps = new Set<number>();
    const lose = (e: Chunk): SocketEvent[] => (dumps.has(e.seq) ? [e] : []);
    /** What one chunk becomes under fault `f`. */
    const apply = (f: Fault, e: Chunk): SocketEvent[] => {
      fired.push(f.kind);
      switch (f.kind as ReplyFault) {
        case 'drop':
          return lose(e);
        case 'truncate':
          return [{ kind: 'truncated', seq: e.seq, terminal: e.terminal, length: Math.min(16, e.data.length), realLength: e.data.length }];
        case 'duplicate':
          return [e, e];
        case 'reorder':
          held = e;
          // If no other request's reply follows, it still comes, late.
          setTimeout(() => {
            if (held !== e) return;
            held = undefined;
            deliver([e]);
          }, 10);
          return [];
        case 'delay':
          delayMs = f.delayMs ?? 20;
          return [e];
        case 'foreign':
          return [{ kind: 'dropped', message: '1 message(s) for another port id' }, { ...e, seq: (e.seq ^ 0x8000_0000) >>> 0 }, e];
        case 'enobufs':
          return [{ kind: 'overrun' }, ...lose(e)];
        case 'socket-error':
          dead = true;
          return [{ kind: 'fatal', errno: E.EIO, message: 'recvmsg: Input/output error (os error 5) [injected]' }];
      }
    };
    const damage = (e: SocketEvent, out: SocketEvent[]) => {
      if (e.kind !== 'chunk') return void out.push(e);
      const f = list.find((x) => !isSendFault(x.kind) && (x.at ?? 0) === chunks);
      chunks++;
      const before = held;
      held = undefined;
      // A held reply goes before the next part of its own request, after another request's.
      if (before && before.seq === e.seq) out.push(before);
      out.push(...(f ? apply(f, e) : [e]));
      if (before && before.seq !== e.seq && !dead) out.push(before);
    };
    const inner: NetlinkSocket = await open(options, (events) => {
      if (silent || dead) return;
      const out: SocketEvent[] = [];
      for (const e of events) if (!dead) damage(e, out);
      if (dead) {
        // The fatal event goes out; nothing after it.
        const i = out.findIndex((x) => x.kind === 'fatal');
        onEvents(out.slice(0, i + 1));
        return;
      }
      deliver(out);
    });
    const send = (data: Uint8Array) => {
      const f = list.find((x) => isSendFault(x.kind) && (x.at ?? 0) === sends);
      sends++;
      for (const m of splitMessages(data).messages) if (isDump(u16(m, 4), u16(m, 6))) dumps.add(u32(m, 8));
      if (silent) return;
      if (!f) return inner.send(data);
      fired.push(f.kind);
      switch (f.kind as SendFault) {
        case 'eintr':
          return void setImmediate(() => !dead && onEvents([{ kind: 'send-failed', seqs: seqsOf(data), errno: E.EINTR }]));
        case 'partial-send': {
          const msgs = splitMessages(data).messages;
          const keep = msgs.slice(0, msgs.length >> 1);
          if (keep.length > 0) inner.send(concatBytes(keep));
          return;
        }
        case 'silent':
          silent = true;
          return;
      }
    };
    return {
      get portId() {
        return inner.portId;
      },
      send,
      setPaused: (p) => inner.setPaused(p),
      setReceiveBuffer: (b) => inner.setReceiveBuffer(b),
      receiveBuffer: () => inner.receiveBuffer(),
      counters: () => inner.counters(),
      close: () => {
        dead = true;
        return inner.close();
      },
    };
  };
  return { socket, log };
}

