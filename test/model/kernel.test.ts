// A short model-based run against the real kernel (see driver.ts): random operation sequences
// in fresh private namespaces, every step checked against the model. `npm run soak` runs the
// same generator for as long as asked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectHz } from '../../packages/cttimeout/src/index.js';
import { EDGE_KINDS, FEATURES, generator, newStats, property } from './driver.js';

const seconds = Number(process.env.CTTIMEOUT_MBT_SECONDS ?? 25);

describe('model-based test against the kernel', () => {
  it(
    `random operation sequences agree with the model for ${seconds}s`,
    async () => {
      const { hz } = await detectHz();
      const stats = newStats();
      await fc.assert(property(generator(hz, FEATURES), stats, hz), {
        numRuns: 1_000_000,
        interruptAfterTimeLimit: seconds * 1000,
        markInterruptAsFailure: false,
      });
      console.log(`model-based: ${stats.runs} sequences, ${stats.ops} operations`, stats.byCommand, stats.edges);
      // Every kind of operation ran, and enough of them to mean something.
      expect(stats.ops).toBeGreaterThan(seconds * 10);
      expect(Object.keys(stats.byCommand).sort()).toEqual([
        'add',
        'add-exclusive',
        'apply',
        'apply-dry-run',
        'apply-prune',
        'attach',
        'default-get',
        'default-set',
        'delete',
        'detach',
        'flush',
        'get',
        'list',
        'replace',
        'replace-merge',
      ]);
      // ...and every edge case of the issue: names of 0, 1, 31, 32 bytes, as bytes, not UTF-8, lone
      // surrogates; values 0, 1, the HZ limit and past it; lower-case states; every protocol.
      expect(EDGE_KINDS.filter((k) => !stats.edges[k])).toEqual([]);
    },
    (seconds + 240) * 1000,
  );
});
