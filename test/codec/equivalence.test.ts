// The fast path (tape read in TS) and the JSON path (serde in Rust) must give the same
// objects for any input: every capture, every prefix of one, random bytes and mutations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, decodeJson, encodeBatch, policyNameToJson } from '../../packages/cttimeout/src/codec/node.js';
import { captures } from '../helpers/fixtures.js';

// Names that are not UTF-8 are bytes in decode() and {hex} in JSON: compare the JSON form.
const same = (b: Uint8Array) => {
  const d = decode(b);
  for (const m of d.messages) if (m.kind === 'timeout' && m.name instanceof Uint8Array) m.name = policyNameToJson(m.name) as never;
  expect(d).toStrictEqual(JSON.parse(decodeJson(b)));
};

describe('tape path equals JSON path', () => {
  it('for every capture and every prefix of it', () => {
    for (const c of captures) {
      const b = Uint8Array.from(Buffer.from(c.hex, 'hex'));
      for (let n = 0; n <= b.length; n++) same(b.subarray(0, n));
    }
  });

  it('for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        same(b);
      }),
      { numRuns: 3000 },
    );
  });

  it('for mutated policies, including non-UTF-8 names and unknown attributes', () => {
    const base = encodeBatch([
      { op: 'NEW', name: 'abc', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 5, CLOSE: 6 } },
      { op: 'NEW', name: 'héllo', l3proto: 'inet6', l4proto: 'sctp', timeouts: { HEARTBEAT_SENT: 7 } },
    ]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const b = base.slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        same(b);
      }),
      { numRuns: 3000 },
    );
  });
});
