// The golden suite of crates/codec/tests/golden.rs, run through the WebAssembly build.
import { describe, expect, it } from 'vitest';
import { decode, decodeJson, encodeRequest, formatNfct, CtTimeoutError } from '../../packages/cttimeout/src/codec/node.js';
import { bytes, captures, golden, mismatch, toHex } from '../helpers/fixtures.js';

describe('golden captures through WebAssembly', () => {
  it.each(golden.decode.map((c: { fixture: string }) => [c.fixture, c]))('decodes %s', (_id, c: { fixture: string; expect: unknown }) => {
    const b = bytes(c.fixture);
    expect(mismatch(c.expect, decode(b), c.fixture)).toBeUndefined();
    expect(mismatch(c.expect, JSON.parse(decodeJson(b)), c.fixture)).toBeUndefined();
  });

  it('has an expectation for every capture', () => {
    const covered = new Set([...golden.decode, ...golden.encode].map((c: { fixture: string }) => c.fixture));
    expect(captures.filter((c) => !covered.has(c.id)).map((c) => c.id)).toEqual([]);
  });

  it.each(golden.encode.map((c: { fixture: string }) => [c.fixture, c]))('encodes %s byte for byte', (_id, c: { fixture: string; request: never }) => {
    expect(toHex(encodeRequest(c.request))).toBe(toHex(bytes(c.fixture)));
  });

  it.each(golden.encodeErrors.map((c: { why: string }) => [c.why, c]))(
    'rejects: %s',
    (_why, c: { request: { maxSeconds?: number }; code: string; field: string }) => {
      const { maxSeconds, ...request } = c.request;
      let err: unknown;
      try {
        encodeRequest(request as never, maxSeconds === undefined ? {} : { maxSeconds });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CtTimeoutError);
      expect((err as CtTimeoutError).code).toBe(c.code);
      expect((err as CtTimeoutError).field).toBe(c.field);
    },
  );

  it.each(golden.nfct.map((c: { fixture: string }) => [c.fixture, c]))('prints %s as nfct does', (_id, c: { fixture: string; text: string }) => {
    expect(formatNfct(bytes(c.fixture)).blocks[0]).toBe(c.text);
  });

  it('the matcher can fail', () => {
    expect(mismatch({ a: 1 }, { a: 2 })).toBeDefined();
    expect(mismatch({ timeouts: { X: 1 } }, { timeouts: { X: 1, Y: 2 } })).toBeDefined();
    expect(mismatch([1], [1, 2])).toBeDefined();
  });
});
