// What the fast-check harnesses of test/fuzz share: the run budget and the case counts that
// scripts/fuzz.sh prints. In npm test each property runs a few thousand cases. With
// CTTIMEOUT_FUZZ_SECONDS each property runs for that long, or until CTTIMEOUT_FUZZ_CASES cases
// when that is set (the time is then a ceiling). Each property has its own file so vitest
// runs them side by side (scripts/fuzz.sh: FUZZ_TS_WORKERS at once).
import type fc from 'fast-check';
import { afterAll, expect } from 'vitest';

const seconds = Number(process.env.CTTIMEOUT_FUZZ_SECONDS ?? 0);
const cases = Number(process.env.CTTIMEOUT_FUZZ_CASES ?? 0);

/** Short in npm test; with CTTIMEOUT_FUZZ_SECONDS, as many cases as fit (or CTTIMEOUT_FUZZ_CASES). */
export const budget = (quick: number): fc.Parameters<unknown> =>
  seconds > 0 ? { numRuns: cases > 0 ? cases : 1e9, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false } : { numRuns: quick };

/** Each property's vitest timeout: its time budget plus room to start and finish. */
export const TIMEOUT = seconds > 0 ? seconds * 1000 + 120_000 : 60_000;

const counts: Record<string, number> = {};
/** Counts one case of a harness; the totals are printed as "FUZZ name: N cases, 0 failures". */
export const count = (name: string) => {
  counts[name] = (counts[name] ?? 0) + 1;
};
afterAll(() => {
  for (const [name, n] of Object.entries(counts)) console.log(`FUZZ ${name}: ${n} cases, 0 failures`);
});

/** An error this parser is allowed to throw: ours, with a message. */
export function ownError(e: unknown, kinds: ReadonlyArray<new (...a: never[]) => Error>): Error {
  if (!kinds.some((k) => e instanceof k)) throw new Error(`threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  expect((e as Error).message.length).toBeGreaterThan(0);
  return e as Error;
}
