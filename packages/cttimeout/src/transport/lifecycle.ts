// The life of a request: sequence number, timer, abort, and how it ends — with its last reply,
// an error, or abandoned by its caller (its sequence number then stays reserved while a late
// reply may still come, so that reply is never taken for another request's).
import { CtTimeoutError, type ErrorCode } from '../errors.js';
import type { FlowControl, Outgoing } from './flow.js';
import { nowMs } from './clock.js';
import { SeqTable } from './seq-table.js';

/** How many abandoned sequence numbers are remembered while a late reply may still come. */
const MAX_ZOMBIES = 65_536;

export interface Req extends Outgoing {
  seq: number;
  operation: string;
  /** Reply chunks delivered so far, and the last one. */
  received: number;
  last?: Uint8Array;
  timeoutMs: number;
  /** While its timer runs: when it runs out (nowMs() milliseconds). */
  deadline?: number;
  signal?: AbortSignal;
  /** Receives each chunk; settle() ends the request (error, or undefined for success). */
  onChunk: (chunk: Uint8Array) => void;
  settle: (error: CtTimeoutError | undefined) => void;
}

export function transportError(
  code: ErrorCode,
  message: string,
  extra: { operation?: string; seq?: number; errno?: number; sent?: boolean; cause?: unknown } = {},
): CtTimeoutError {
  return new CtTimeoutError(code, message, { source: 'transport', ...extra });
}

/** "may have run" / "never sent" for messages of errors that end a request early. */
export const sentWords = (r: Req): string => (r.state === 'sent' ? 'the request was sent and may have been executed' : 'the request was never sent');

/** setTimeout's largest delay; longer ones fire at once. */
const MAX_DELAY = 0x7fffffff;

/**
 * One timer for all of a transport's requests, set for the earliest deadline, instead of a
 * setTimeout each: a Timeout, its closure and context are ~300 bytes that a request waiting in
 * a big batch keeps alive through every scavenge. When it fires it ends the requests that are
 * due and sets itself for the next; a request that ends before its deadline only leaves the set.
 */
class Deadlines {
  readonly #armed = new SeqTable<Req>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fireAt = Number.POSITIVE_INFINITY;

  constructor(private readonly expire: (r: Req) => void) {}

