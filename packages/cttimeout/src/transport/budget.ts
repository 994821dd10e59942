// Work done on the JS thread per event-loop turn. Requests answered inside sendmsg (the direct
// path) resolve in microtasks, and so does an `await` loop over them: unbounded, 10,000 awaited
// creates ran as one task of 1.8 s while timers and other I/O waited. A Promise.all of 10,000
// ct.add() validates and encodes them all in the caller's task, and a batch of replies
// (thousands of ACKs) resolves thousands of promises in one callback. So each turn has a
// budget, in units of about one request's JS work (validate + encode, a direct send, a reply
// handled, a KiB of dump); once it is spent, the rest waits for a later turn (setImmediate). Counted, so that
// which path a request takes and how requests share a sendmsg do not depend on the machine's
// load; the one time limit is for requests sent on this thread (at 100,000 policies each NEW
// walks a long list inside sendmsg), and it only moves them to a later turn.
// One budget per thread: the event loop is the thread's, whatever the number of sockets.
import { nowMs } from './clock.js';

/** Units per event-loop turn. */
export const TURN_UNITS = 256;
/** Units of waiting work let go at the start of a turn (the rest is for replies). */
export const TURN_RELEASE = TURN_UNITS / 2;
/** Milliseconds of requests sent on this thread per turn, whatever the count. */
export const TURN_MS = 4;

export class TurnBudget {
  #used = 0;
  #start = 0;
  #armed = false;
  /** Work waiting for a turn, in call order: [units, go]. */
  readonly #waiting: [number, () => void][] = [];
  #head = 0;

  readonly #nextTurn = () => {
    this.#armed = false;
    this.#used = 0;
    let released = 0;
    while (this.#head < this.#waiting.length && released < TURN_RELEASE) {
      const [units, go] = this.#waiting[this.#head]!;
      this.#waiting[this.#head++] = undefined as never;
      released += units;
      this.take(units);
      go();
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting.length = 0;
      this.#head = 0;
    } else this.#arm();
  };

  #arm(): void {
    if (this.#armed) return;
    // The next setImmediate is the next turn: the count starts again there.
    this.#armed = true;
    this.#start = nowMs();
    setImmediate(this.#nextTurn);
  }

  /** Counts `n` units of work done in this turn. */
  take(n = 1): void {
    this.#arm();
    this.#used += n;
  }

  /** Is this turn's budget used up (further work should wait for a later turn)? */
  get spent(): boolean {
    return this.#used >= TURN_UNITS;
  }

  /** Spent, or work began more than TURN_MS ago in this turn. */
  get late(): boolean {
    return this.#used >= TURN_UNITS || (this.#used > 0 && nowMs() - this.#start >= TURN_MS);
  }

  /**
   * Takes `units` for work about to be done: undefined when it may run now, else a promise
   * that resolves (the units taken) on a later turn, after the work that waited before it.
   */
  enter(units = 1): Promise<void> | undefined {
    if (this.#head === this.#waiting.length && !this.spent) {
      this.take(units);
      return undefined;
    }
    this.#arm();
    return new Promise((go) => this.#waiting.push([units, go]));
  }
}

/** This thread's budget. */
export const turn = new TurnBudget();
