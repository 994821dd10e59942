// A request's replies as an async iterable, with backpressure: reading the socket stops while
// the consumer is behind, and a stopped reader stops the kernel's dump.
import type { CtTimeoutError } from '../errors.js';
import type { Lifecycle, Req } from './lifecycle.js';

/** A stream consumer gets the chunks already buffered for at most this long before yielding. */
const YIELD_MS = 4;

/** How the stream starts its request: `onChunk`, `settle` as for any request. */
export type StartRequest = (onChunk: (c: Uint8Array) => void, settle: (e: CtTimeoutError | undefined) => void) => Req | undefined;

/** Bytes buffered for all streams of one transport and not yet taken (for stats). */
export interface StreamBytes {
  streamBytes: number;
}

export function replyStream(life: Lifecycle, counter: StreamBytes, highWaterMark: number, startRequest: StartRequest): AsyncIterable<Uint8Array> {
  const buffer: Uint8Array[] = [];
  let req: Req | undefined;
  let started = false;
  let finished = false;
  let failure: CtTimeoutError | undefined;
  let paused = false;
  let wake: (() => void) | undefined;
  const setPaused = (p: boolean) => {
    if (p === paused) return;
    paused = p;
    life.flow.pause(p ? 1 : -1);
  };
  const drop = () => {
    for (const c of buffer) counter.streamBytes -= c.length;
    buffer.length = 0;
  };
  const onChunk = (c: Uint8Array) => {
    buffer.push(c);
    counter.streamBytes += c.length;
    if (buffer.length >= highWaterMark) setPaused(true);
    wake?.();
  };
  const settle = (err: CtTimeoutError | undefined) => {
    finished = true;
    failure = err;
    // A kernel error (DONE with an errno) comes after valid chunks: deliver them first.
    // Close, timeout or abort end the stream at once.
    if (err?.source === 'transport') drop();
    setPaused(false);
    wake?.();
  };
  const take = (): IteratorResult<Uint8Array> | undefined => {
    const c = buffer.shift();
    if (c) {
      counter.streamBytes -= c.length;
      if (paused && buffer.length <= highWaterMark >> 1) setPaused(false);
      return { value: c, done: false };
    }
    if (failure) throw failure;
    if (finished) return { value: undefined, done: true };
    return undefined;
  };
  // A for-await loop over buffered chunks runs on microtasks only and would starve timers
  // and I/O: give the event loop a turn at least every YIELD_MS of consuming.
  let turn = performance.now();
  const iterator: AsyncIterator<Uint8Array> = {
    next: async () => {
      if (!started) {
        started = true;
        req = startRequest(onChunk, settle);
      }
      if (buffer.length > 0 && performance.now() - turn > YIELD_MS) {
        await new Promise((r) => setImmediate(r));
        turn = performance.now();
      }
      for (;;) {
        const got = take();
        if (got) return got;
        // Only waiting on the kernel counts against the timeout, not a slow consumer.
        if (req) life.armTimer(req);
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        turn = performance.now(); // woken from a native callback: the loop had its turn
        if (req) life.disarmTimer(req);
      }
    },
    return: async () => {
      if (req && !finished) life.abandon(req, undefined);
      finished = true;
      drop();
      setPaused(false);
      return { value: undefined, done: true };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