  arm(r: Req, now: number): void {
    r.deadline = now + r.timeoutMs;
    this.#armed.set(r);
    if (r.deadline < this.#fireAt) this.#schedule(r.deadline);
  }

  disarm(r: Req): void {
    if (r.deadline === undefined) return;
    r.deadline = undefined;
    this.#armed.delete(r.seq, r);
    if (this.#armed.size === 0) this.#schedule(Number.POSITIVE_INFINITY);
  }

  /** Sets the timer for `at` (none for Infinity). */
  #schedule(at: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#fireAt = at;
    if (at !== Number.POSITIVE_INFINITY) this.#timer = setTimeout(this.#fire, Math.min(MAX_DELAY, Math.max(1, Math.ceil(at - nowMs()))));
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#fireAt = Number.POSITIVE_INFINITY;
    const now = nowMs();
    const due = this.#armed.values().filter((r) => r.deadline! <= now);
    for (const r of due) {
      this.disarm(r);
      this.expire(r);
    }
    let next = Number.POSITIVE_INFINITY;
    for (const r of this.#armed.values()) next = Math.min(next, r.deadline!);
    if (next < this.#fireAt) this.#schedule(next);
  };
}

/** One abort listener per signal, fanned out to its requests (no MaxListenersExceededWarning). */
class AbortFanOut {
  readonly #bySignal = new Map<AbortSignal, { reqs: Set<Req>; onAbort: () => void }>();
  constructor(private readonly onAbort: (r: Req, reason: unknown) => void) {}

  add(r: Req, signal: AbortSignal): void {
    let entry = this.#bySignal.get(signal);
    if (!entry) {
      const reqs = new Set<Req>();
      const onAbort = () => {
        this.#bySignal.delete(signal);
        for (const x of reqs) this.onAbort(x, signal.reason);
      };
      entry = { reqs, onAbort };
      this.#bySignal.set(signal, entry);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    entry.reqs.add(r);
    r.signal = signal;
  }

  remove(r: Req): void {
    const signal = r.signal;
    if (!signal) return;
    r.signal = undefined;
    const entry = this.#bySignal.get(signal);
    if (!entry) return;
    entry.reqs.delete(r);
    if (entry.reqs.size === 0) {
      this.#bySignal.delete(signal);
      signal.removeEventListener('abort', entry.onAbort);
    }
  }
}

export class Lifecycle {
  /** Requests queued or sent, by seq. */
  readonly pending = new SeqTable<Req>();
  /** Abandoned sent requests whose last reply may still come: seq -> was a dump. */
  readonly zombies = new Map<number, boolean>();
  #nextSeq = 1 + Math.floor(Math.random() * 0x7fffffff);
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  readonly #deadlines = new Deadlines((r) => this.abandon(r, this.#timeoutError(r)));
  readonly #aborts = new AbortFanOut((r, reason) =>
    this.abandon(
      r,
      transportError('ERR_ABORTED', `${r.operation}: aborted; ${sentWords(r)}`, {
        operation: r.operation,
        seq: r.seq,
        sent: r.state === 'sent',
        cause: reason,
      }),
    ),
  );

  constructor(readonly flow: FlowControl<Req>) {}

  allocSeq(): number {
    for (;;) {
      const s = this.#nextSeq;
      this.#nextSeq = this.#nextSeq >= 0xffffffff ? 1 : this.#nextSeq + 1;
      if (!this.pending.has(s) && !this.zombies.has(s)) return s;
    }
  }

  /** Registers a new request and queues it. */
  start(r: Req, signal: AbortSignal | undefined): void {
    if (signal) this.#aborts.add(r, signal);
    this.pending.set(r);
    this.flow.push(r);
    // After the flush: a request answered inside sendmsg needs no keep-alive. One microtask
    // for every request started in this task (a batch starts thousands).
    if (!this.#keepAliveQueued) {
      this.#keepAliveQueued = true;
      queueMicrotask(this.#keepAliveLater);
    }
  }

  #keepAliveQueued = false;
  readonly #keepAliveLater = (): void => {
    this.#keepAliveQueued = false;
    this.#updateKeepAlive();
  };

  /**
   * {@link armTimer} once the flush queued before it has run (a request answered inside
   * sendmsg needs no timer): one microtask and one clock read for every request of a task,
   * where a closure, a microtask and a `process.hrtime()` each were ~1.5 µs of a batched
   * request's JS.
   */
  armSoon(r: Req): void {
    if (this.#toArm.push(r) === 1) queueMicrotask(this.#armQueued);
  }

  readonly #toArm: Req[] = [];
  readonly #armQueued = (): void => {
    const now = nowMs();
    const rs = this.#toArm;
    for (let i = 0; i < rs.length; i++) this.armTimer(rs[i]!, now);
    rs.length = 0;
  };

  /** Is `r` still waiting for its replies? */
  live(r: Req): boolean {
    return this.pending.get(r.seq) === r;
  }

  /** Starts the request's timer (its timeoutMs from `now`), unless it runs already. */
  armTimer(r: Req, now = nowMs()): void {
    if (r.deadline !== undefined || !(r.timeoutMs > 0) || !this.live(r)) return;
    this.#deadlines.arm(r, now);
  }

  disarmTimer(r: Req): void {
    this.#deadlines.disarm(r);
  }

  #timeoutError(r: Req): CtTimeoutError {
    const message =
      r.state === 'queued'
        ? `${r.operation}: not sent: still queued after ${r.timeoutMs} ms (waiting behind a running dump or for room in the receive buffer); the kernel never saw it`
        : `${r.operation}: no reply from the kernel within ${r.timeoutMs} ms; ${sentWords(r)}`;
    return transportError('ERR_TIMEOUT', message, { operation: r.operation, seq: r.seq, sent: r.state === 'sent' });
  }

  /** The caller gives up (timeout, abort, stream closed). A sent request's seq stays reserved. */
  abandon(r: Req, err: CtTimeoutError | undefined): void {
    if (!this.live(r)) return;
    if (r.state === 'queued') {
      this.flow.queue.remove(r);
    } else {
      this.zombies.set(r.seq, r.dump);
      if (this.zombies.size > MAX_ZOMBIES) {
        // Forget the oldest: its reply is long lost. Keep the counters honest.
        const [seq, dump] = this.zombies.entries().next().value as [number, boolean];
        this.zombies.delete(seq);
        this.flow.ended(dump);
      }
    }
    this.#end(r, err);
    this.flow.schedule();
  }

  /** The request's last reply came, or it failed for good. */
  finish(r: Req, err: CtTimeoutError | undefined): void {
    if (!this.live(r)) return;
    if (r.state === 'sent') this.flow.ended(r.dump);
    this.#end(r, err);
  }

  /** A late reply ended a zombie: true if `seq` was one. */
  buryZombie(seq: number): boolean {
    const dump = this.zombies.get(seq);
    if (dump === undefined) return false;
    this.zombies.delete(seq);
    this.flow.ended(dump);
    return true;
  }

  /** Ends every request with the error `make` builds for it (close, fatal socket error). */
  failAll(make: (r: Req) => CtTimeoutError): void {
    this.flow.stop();
    for (const r of this.pending.values()) this.finish(r, make(r));
    this.zombies.clear();
  }

  #end(r: Req, err: CtTimeoutError | undefined): void {
    this.pending.delete(r.seq);
    this.disarmTimer(r);
    this.#aborts.remove(r);
    this.#updateKeepAlive();
    r.settle(err);
  }

  /** Keeps Node running while requests are pending (the native callback alone does not). */
  #updateKeepAlive(): void {
    const busy = this.pending.size > 0;
    if (busy && !this.#keepAlive) this.#keepAlive = setInterval(() => {}, 1 << 30);
    else if (!busy && this.#keepAlive) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
  }
}
