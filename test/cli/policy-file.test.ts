// Policy files (issue 8 item 11): the CLI's rules (validate.ts) with file:line:column for every
// error; numbers in plain decimal digits only; a byte-order mark accepted in YAML as in JSON;
// invalid UTF-8 and lone surrogates are errors, never U+FFFD; names that are not UTF-8 as
// {hex: ...}; states in any case. Pure: no kernel.
import { describe, expect, it } from 'vitest';
// Name rules are the codec's (WebAssembly): load it as the CLI does.
import '../../packages/cttimeout/src/codec/node.js';
import { firstInvalidUtf8, readPolicyFile } from '../../packages/cttimeout/src/cli/policy-file.js';
import { CliError } from '../../packages/cttimeout/src/cli/strict.js';

const read = (text: string | Uint8Array, hz = 250) => readPolicyFile(typeof text === 'string' ? Buffer.from(text) : text, 'p.yaml', { hz });

/** The error readPolicyFile throws for this file. */
function error(text: string | Uint8Array): CliError {
  try {
    read(text);
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return e as CliError;
  }
  throw new Error(`accepted: ${String(text)}`);
}

const tcp = (timeouts: string) => `- name: web\n  family: inet\n  protocol: tcp\n  timeouts:\n    ${timeouts}\n`;

describe('seconds are plain decimal digits, as on the command line', () => {
  for (const v of ['0x10', '1e3', '5.0', '0o17', '-1', '+5', '"30"', "'30'", '.inf', '-.inf', '.nan', 'true', '~', '30s', '1_000']) {
    it(`refuses ${v}`, () => {
      const e = error(tcp(`established: ${v}`));
      expect(e.message.startsWith('p.yaml:5:18: policy #1 ("web"): timeouts.ESTABLISHED: ')).toBe(true);
      expect(e.position).toEqual({ file: 'p.yaml', line: 5, column: 18 });
      expect(e.field).toBe('timeouts.ESTABLISHED');
      expect(e.message).toContain(v === '~' ? 'not ~' : `not ${v}`);
    });
  }
  it('says what .inf and .nan are', () => {
    expect(error(tcp('established: .inf')).message).toMatch(/not \.inf \(infinity\)$/);
    expect(error(tcp('established: .nan')).message).toMatch(/not \.nan \(not a number\)$/);
  });
  it('accepts digits, up to the HZ limit, in JSON too', () => {
    expect(read(tcp('established: 30'))).toEqual([{ name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 30 } }]);
    expect(read(tcp('established: 17179869'))[0]!.timeouts).toEqual({ ESTABLISHED: 17179869 });
    const e = error(tcp('established: 17179870'));
    expect([e.code, e.field, e.position?.line]).toEqual(['ERR_VALUE_RANGE', 'timeouts.ESTABLISHED', 5]);
    expect(read('[{"name": "j", "family": "inet6", "protocol": "udp", "timeouts": {"replied": 9}}]')).toEqual([
      { name: 'j', family: 'inet6', protocol: 'udp', timeouts: { REPLIED: 9 } },
    ]);
    expect(error('[{"name": "j", "family": "inet6", "protocol": "udp", "timeouts": {"replied": 9.0}}]').message).toMatch(/^p\.yaml:1:78: .*not 9\.0$/);
  });
});

describe('text encoding', () => {
  it('a byte-order mark is skipped, in YAML as in JSON', () => {
    const bom = (t: string) => Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), Buffer.from(t)]);
    expect(read(bom(tcp('established: 1')))).toHaveLength(1);
    expect(read(bom('[{"name": "a", "family": "inet", "protocol": "icmp"}]'))).toEqual([{ name: 'a', family: 'inet', protocol: 'icmp', timeouts: {} }]);
  });
  it('invalid UTF-8 is an error at its line and column, not U+FFFD', () => {
    const file = Buffer.concat([Buffer.from('- name: ok\n  family: inet\n  protocol: tcp\n- name: "wé'), Buffer.of(0xff), Buffer.from('b"\n')]);
    const e = error(file);
    expect(e.message).toBe('p.yaml:4:12: not UTF-8: byte 0xff (write a name that is not UTF-8 as {hex: "..."})');
    expect(e.position).toEqual({ file: 'p.yaml', line: 4, column: 12 });
  });
  it('firstInvalidUtf8 refuses overlongs, surrogates, values above U+10FFFF and cut sequences', () => {
    expect(firstInvalidUtf8(Buffer.from('héllo €😀'))).toBe(-1);
    for (const bad of [
      [0xc0, 0x80],
      [0xe0, 0x80, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xe2, 0x82],
      [0x80],
      [0xfe],
    ]) {
      expect(firstInvalidUtf8(Uint8Array.of(0x61, ...bad)), bad.join(',')).toBe(1);
    }
  });
  it('a lone surrogate escape in a name is ERR_INVALID_NAME at the name', () => {
    const e = error('[{"name": "web\\ud800", "family": "inet", "protocol": "tcp"}]');
    expect([e.code, e.field, e.position?.column]).toEqual(['ERR_INVALID_NAME', 'name', 11]);
    expect(e.message).toMatch(/^p\.yaml:1:11: policy #1: name: .*lone surrogate/);
    expect(error('- {name: "a\\udc00", family: inet, protocol: tcp}\n').code).toBe('ERR_INVALID_NAME');
  });
});

