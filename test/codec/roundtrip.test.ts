// Generated requests of every protocol and op: encode → decode gives them back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPERATIONS, PROTOCOLS, decode, encodeBatch, encodeRequest, isDump } from '../../packages/cttimeout/src/codec/node.js';

const protocolArb = fc.constantFrom(...PROTOCOLS);
// Every op of the operations table; a name only where the op takes one.
const requestArb = fc.tuple(protocolArb, fc.constantFrom(...OPERATIONS)).chain(([p, o]) =>
  fc.record({
    op: fc.constant(o.op),
    seq: fc.nat({ max: 0xffffffff }),
    name:
      o.name === 'no'
        ? fc.constant(undefined)
        : fc.string({ minLength: 0, maxLength: 10, unit: 'grapheme' }).filter((s) => !s.includes('\0') && Buffer.byteLength(s) <= 31),
    l3proto: fc.constantFrom('inet', 'inet6') as fc.Arbitrary<'inet' | 'inet6'>,
    l4proto: fc.constant(p.name),
    timeouts: fc
      .subarray(p.states.map((s) => s.name))
      .chain((names) => fc.tuple(...names.map(() => fc.nat({ max: 0xffffffff }))).map((vals) => Object.fromEntries(names.map((n, i) => [n, vals[i]!])))),
  }),
);

describe('encode → decode', () => {
  it('gives every field back', () => {
    fc.assert(
      fc.property(requestArb, (r) => {
        const [m] = decode(encodeRequest(r)).messages;
        if (m?.kind !== 'timeout') throw new Error('not a timeout message');
        expect(m.header.seq).toBe(r.seq);
        const o = OPERATIONS.find((x) => x.op === r.op)!;
        expect(m.header.type).toBe(o.type);
        expect(isDump(m.header.type, m.header.flags)).toBe(o.dump);
        expect(m.name).toBe(r.name);
        expect(m.family).toBe(r.l3proto);
        expect(m.protocol).toBe(r.l4proto);
        expect(m.timeouts).toEqual(r.timeouts);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps every request of a batch, in order', () => {
    fc.assert(
      fc.property(fc.array(requestArb, { minLength: 1, maxLength: 30 }), (rs) => {
        const d = decode(encodeBatch(rs));
        expect(d.error).toBeUndefined();
        expect(d.messages.map((m) => m.header.seq)).toEqual(rs.map((r) => r.seq));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects non-integer and out-of-range numbers where JS would silently wrap', () => {
    for (const v of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => encodeRequest({ op: 'NEW', name: 'x', l3proto: 'inet', l4proto: 'udp', timeouts: { REPLIED: v } })).toThrow(/REPLIED/);
    }
    expect(() => encodeRequest({ op: 'GET', name: 'x', seq: -5 })).toThrow(/seq/);
    expect(() => encodeRequest({ op: 'NEW', name: 'x', l3proto: 'inet', l4proto: 'udp', timeouts: { ESTABLISHED: 1 } })).toThrow(/not a state of udp/);
  });

  it('refuses a name on the ops that act on every policy', () => {
    expect(() => encodeRequest({ op: 'DUMP', name: 'x' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'name' }));
    expect(() => encodeRequest({ op: 'FLUSH', name: '' })).toThrow(/FLUSH takes no name/);
    expect(encodeRequest({ op: 'DUMP' })).toStrictEqual(encodeRequest({ op: 'GET' }));
    expect(encodeRequest({ op: 'FLUSH' })).toStrictEqual(encodeRequest({ op: 'DELETE' }));
  });
});
