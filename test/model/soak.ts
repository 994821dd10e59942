// The long model-based run: `npm run soak -- --minutes N` or `-- --ops N` (scripts/soak.sh).
// Runs the generator of driver.ts sequence after sequence, each in a fresh private namespace,
// without shrinking, until the budget is spent; prints progress, every mismatch with its seed
// and command sequence, and a JSON summary line. Exit status 1 when anything disagreed.
import fc from 'fast-check';
import { it } from 'vitest';
import { detectHz } from '../../packages/cttimeout/src/index.js';
import { FEATURES, generator, newStats, property } from './driver.js';

const minutes = Number(process.env.CTTIMEOUT_SOAK_MINUTES ?? 0);
const maxOps = Number(process.env.CTTIMEOUT_SOAK_OPS ?? 0);
const seed0 = Number(process.env.CTTIMEOUT_SOAK_SEED ?? Date.now() % 1_000_000_007);

it(
  'soak',
  async () => {
    const { hz, source } = await detectHz();
    const stats = newStats();
    const prop = property(generator(hz, FEATURES), stats, hz);
    const deadline = minutes > 0 ? Date.now() + minutes * 60_000 : Infinity;
    const started = Date.now();
    const mismatches: Array<{ seed: number; error: string; commands: string }> = [];
    let lastReport = started;
    let seed = seed0;
    while (Date.now() < deadline && (maxOps === 0 || stats.ops < maxOps)) {
      const r = await fc.check(prop, { numRuns: 1, seed, endOnFailure: true });
      if (r.failed) {
        mismatches.push({
          seed,
          error: String(r.errorInstance instanceof Error ? r.errorInstance.message : r.errorInstance),
          commands: String(r.counterexample?.[0]),
        });
        console.log(`MISMATCH seed ${seed}: ${mismatches.at(-1)!.error}\n  sequence: ${mismatches.at(-1)!.commands}`);
      }
      seed++;
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        console.log(`soak: ${stats.ops} operations, ${stats.runs} sequences, ${mismatches.length} mismatches, ${Math.round((Date.now() - started) / 1000)}s`);
      }
    }
    const summary = {
      hz,
      hzSource: source,
      seconds: Math.round((Date.now() - started) / 1000),
      firstSeed: seed0,
      sequences: stats.runs,
      operations: stats.ops,
      mismatches: mismatches.length,
      byCommand: stats.byCommand,
      edges: stats.edges,
    };
    console.log(`SOAK SUMMARY ${JSON.stringify(summary)}`);
    if (mismatches.length > 0) throw new Error(`${mismatches.length} mismatches (seeds ${mismatches.map((m) => m.seed).join(', ')})`);
  },
  7 * 24 * 3600_000,
);
