// Fuzz harness, capture readers: mutated pcap, pcapng, strace and hex files. See harness.ts for the budget; one property a file
// so that scripts/fuzz.sh runs them side by side.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { budget, count, TIMEOUT } from './harness.js';
import { readAny, seeds } from './capture-input.js';

describe('capture readers', () => {
  it(
    'mutated pcap, pcapng, strace and hex files: a capture or an ERR_CAPTURE_* error',
    () => {
      fc.assert(
        fc.property(
          fc.nat(seeds.length - 1),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
          fc.nat(),
          (i, edits, cut) => {
            count('capture mutated');
            const b = seeds[i]!.slice(0, 1 + (cut % seeds[i]!.length));
            for (const [at, v] of edits) b[at % b.length] = v;
            readAny(b);
          },
        ),
        budget(2000),
      );
    },
    TIMEOUT,
  );
});
