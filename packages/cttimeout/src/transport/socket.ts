// The seam between the transport and a netlink socket. The native addon (crates/socket) is one
// implementation; cttimeout/testing provides a scripted fake kernel and a fault-injecting
// decorator over either. The transport sees only this interface.
import { CtTimeoutError, isErrorCode } from '../errors.js';
import { loadNative, type NativeBatch, type NativeEvent, type NativeSocket } from './native.js';

/** What a socket reports, in batches, on the JS thread. */
export type SocketEvent =
  /** One or more whole reply messages of request `seq`; `terminal` when the last one is its ACK, error or DONE (errno 0 = success). */
  | { kind: 'chunk'; seq: number; data: Uint8Array; terminal: boolean; errno: number; extAckMessage?: string; extAckOffset?: number }
  /** The kernel dropped replies (ENOBUFS): the receive buffer was full. */
  | { kind: 'overrun' }
  /** A datagram was cut to `length` of `realLength` bytes (MSG_TRUNC) and dropped. */
  | { kind: 'truncated'; seq?: number; terminal: boolean; length: number; realLength: number }
  /** A sendmsg failed: none of the requests `seqs` reached the kernel. */
  | { kind: 'send-failed'; seqs: number[]; errno: number }
  /** A datagram or message that was not a reply for this socket; dropped. */
  | { kind: 'dropped'; message: string }
  /** The socket is unusable. */
  | { kind: 'fatal'; errno: number; message: string };

// The addon's events must fit the seam (a compile-time check, no runtime cost).
const _nativeFits = (e: NativeEvent): SocketEvent => e;
void _nativeFits;

/** An open netlink socket. */
export interface NetlinkSocket {
  /** The netlink port id replies are addressed to. */
  readonly portId: number;
  /** Hands one sendmsg (one or more whole requests) to the socket; returns at once. */
  send(data: Uint8Array): void;
  /**
   * Optional fast path: sends on the calling thread and, before returning, reports through
   * onEvents the replies the kernel has already queued (it executes a cttimeout request inside
   * sendmsg). False when it cannot do that without waiting: nothing was sent, use send().
   */
  sendNow?(data: Uint8Array): boolean;
  /** Optional: nothing is in flight, so no reply is expected until the next send. */
  idle?(): void;
  /** Stops (true) or restarts (false) delivering replies: a paused reader stops a dump. */
  setPaused(paused: boolean): void;
  /** Asks for SO_RCVBUF = bytes; returns what getsockopt then reports (twice the usable size). */
  setReceiveBuffer(bytes: number): number;
  /** SO_RCVBUF as getsockopt reports it. */
  receiveBuffer(): number;
  /** [datagrams sent, datagrams received]. */
  counters(): number[];
  close(): Promise<unknown>;
}

export interface SocketOpenOptions {
  /** An absolute path to a network namespace file (the transport has resolved names). */
  netns?: string;
  receiveBufferBytes?: number;
  /** pcap file that receives every datagram. */
  capture?: string;
}

/**
 * Opens a socket whose events go to `onEvents`. Rejects with a CtTimeoutError (ERR_NETNS,
 * ERR_CAPTURE, ERR_SOCKET, ...) when it cannot.
 */
export type OpenSocket = (options: SocketOpenOptions, onEvents: (events: SocketEvent[]) => void) => Promise<NetlinkSocket>;

/** Knobs of the native socket that only tests need. */
export interface NativeSocketOptions {
  /** Create the socket as this uid/gid (helper thread only): the kernel then answers EPERM. */
  unprivileged?: { uid: number; gid: number };
  /** User-space read buffer size (tiny values provoke MSG_TRUNC). */
  readBufferBytes?: number;
  /** A netlink protocol other than NETLINK_NETFILTER. */
  protocol?: number;
  /** As if on this platform (tests of the off-Linux error). */
  platform?: string;
  /** Where to look for the addon. */
  addonPaths?: string[];
}

/** The native addon as an OpenSocket. */
export function nativeSocket(o: NativeSocketOptions = {}): OpenSocket {
  return async (options, onEvents) => {
    const native = loadNative({ platform: o.platform, paths: o.addonPaths });
    const result = await native.open(
      {
        ...options,
        readBufferBytes: o.readBufferBytes,
        unprivilegedUid: o.unprivileged?.uid,
        unprivilegedGid: o.unprivileged?.gid,
        protocol: o.protocol,
      },
      // An addon older than this package (a stale platform package) hands over event objects.
      (batch: NativeBatch | NativeEvent[]) => onEvents(Array.isArray(batch) ? batch : unpackBatch(batch)),
    );
    if ('portId' in result) return withSendNow(result, onEvents);
    throw new CtTimeoutError(isErrorCode(result.code) ? result.code : 'ERR_SOCKET', `open: ${result.message}`, {
      source: 'transport',
      operation: 'open',
      errno: result.errno ?? undefined,
    });
  };
}

