/**
 * Monotonic milliseconds, for deadlines and turn budgets. Not `performance.now()`: in Node the
 * `performance` global loads node:perf_hooks on first use, 1–2 ms of a CLI's start-up, while
 * `process.hrtime()` is as fast per call and already loaded.
 */
export function nowMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
