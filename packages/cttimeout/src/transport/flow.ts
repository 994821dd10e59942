// Queue and flow control: which queued request goes out when, in how many sendmsg calls, and
// how large the receive buffer must be for the replies of what is in flight.
import type { TurnBudget } from './budget.js';
import { concatBytes } from './bytes.js';
import type { NetlinkSocket } from './socket.js';

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
/** Requests handed to the socket per event-loop turn. */
const FLUSH_SLICE = 1000;

/** What flow control needs to know of a request. */
export interface Outgoing {
  bytes: Uint8Array;
  dump: boolean;
  /** Internal requests (the ENOBUFS barrier) are not held back by the window. */
  internal: boolean;
  state: 'queued' | 'sent';
}

/** A FIFO with O(1) shift (Array.prototype.shift is O(n): quadratic for big batches). */
export class Fifo<T> {
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

export class FlowControl<R extends Outgoing> {
  readonly queue = new Fifo<R>();
  /** Sent requests (and abandoned ones) whose last reply has not come. */
  inFlight = 0;
  #dumpRunning = false;
  #scheduled = false;
  #window = 0;
  #receiveBuffer = 0;
  #cannotGrow = false;
  #pauses = 0;
  #stopped = false;

  constructor(
    private readonly sock: NetlinkSocket,
    private readonly noFlowControl: boolean,
    /** Called with each request as it goes out (before the socket sees it). */
    private readonly onSent: (r: R) => void,
    /** The socket threw instead of taking these requests: none reached the kernel. */
    private readonly onSendError: (rs: R[], error: unknown) => void,
    /** Work per event-loop turn on the JS thread (budget.ts), shared with reply handling. */
    private readonly budget: TurnBudget,
  ) {
    this.#setReceiveBuffer(sock.receiveBuffer());
  }

  get window(): number {
    return this.#window;
  }
  get receiveBuffer(): number {
    return this.#receiveBuffer;
  }
  get paused(): boolean {
    return this.#pauses > 0;
  }

  push(r: R): void {
    this.queue.push(r);
    this.schedule();
  }

  /** Ahead of everything queued (the barrier must follow exactly what was sent). */
  pushFront(r: R): void {
    this.queue.unshift(r);
    this.schedule();
  }

  /** A sent request got its last reply, or is known never to get it. */
  ended(dump: boolean): void {
    this.inFlight--;
    if (dump) this.#dumpRunning = false;
    if (this.inFlight === 0 && !this.#stopped) this.sock.idle?.();
  }

  /** Stops sending for good (close, fatal socket error). */
  stop(): void {
    this.#stopped = true;
    this.queue.clear();
  }

  /** Sends soon: requests made in the same tick go out together, in one sendmsg. */
  schedule(): void {
    if (this.#scheduled || this.queue.length === 0 || this.#stopped) return;
    this.#scheduled = true;
    queueMicrotask(this.#flushLater);
  }

  readonly #flushLater = () => {
    this.#scheduled = false;
    this.#flush();
  };

  /** Pause or resume reading; counted, so two slow streams both have to catch up. */
  pause(delta: number): void {
    const before = this.#pauses;
    this.#pauses = Math.max(0, this.#pauses + delta);
    if (before > 0 !== this.#pauses > 0 && !this.#stopped) this.sock.setPaused(this.#pauses > 0);
  }

  /** May the next queued request go now? */
  #mayGo(r: R): boolean {
    if (r.dump && this.#dumpRunning) return false; // the kernel runs one dump per socket
    return this.noFlowControl || r.internal || this.inFlight < this.#window || this.inFlight === 0;
  }

  #flush(): void {
    if (this.#stopped || this.queue.length === 0) return;
    if (this.inFlight === 0 && this.queue.length === 1 && !this.queue.peek()!.dump && this.sock.sendNow && this.budget.late) {
      // It would be sent on this thread (the kernel runs it inside sendmsg), and this turn has
      // had its share (an await loop answered that way is microtasks only): the next turn.
      this.#scheduled = true;
      setImmediate(this.#flushLater);
      return;
    }
    if (!this.noFlowControl && this.inFlight + this.queue.length > this.#window) this.#grow(this.inFlight + this.queue.length);
    const parts: R[] = [];
    let size = 0;
    let slice = FLUSH_SLICE;
    while (this.queue.length > 0 && this.#mayGo(this.queue.peek()!)) {
      if (slice-- === 0) {
        // A huge batch goes out in slices, one per event-loop turn: timers and I/O keep running
        // and the kernel starts on the first slice while JS prepares the next.
        this.#scheduled = true;
        setImmediate(this.#flushLater);
        break;
      }
      const r = this.queue.shift()!;
      if (size + r.bytes.length > MAX_SENDMSG) size = this.#send(parts);
      r.state = 'sent';
      this.inFlight++;
      if (r.dump) this.#dumpRunning = true;
      this.onSent(r);
      parts.push(r);
      size += r.bytes.length;
    }
    this.#send(parts);
  }

  /** One sendmsg of `parts`; empties them and returns the new size, 0. */
  #send(parts: R[]): number {
    if (parts.length === 0) return 0;
    const sent = parts.splice(0);
    try {
      // Alone on the socket, a request is answered inside sendmsg: read its reply on this
      // thread (no hop to the I/O thread). A dump continues in recvmsg: the I/O thread's job.
      const only = sent.length === 1 && this.inFlight === 1 ? sent[0]! : undefined;
      if (only && !only.dump && this.sock.sendNow) {
        this.budget.take();
        if (this.sock.sendNow(only.bytes)) return 0;
      }
      this.sock.send(sent.length === 1 ? sent[0]!.bytes : concatBytes(sent.map((r) => r.bytes)));
    } catch (e) {
      this.onSendError(sent, e);
    }
    return 0;
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
      this.#setReceiveBuffer(this.sock.setReceiveBuffer(want));
    } catch {
      // Keep the current window: requests then wait in the queue instead.
    }
    // Without CAP_NET_ADMIN the kernel caps SO_RCVBUF at net.core.rmem_max: stop asking.
    this.#cannotGrow = this.#receiveBuffer <= before;
  }
}
