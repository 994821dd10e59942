// A request's replies as an async iterable, with backpressure: reading the socket stops while
// the consumer is behind, and a stopped reader stops the kernel's dump.
import type { CtTimeoutError } from '../errors.js';
import type { Lifecycle, Req } from './lifecycle.js';
import { nowMs } from './clock.js';

/** A stream consumer gets the chunks already buffered for at most this long before yielding. */
const YIELD_MS = 4;

/** How the stream starts its request: `onChunk`, `settle` as for any request. */
export type StartRequest = (onChunk: (c: Uint8Array) => void, settle: (e: CtTimeoutError | undefined) => void) => Req | undefined;

/** Bytes buffered for all streams of one transport and not yet taken (for stats). */
export interface StreamBytes {
  streamBytes: number;
}

/** The consumer's side of one request's replies. */
class ReplyStream implements AsyncIterator<Uint8Array> {
  readonly #buffer: Uint8Array[] = [];
  #req: Req | undefined;
  #started = false;
  #finished = false;
  #failure: CtTimeoutError | undefined;
  #paused = false;
  #wake: (() => void) | undefined;
  // A for-await loop over buffered chunks runs on microtasks only and would starve timers
  // and I/O: give the event loop a turn at least every YIELD_MS of consuming.
  #turn = nowMs();

  constructor(
    private readonly life: Lifecycle,
    private readonly counter: StreamBytes,
    private readonly highWaterMark: number,
    private readonly startRequest: StartRequest,
  ) {}

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (!this.#started) {
      this.#started = true;
      this.#req = this.startRequest(
        (c) => this.#onChunk(c),
        (e) => this.#settle(e),
      );
    }
    if (this.#buffer.length > 0 && nowMs() - this.#turn > YIELD_MS) {
      await new Promise((r) => setImmediate(r));
      this.#turn = nowMs();
    }
    for (;;) {
      const got = this.#take();
      if (got) return got;
      // Only waiting on the kernel counts against the timeout, not a slow consumer.
      if (this.#req) this.life.armTimer(this.#req);
      await new Promise<void>((r) => (this.#wake = r));
      this.#wake = undefined;
      this.#turn = nowMs(); // woken from a socket callback: the loop had its turn
      if (this.#req) this.life.disarmTimer(this.#req);
    }
  }

  /** Breaking out of the loop: the rest of the reply is drained and dropped. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    if (this.#req && !this.#finished) this.life.abandon(this.#req, undefined);
    this.#finished = true;
    this.#drop();
    this.#setPaused(false);
    return { value: undefined, done: true };
  }

  #setPaused(p: boolean): void {
    if (p === this.#paused) return;
    this.#paused = p;
    this.life.flow.pause(p ? 1 : -1);
  }

  #drop(): void {
    for (const c of this.#buffer) this.counter.streamBytes -= c.length;
    this.#buffer.length = 0;
  }

  #onChunk(c: Uint8Array): void {
    this.#buffer.push(c);
    this.counter.streamBytes += c.length;
    if (this.#buffer.length >= this.highWaterMark) this.#setPaused(true);
    this.#wake?.();
  }

  #settle(err: CtTimeoutError | undefined): void {
    this.#finished = true;
    this.#failure = err;
    // A kernel error (DONE with an errno) comes after valid chunks: deliver them first.
    // Close, timeout or abort end the stream at once.
    if (err?.source === 'transport') this.#drop();
    this.#setPaused(false);
    this.#wake?.();
  }

  #take(): IteratorResult<Uint8Array> | undefined {
    const c = this.#buffer.shift();
    if (c) {
      this.counter.streamBytes -= c.length;
      if (this.#paused && this.#buffer.length <= this.highWaterMark >> 1) this.#setPaused(false);
      return { value: c, done: false };
    }
    if (this.#failure) throw this.#failure;
    if (this.#finished) return { value: undefined, done: true };
    return undefined;
  }
}

/** One request's replies as an async iterable; the request starts with the first next(). */
export function replyStream(life: Lifecycle, counter: StreamBytes, highWaterMark: number, startRequest: StartRequest): AsyncIterable<Uint8Array> {
  const it = new ReplyStream(life, counter, highWaterMark, startRequest);
  return { [Symbol.asyncIterator]: () => it };
}
