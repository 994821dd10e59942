// Fuzz harness, capture readers: a pcap cut anywhere. See harness.ts for the budget; one property a file
// so that scripts/fuzz.sh runs them side by side.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPcap, writePcap } from '../../packages/cttimeout/src/capture/index.js';
import { budget, count, TIMEOUT } from './harness.js';
import { sample } from './capture-input.js';

describe('capture readers', () => {
  it(
    'a pcap cut anywhere gives the records before the cut, and an error iff a record is cut',
    () => {
      const whole = writePcap(sample);
      const full = readPcap(whole).datagrams.map((d) => Buffer.from(d.bytes).toString('hex'));
      fc.assert(
        fc.property(fc.integer({ min: 24, max: whole.length }), (n) => {
          count('pcap cut');
          const c = readPcap(whole.subarray(0, n));
          const got = c.datagrams.map((d) => Buffer.from(d.bytes).toString('hex'));
          expect(got).toEqual(full.slice(0, got.length));
          let end = 24;
          const ends = sample.map((d) => (end += 32 + d.bytes.length));
          expect(c.error === undefined).toBe(n === 24 || ends.includes(n));
          if (c.error) expect(c.error).toMatchObject({ code: 'ERR_CAPTURE_TRUNCATED', offset: n === 24 ? 24 : [24, ...ends].filter((e) => e < n).at(-1) });
        }),
        budget(500),
      );
    },
    TIMEOUT,
  );
});
