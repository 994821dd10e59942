// The one validation layer (validate.ts): pure functions, no kernel needed.
import { describe, expect, it } from 'vitest';
// Name rules are the codec's (WebAssembly): loaded as Node does.
import { policyNameBytes } from '../../packages/cttimeout/src/codec/node.js';
import {
  checkFamily,
  checkHz,
  checkName,
  checkPolicy,
  checkPolicyList,
  checkProtocol,
  checkSeconds,
  checkState,
  checkTimeouts,
  HZ_VALUES,
  limitOf,
  nameFromBytes,
  nameKey,
  parseSeconds,
  PolicyListError,
} from '../../packages/cttimeout/src/validate.js';
import { PROTOCOLS } from '../../packages/cttimeout/src/generated/table.js';
import { thrown } from '../helpers/errors.js';

const HZ250 = { hz: 250 };

describe('names', () => {
  it('takes strings as UTF-8 and bytes as they are, up to 31 bytes', () => {
    expect(checkName('web')).toEqual({ name: 'web', key: 'web' });
    expect(policyNameBytes('web')).toEqual(new Uint8Array([0x77, 0x65, 0x62]));
    expect(checkName('').name).toBe('');
    expect(policyNameBytes('')).toHaveLength(0);
    expect(checkName('é'.repeat(15) + 'x').name).toBe('é'.repeat(15) + 'x');
    expect(policyNameBytes('é'.repeat(15) + 'x')).toHaveLength(31);
    expect(() => checkName('é'.repeat(16))).toThrow(/32 bytes/);
    // UTF-8 bytes become the string; other bytes stay bytes
    expect(checkName(new Uint8Array([0x77, 0x65, 0x62])).name).toBe('web');
    const ff = checkName(new Uint8Array([0xff]));
    expect(ff.name).toEqual(new Uint8Array([0xff]));
    // \xff and U+FFFD (ef bf bd) are two different names
    expect(ff.key).not.toBe(checkName('\uFFFD').key);
    expect(nameKey(new Uint8Array([0xef, 0xbf, 0xbd]))).toBe(checkName('\uFFFD').key);
  });

  it('refuses a lone surrogate, too many bytes, NUL and non-names, naming the field', () => {
    for (const bad of ['web\uD800', '\uDC00x', 'a\uD800\uD800b']) {
      const e = thrown(() => checkName(bad));
      expect([e.code, e.field]).toEqual(['ERR_INVALID_NAME', 'name']);
    }
    expect(policyNameBytes('a\uD83D\uDE00')).toHaveLength(5); // a well-formed pair is fine
    expect(thrown(() => checkName('x'.repeat(32))).code).toBe('ERR_NAME_TOO_LONG');
    expect(thrown(() => checkName('é'.repeat(16))).code).toBe('ERR_NAME_TOO_LONG');
    expect(thrown(() => checkName(new Uint8Array(32).fill(0x61))).code).toBe('ERR_NAME_TOO_LONG');
    expect(thrown(() => checkName('a\0b')).code).toBe('ERR_NAME_NUL');
    expect(thrown(() => checkName(new Uint8Array([0x61, 0]))).code).toBe('ERR_NAME_NUL');
    for (const bad of [undefined, null, 5, 5n, {}, ['a']]) {
      const e = thrown(() => checkName(bad, 'policies[2].name'));
      expect([e.code, e.field]).toEqual(['ERR_INVALID_ARGUMENT', 'policies[2].name']);
    }
  });

  it('decodes bytes as the kernel hands them out', () => {
    expect(nameFromBytes(new Uint8Array([0x61, 0xc3, 0xa9]))).toBe('aé');
    expect(nameFromBytes(new Uint8Array([0x61, 0xc3]))).toEqual(new Uint8Array([0x61, 0xc3]));
  });
});