/**
 * Events from the addon's plain-memory form (crates/socket conn::Packed): `entries` entries of
 * four numbers in `meta` (seq, length, terminal 0/1, errno), the chunks' bytes back to back in
 * `data`; an entry of length -1 is the next of `others`. Chunks are copies (V8's own memory,
 * no finalizer per reply), but with `view` those of VIEW_BYTES or more are views of `data`.
 */
function unpack(meta: Int32Array, entries: number, data: Uint8Array, others: readonly NativeEvent[], view = false): SocketEvent[] {
  const events: SocketEvent[] = [];
  for (let i = 0, at = 0, next = 0; i < entries; i++) {
    const length = meta[i * 4 + 1]!;
    if (length < 0) {
      events.push(others[next++]!);
      continue;
    }
    // A dump datagram (up to 32 KiB) is a view of the batch's buffer; small replies are copied,
    // so an ACK kept by a caller does not keep 128 KiB alive.
    const chunk = view && length >= VIEW_BYTES ? data.subarray(at, at + length) : data.slice(at, at + length);
    events.push({ kind: 'chunk', seq: meta[i * 4]! >>> 0, data: chunk, terminal: meta[i * 4 + 2] === 1, errno: meta[i * 4 + 3]! });
    at += length;
  }
  return events;
}

/** Chunks at least this large are views of the I/O thread's batch buffer, not copies. */
const VIEW_BYTES = 4096;

/** A batch from the I/O thread: its entries, then the bytes, in one buffer. */
function unpackBatch(b: NativeBatch): SocketEvent[] {
  const size = b.entries * 16;
  const p = b.packed;
  // Int32Array needs 4-byte alignment (the addon's buffers have it; copy when not).
  const meta = p.byteOffset % 4 === 0 ? new Int32Array(p.buffer, p.byteOffset, b.entries * 4) : new Int32Array(p.slice(0, size).buffer);
  return unpack(meta, b.entries, p.subarray(size), b.others, true);
}

/** Room for the direct path's replies (a GET's object and ACK are ~250 bytes). */
const DIRECT_BYTES = 16 * 1024;
const DIRECT_CHUNKS = 16;

/** The native socket with sendNow delivering its replies through onEvents. */
function withSendNow(native: NativeSocket, onEvents: (events: SocketEvent[]) => void): NetlinkSocket {
  // An addon older than this package (a stale platform package) lacks the direct path.
  const direct = typeof native.sendNow === 'function' && typeof native.setIdle === 'function';
  // The addon writes plain reply chunks here (bytes; seq, length, terminal, errno per chunk)
  // instead of making event objects; copies taken with slice() are V8's own memory.
  const out = new Uint8Array(DIRECT_BYTES);
  const meta = new Int32Array(DIRECT_CHUNKS * 4);
  return {
    portId: native.portId,
    send: (data) => native.send(data),
    sendNow(data) {
      if (!direct) return false;
      const r = native.sendNow(data, out, meta);
      if (r === null) return false;
      const events = typeof r === 'number' ? unpack(meta, r, out, []) : r;
      if (events.length > 0) onEvents(events);
      return true;
    },
    idle: () => direct && native.setIdle(),
    setPaused: (paused) => native.setPaused(paused),
    setReceiveBuffer: (bytes) => native.setReceiveBuffer(bytes),
    receiveBuffer: () => native.receiveBuffer(),
    counters: () => native.counters(),
    close: () => native.close(),
  };
}

/**
 * Runs an OpenSocket; whatever it throws that is not a CtTimeoutError (a test's own fake, a
 * broken addon) becomes ERR_SOCKET, so open() only ever rejects with typed errors.
 */
export async function openSocket(open: OpenSocket, options: SocketOpenOptions, onEvents: (events: SocketEvent[]) => void): Promise<NetlinkSocket> {
  try {
    return await open(options, onEvents);
  } catch (e) {
    if (e instanceof CtTimeoutError) throw e;
    throw new CtTimeoutError('ERR_SOCKET', `open: the socket could not be opened: ${e instanceof Error ? e.message : String(e)}`, {
      source: 'transport',
      operation: 'open',
      cause: e,
    });
  }
}
