// Fuzz harness: a valid policy list is read back exactly, and the same file with one byte
// changed gives policies or an error naming the file. Its own file so that it, the slowest
// harness (two YAML parses a case), runs beside the others. See harness.ts for the budget.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../packages/cttimeout/src/generated/table.js';
import { budget, count, TIMEOUT } from './harness.js';
import { MAX, parsePolicies, readText } from './policy-input.js';

/** A policy with every field valid, so the file must be accepted. */
const validPolicy = fc.constantFrom(...PROTOCOLS).chain((p) =>
  fc.record({
    name: fc.string({ unit: fc.constantFrom(...'abcxyz-_.0123456789'), minLength: 1, maxLength: 31 }),
    family: fc.constantFrom('inet', 'inet6'),
    protocol: fc.constant(p.name),
    timeouts: fc.dictionary(fc.constantFrom(...p.states.map((s) => s.name)), fc.integer({ min: 0, max: MAX }), { maxKeys: p.states.length }),
  }),
);

describe('policy files', () => {
  it(
    'a valid list is read back exactly; the same list with one byte changed still never crashes',
    () => {
      fc.assert(
        fc.property(fc.uniqueArray(validPolicy, { maxLength: 6, selector: (p) => p.name }), fc.nat(), fc.integer({ min: 0, max: 127 }), (list, at, ch) => {
          count('policy-file valid+mutated');
          const text = JSON.stringify(list, null, 1);
          expect(readText(text)).toEqual(list);
          parsePolicies(text.slice(0, at % (text.length + 1)) + String.fromCharCode(ch) + text.slice((at % (text.length + 1)) + 1));
        }),
        budget(500),
      );
    },
    TIMEOUT,
  );
});
