// Names are bytes: the golden name cases (golden.json "names", also run by golden.rs), lone
// surrogates, and random byte names through encode → decode (tape and JSON), nfct's bytes and
// the JSON form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CtTimeoutError,
  decode,
  decodeJson,
  encodeRequest,
  formatNfct,
  formatNfctBytes,
  policyNameBytes,
  policyNameDisplay,
  policyNameEquals,
  policyNameFromJson,
  policyNameKey,
  policyNameToJson,
  type PolicyName,
  type PolicyNameJson,
  type TimeoutMessage,
} from '../../packages/cttimeout/src/codec/node.js';
import { golden, toHex } from '../helpers/fixtures.js';

interface NameCase {
  why: string;
  name: PolicyNameJson;
  bytesHex?: string;
  code?: string;
}

const policy = (name: PolicyName) => encodeRequest({ op: 'NEW', seq: 1, name, l3proto: 'inet', l4proto: 'udp', timeouts: { UNREPLIED: 5 } });
const decoded = (b: Uint8Array) => decode(b).messages[0] as TimeoutMessage;
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CtTimeoutError);
    return (e as CtTimeoutError).code;
  }
  return undefined;
};
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const nfctLine = (bytes: Uint8Array) => new Uint8Array([0x2e, ...bytes, ...Buffer.from(' = {\n')]);
const startsWith = (a: Uint8Array, prefix: Uint8Array) => toHex(a.subarray(0, prefix.length)) === toHex(prefix);

describe('golden name cases', () => {
  it.each((golden.names as NameCase[]).map((c) => [c.why, c] as const))('%s', (_why, c) => {
    // the JSON form, and the same name given as bytes, give the same result
    const forms: PolicyName[] = [typeof c.name === 'string' ? c.name : fromHex(c.name.hex)];
    if (typeof c.name === 'string') forms.push(new TextEncoder().encode(c.name));
    for (const name of forms) {
      if (c.code !== undefined) {
        let err: unknown;
        try {
          policy(name);
        } catch (e) {
          err = e;
        }
        expect(err).toMatchObject({ code: c.code, field: 'name' });
        expect(codeOf(() => policyNameBytes(name))).toBe(c.code);
        continue;
      }
      const b = policy(name);
      const want = fromHex(c.bytesHex!);
      const m = decoded(b);
      if (typeof c.name === 'string') expect(m.name).toBe(c.name);
      else expect(toHex(m.name as Uint8Array)).toBe(c.bytesHex);
      expect(JSON.parse(decodeJson(b)).messages[0].name).toStrictEqual(c.name);
      expect(policyNameToJson(m.name!)).toStrictEqual(c.name);
      const text = formatNfctBytes(b);
      expect(text.error).toBeUndefined();
      expect(startsWith(text.text, nfctLine(want))).toBe(true);
      expect(text.text.at(-1)).toBe(0x0a);
      expect(toHex(policyNameBytes(name))).toBe(c.bytesHex);
    }
  });
});