describe('names', () => {
  it('{hex: ...} gives the bytes; bytes that are UTF-8 become the string', () => {
    expect(read('- {name: {hex: ff}, family: inet, protocol: tcp}\n')[0]!.name).toEqual(Uint8Array.of(0xff));
    expect(read('- {name: {hex: "6869"}, family: inet, protocol: tcp}\n')[0]!.name).toBe('hi');
    expect(read('- {name: {hex: efbfbd}, family: inet, protocol: tcp}\n')[0]!.name).toBe('\uFFFD');
    expect(error('- {name: {hex: f}, family: inet, protocol: tcp}\n').message).toMatch(/^p\.yaml:1:10: policy #1: name: a name in bytes is \{hex: "6869"\}/);
    expect(error('- {name: {hex: zz}, family: inet, protocol: tcp}\n').field).toBe('name');
    expect(error(`- {name: {hex: ${'61'.repeat(32)}}, family: inet, protocol: tcp}\n`).code).toBe('ERR_NAME_TOO_LONG');
    expect(error('- {name: {hex: "6100"}, family: inet, protocol: tcp}\n').message).toMatch(/NUL/);
  });
  it('the same bytes twice is a duplicate, however written', () => {
    const e = error('- {name: hi, family: inet, protocol: tcp}\n- {name: {hex: "6869"}, family: inet, protocol: udp}\n');
    expect(e.message).toBe('p.yaml:2:10: policy #2 ("hi"): name: listed twice (first at line 1)');
    expect([e.code, e.field]).toEqual(['ERR_DUPLICATE_NAME', 'name']);
    expect(read('- {name: {hex: ff}, family: inet, protocol: tcp}\n- {name: "\uFFFD", family: inet, protocol: tcp}\n')).toHaveLength(2);
  });
  it('a name must be a string: numbers and booleans are refused with a hint', () => {
    expect(error('- {name: 123, family: inet, protocol: tcp}\n').message).toBe(
      'p.yaml:1:10: policy #1: name: must be a string or {hex: "..."} (quote it: "123")',
    );
  });
});

describe('states, families, protocols', () => {
  it('state names in any case; two spellings of one state are ERR_DUPLICATE_STATE', () => {
    expect(read(tcp('Established: 5'))[0]!.timeouts).toEqual({ ESTABLISHED: 5 });
    const e = error(tcp('established: 5\n    ESTABLISHED: 6'));
    expect([e.code, e.field, e.position?.line]).toEqual(['ERR_DUPLICATE_STATE', 'timeouts.ESTABLISHED', 6]);
  });
  it('errors carry validate.ts codes and the position of the field', () => {
    const cases: Array<[string, string, string, number]> = [
      ['- {name: a, family: inet4, protocol: tcp}\n', 'ERR_UNKNOWN_FAMILY', 'family', 21],
      ['- {name: a, family: inet, protocol: tcpx}\n', 'ERR_UNKNOWN_PROTOCOL', 'protocol', 37],
      ['- {name: a, family: inet, protocol: udp, timeouts: {bogus: 1}}\n', 'ERR_UNKNOWN_STATE', 'timeouts.bogus', 53],
      ['- {name: a, family: inet, protocol: tcp, colour: red}\n', 'ERR_POLICY_FILE', 'colour', 42],
      ['- {name: a, protocol: tcp}\n', 'ERR_POLICY_FILE', 'family', 3],
      ['- [1, 2]\n', 'ERR_POLICY_FILE', 'policy', 3],
      ['{a: 1}\n', 'ERR_POLICY_FILE', '', 1],
      ['- {name: a\n', 'ERR_POLICY_FILE', '', 1],
    ];
    for (const [text, code, field, column] of cases) {
      const e = error(text);
      expect([e.code, e.field ?? '', e.position?.column], text).toEqual([code, field, column]);
      expect(e.message, text).toMatch(/^p\.yaml:\d+:\d+: /);
    }
  });
  it('an empty file, an empty list and "policies: []" are no policies', () => {
    for (const t of ['', '[]', 'policies: []', 'policies:\n']) expect(read(t), t).toEqual([]);
  });
});