describe('families, protocols, states', () => {
  it('uses the generated table: names, aliases and numbers', () => {
    expect([checkFamily('inet'), checkFamily('inet6'), checkFamily(2), checkFamily(10)]).toEqual(['inet', 'inet6', 'inet', 'inet6']);
    for (const bad of ['ipv4', 'INET', 3, null]) expect(thrown(() => checkFamily(bad)).code).toBe('ERR_UNKNOWN_FAMILY');
    for (const p of PROTOCOLS) {
      expect(checkProtocol(p.name)).toBe(p.name);
      expect(checkProtocol(p.number)).toBe(p.name);
    }
    expect([checkProtocol('TCP'), checkProtocol('ipv6-icmp')]).toEqual(['tcp', 'icmpv6']);
    for (const bad of ['esp', 50, 6.5, undefined, '6']) {
      const e = thrown(() => checkProtocol(bad));
      expect([e.code, e.field]).toEqual(['ERR_UNKNOWN_PROTOCOL', 'protocol']);
    }
  });

  it('takes states in any case and returns the canonical name', () => {
    expect(checkState('tcp', 'established')).toBe('ESTABLISHED');
    expect(checkState('tcp', 'Syn_Sent2')).toBe('SYN_SENT2');
    const e = thrown(() => checkState('udp', 'established'));
    expect([e.code, e.field]).toEqual(['ERR_UNKNOWN_STATE', 'timeouts.established']);
    expect(e.message).toContain('UNREPLIED, REPLIED');
  });

  it('normalises a timeouts object, refusing two spellings of one state', () => {
    expect(checkTimeouts('tcp', { close: 10, established: 100 }, HZ250)).toEqual({ ESTABLISHED: 100, CLOSE: 10 });
    expect(Object.keys(checkTimeouts('tcp', { close: 10, established: 100 }, HZ250))).toEqual(['ESTABLISHED', 'CLOSE']);
    // Already in attribute order (the fast path) or not: the same canonical result, never the caller's object.
    const given = { SYN_SENT: 5, established: 100, CLOSE: 10 };
    expect(checkTimeouts('tcp', given, HZ250)).toEqual({ SYN_SENT: 5, ESTABLISHED: 100, CLOSE: 10 });
    expect(checkTimeouts('tcp', given, HZ250)).not.toBe(given);
    expect(thrown(() => checkTimeouts('tcp', { ESTABLISHED: 1.5 }, HZ250))).toMatchObject({ code: 'ERR_VALUE_RANGE', field: 'timeouts.ESTABLISHED' });
    expect(thrown(() => checkTimeouts('tcp', { ESTABLISHED: 1, nope: 2 }, HZ250))).toMatchObject({ code: 'ERR_UNKNOWN_STATE', field: 'timeouts.nope' });
    const dup = thrown(() => checkTimeouts('tcp', { ESTABLISHED: 1, established: 2 }, HZ250));
    expect([dup.code, dup.field]).toEqual(['ERR_DUPLICATE_STATE', 'timeouts.ESTABLISHED']);
    for (const bad of [null, [], 'x', 5]) expect(thrown(() => checkTimeouts('tcp', bad, HZ250)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(checkTimeouts('tcp', undefined, HZ250)).toEqual({});
  });
});

describe('values and HZ', () => {
  it('accepts integers 0..⌊(2³²−1)/HZ⌋ and nothing else', () => {
    expect(checkSeconds(0, HZ250, 'v')).toBe(0);
    expect(checkSeconds(17179869, HZ250, 'v')).toBe(17179869);
    const big = thrown(() => checkSeconds(17179870, HZ250, 'timeouts.CLOSE'));
    expect([big.code, big.field]).toEqual(['ERR_VALUE_RANGE', 'timeouts.CLOSE']);
    expect(big.message).toContain('HZ 250');
    for (const bad of [-1, 1.5, NaN, Infinity]) expect(thrown(() => checkSeconds(bad, HZ250, 'v')).code).toBe('ERR_VALUE_RANGE');
    for (const bad of [5n, '5', null, undefined, {}]) {
      const e = thrown(() => checkSeconds(bad, HZ250, 'timeouts.CLOSE'));
      expect([e.code, e.field]).toEqual(['ERR_INVALID_ARGUMENT', 'timeouts.CLOSE']);
    }
  });

  it('with an unknown HZ accepts what is safe at every HZ and says how to set it', () => {
    expect(limitOf({})).toBe(Math.floor(0xffffffff / 1200));
    const e = thrown(() => checkSeconds(limitOf({}) + 1, {}, 'v'));
    expect(e.message).toMatch(/HZ is unknown.*CTTIMEOUT_HZ/);
    expect(checkSeconds(limitOf({ hz: 100 }), { hz: 100 }, 'v')).toBe(42949672);
  });

  it('parses text as plain decimal digits only', () => {
    expect(parseSeconds('120', HZ250, 'v')).toBe(120);
    expect(parseSeconds('007', HZ250, 'v')).toBe(7);
    for (const bad of ['0x10', '1e3', '5.0', '0o17', '+5', ' 5', '5 ', '-1', '', '٣', 'Infinity']) {
      const e = thrown(() => parseSeconds(bad, HZ250, 'timeouts.CLOSE'));
      expect([e.code, e.field]).toEqual(['ERR_VALUE_RANGE', 'timeouts.CLOSE']);
    }
    expect(thrown(() => parseSeconds('99999999999999999999', HZ250, 'v')).code).toBe('ERR_VALUE_RANGE');
  });

  it('accepts only the CONFIG_HZ values Linux offers', () => {
    for (const hz of [100, 250, 300, 1000, 24, 1200]) expect(checkHz(hz)).toBe(hz);
    for (const bad of [0, 1, NaN, 999, -250, 250n, '250', undefined]) {
      const e = thrown(() => checkHz(bad, 'options.hz'));
      expect([e.code, e.field]).toEqual(['ERR_VALUE_RANGE', 'options.hz']);
      expect(e.message).toContain(HZ_VALUES.join(', '));
    }
  });
});

describe('policies and lists', () => {
  it('normalises a policy', () => {
    expect(checkPolicy({ name: 'w', family: 'inet', protocol: 'TCP', timeouts: { established: 5 } }, HZ250)).toMatchObject({
      name: 'w',
      family: 'inet',
      protocol: 'tcp',
      timeouts: { ESTABLISHED: 5 },
    });
    for (const bad of [null, 5, 'x', []]) expect(thrown(() => checkPolicy(bad, HZ250)).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('reports every bad entry of a list with its index, name and field', () => {
    const list = [
      { name: 'ok', family: 'inet', protocol: 'tcp', timeouts: {} },
      { name: 'badstate', family: 'inet', protocol: 'udp', timeouts: { ESTABLISHED: 1 } },
      { name: 'web\uD800', family: 'inet', protocol: 'tcp' },
      { name: 'ok', family: 'inet6', protocol: 'tcp' },
      { name: 'big', family: 'inet', protocol: 'tcp', timeouts: { close: 1e9 } },
      null,
    ];
    const e = thrown(() => checkPolicyList(list, HZ250, 'apply')) as PolicyListError;
    expect(e).toBeInstanceOf(PolicyListError);
    expect(e.problems.map((p) => [p.index, p.name, p.code, p.field])).toEqual([
      [1, 'badstate', 'ERR_UNKNOWN_STATE', 'timeouts.ESTABLISHED'],
      [2, undefined, 'ERR_INVALID_NAME', 'name'],
      [3, 'ok', 'ERR_DUPLICATE_NAME', 'name'],
      [4, 'big', 'ERR_VALUE_RANGE', 'timeouts.CLOSE'],
      [5, undefined, 'ERR_INVALID_ARGUMENT', 'policy'],
    ]);
    expect([e.code, e.field, e.index, e.policyName, e.operation]).toEqual(['ERR_UNKNOWN_STATE', 'timeouts.ESTABLISHED', 1, 'badstate', 'apply']);
    expect(e.message).toMatch(/^apply: 5 policies are invalid: policy 1 \("badstate"\)/);
    expect(thrown(() => checkPolicyList(null, HZ250)).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('compares names by bytes: the same bytes as string and Uint8Array are one name', () => {
    const e = thrown(() =>
      checkPolicyList(
        [
          { name: 'a', family: 'inet', protocol: 'tcp' },
          { name: new Uint8Array([0x61]), family: 'inet', protocol: 'tcp' },
        ],
        HZ250,
      ),
    );
    expect(e.code).toBe('ERR_DUPLICATE_NAME');
    const ok = checkPolicyList(
      [
        { name: new Uint8Array([0xff]), family: 'inet', protocol: 'tcp' },
        { name: '\uFFFD', family: 'inet', protocol: 'tcp' },
      ],
      HZ250,
    );
    expect(ok).toHaveLength(2);
  });
});