describe('names are bytes', () => {
  it('0xff and U+FFFD are different names everywhere', () => {
    const ff = decoded(policy(new Uint8Array([0xff]))).name!;
    const fffd = decoded(policy('\uFFFD')).name!;
    expect(ff).toBeInstanceOf(Uint8Array);
    expect(fffd).toBe('\uFFFD');
    expect(policyNameEquals(ff, fffd)).toBe(false);
    expect(policyNameKey(ff)).not.toBe(policyNameKey(fffd));
    expect(policyNameEquals(new Uint8Array([0xef, 0xbf, 0xbd]), '\uFFFD')).toBe(true);
    expect(policyNameDisplay(ff)).toBe('{"hex":"ff"}');
    expect(policyNameDisplay('web')).toBe('"web"');
  });

  it('refuses lone surrogates, high and low, never sending U+FFFD', () => {
    for (const s of ['web\uD800', '\uDC00', 'a\uDC00\uD800b', '\uD83D', 'x\uDE00']) {
      expect(codeOf(() => policy(s))).toBe('ERR_INVALID_NAME');
      expect(codeOf(() => policyNameBytes(s))).toBe('ERR_INVALID_NAME');
      expect(codeOf(() => policyNameFromJson(s))).toBe('ERR_INVALID_NAME');
    }
    expect(() => policy('web\uD800')).toThrow(/lone surrogate U\+D800 at index 3/);
    // a well-formed pair is fine: 4 UTF-8 bytes
    expect(toHex(policyNameBytes('\uD83D\uDE00'))).toBe('f09f9880');
    expect(decoded(policy('\uD83D\uDE00')).name).toBe('\uD83D\uDE00');
  });

  it('refuses what is neither a string nor bytes', () => {
    for (const v of [5, null, {}, ['a']]) {
      expect(codeOf(() => encodeRequest({ op: 'GET', name: v as never }))).toBe('ERR_INVALID_NAME');
      expect(codeOf(() => policyNameBytes(v))).toBe('ERR_INVALID_NAME');
    }
  });

  it('reads the JSON form both ways and refuses bad hex', () => {
    expect(policyNameFromJson({ hex: 'ff' })).toStrictEqual(new Uint8Array([0xff]));
    expect(policyNameFromJson({ hex: '6162' })).toBe('ab');
    expect(policyNameFromJson({ hex: 'C3A9' })).toBe('é');
    for (const bad of [{ hex: 'f' }, { hex: 'zz' }, { hex: 'ff', x: 1 }, { hex: 5 }, 7, null, { hex: '00' }, { hex: 'ff'.repeat(32) }]) {
      expect(codeOf(() => policyNameFromJson(bad))).toMatch(/^ERR_(INVALID_NAME|NAME_NUL|NAME_TOO_LONG)$/);
    }
  });

  it('keeps nfct bytes exact where the text form cannot', () => {
    const b = policy(new Uint8Array([0x61, 0xff]));
    expect(formatNfct(b).blocks[0]!.startsWith('.a\uFFFD = {')).toBe(true);
    expect(startsWith(formatNfctBytes(b).text, nfctLine(new Uint8Array([0x61, 0xff])))).toBe(true);
    // and the text of a datagram is every block with its newline, as nfct writes it
    const two = new Uint8Array([...b, ...policy('z')]);
    const text = Buffer.from(formatNfctBytes(two).text).toString('latin1');
    expect(text.split('\n};\n').length).toBe(3);
    const cut = formatNfctBytes(two.subarray(0, b.length + 3));
    expect(cut.error?.code).toBe('ERR_TRUNCATED');
    expect(startsWith(cut.text, nfctLine(new Uint8Array([0x61, 0xff])))).toBe(true);
  });

  it('round-trips every byte name of 0..31 bytes without NUL, on both decode paths', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 31 }).map((a) => a.map((x) => x || 1)),
        (bytes) => {
          const b = policy(bytes);
          const m = decoded(b);
          expect(toHex(policyNameBytes(m.name!))).toBe(toHex(bytes));
          expect(JSON.parse(decodeJson(b)).messages[0].name).toStrictEqual(policyNameToJson(m.name!));
          expect(toHex(policyNameBytes(policyNameFromJson(policyNameToJson(m.name!))))).toBe(toHex(bytes));
          expect(startsWith(formatNfctBytes(b).text, nfctLine(bytes))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads ASCII names of every length 1..31 exactly, whatever chunk of the fast path each byte falls in', () => {
    // the tape decoder builds ASCII names 8, then 4, then 1 character at a time: every position differs
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_.0123456789~';
    for (let len = 1; len <= 31; len++) {
      for (const start of [0, 7, 19]) {
        const name = Array.from({ length: len }, (_, i) => alphabet[(start + i * 3) % alphabet.length]).join('');
        const b = policy(name);
        expect(decoded(b).name).toBe(name);
        expect(JSON.parse(decodeJson(b)).messages[0].name).toBe(name);
      }
    }
    // one non-ASCII byte at any position leaves the fast path for the UTF-8 one
    for (let at = 0; at < 12; at++) {
      const name = 'x'.repeat(at) + 'é' + 'y'.repeat(11 - at);
      expect(decoded(policy(name)).name).toBe(name);
    }
  });

  it('refuses every name of 32 bytes or more, and every name with a NUL', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 64 }), fc.uint8Array({ minLength: 1, maxLength: 31 }), fc.nat(), (long, short, at) => {
        expect(codeOf(() => policy(long))).toBe('ERR_NAME_TOO_LONG');
        const withNul = short.map((x) => x || 1);
        withNul[at % withNul.length] = 0;
        expect(codeOf(() => policy(withNul))).toBe('ERR_NAME_NUL');
      }),
      { numRuns: 500 },
    );
  });
});
