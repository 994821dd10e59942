// The nfct grammar (nfct.ts), our option extraction (options.ts) and our strict checks
// (strict.ts), without a kernel: pure functions.
import { describe, expect, it } from 'vitest';
// The name checks ask the WebAssembly codec, which codec/node.js compiles on import.
import '../../packages/cttimeout/src/codec/node.js';
import {
  parseNfct,
  prefixMatch,
  EXTENSION_COMMANDS,
  NFCT_COMMANDS,
  NFCT_SUBSYSTEMS,
  VERB_OPERATIONS,
  type NfctParse,
} from '../../packages/cttimeout/src/cli/nfct.js';
import { commandHelp, GLOBAL_HELP } from '../../packages/cttimeout/src/cli/help.js';
import { extractOptions } from '../../packages/cttimeout/src/cli/options.js';
import { checkName, parseSeconds, pairsToTimeouts } from '../../packages/cttimeout/src/cli/strict.js';

const parse = (line: string): NfctParse => parseNfct(line === '' ? [] : line.split(' ').map((w) => (w === "''" ? '' : w)));
const code = (line: string) => {
  const r = parse(line);
  return r.kind === 'error' ? r.error.code : r.kind;
};
const command = (line: string) => {
  const r = parse(line);
  if (r.kind !== 'timeout') throw new Error(`${line}: ${JSON.stringify(r)}`);
  return r.command;
};

describe('nfct prefix matching', () => {
  it('takes the first entry the word is a prefix of, in nfct order', () => {
    const cases: Array<[string, string | undefined]> = [
      ['', 'list'],
      ['l', 'list'],
      ['a', 'add'],
      ['d', 'delete'],
      ['de', 'delete'],
      ['del', 'delete'],
      ['def', 'default-set'],
      ['default-', 'default-set'],
      ['default-g', 'default-get'],
      ['g', 'get'],
      ['f', 'flush'],
      ['di', 'disable'],
      ['lists', undefined],
      ['List', undefined],
      ['update', undefined],
      ['x', undefined],
    ];
    for (const [w, c] of cases) expect(prefixMatch(NFCT_COMMANDS, w), w).toBe(c);
    expect(prefixMatch(NFCT_SUBSYSTEMS, 'help')).toBe('helper');
    expect(prefixMatch(NFCT_SUBSYSTEMS, 'h')).toBe('helper');
    expect(prefixMatch(NFCT_SUBSYSTEMS, 'v')).toBe('version');
    expect(prefixMatch(NFCT_SUBSYSTEMS, '')).toBe('timeout');
  });

  it('accepts COMMAND SUBSYSTEM and the legacy SUBSYSTEM COMMAND', () => {
    expect(command('list timeout')).toEqual({ command: 'list' });
    expect(command('timeout list')).toEqual({ command: 'list' });
    expect(command('t l')).toEqual({ command: 'list' });
    expect(command("'' ''")).toEqual({ command: 'list' });
    expect(command('d t x')).toEqual({ command: 'delete', name: 'x' });
    expect(command('timeout update x inet tcp close 1')).toMatchObject({ command: 'update', name: 'x', protocol: 'tcp' });
    expect(code('list version')).toBe('version');
    expect(code('version get')).toBe('version');
    expect(code('list helper')).toBe('subsystem-unsupported');
    expect(code('list help')).toBe('subsystem-unsupported');
  });

  it('reports what nfct reports, in nfct order', () => {
    expect(code('')).toBe('USAGE');
    expect(code('list')).toBe('USAGE');
    expect(code('foo timeout')).toBe('UNKNOWN_SUBSYSTEM');
    expect(code('list foo')).toBe('UNKNOWN_SUBSYSTEM');
    expect(code('timeout foo')).toBe('UNKNOWN_COMMAND');
    expect(code('version foo')).toBe('UNKNOWN_COMMAND');
    expect(code('disable timeout')).toBe('NO_SUCH_COMMAND');
    expect(code('list timeout x')).toBe('TOO_MANY_ARGUMENTS');
    expect(code('flush timeout x')).toBe('TOO_MANY_ARGUMENTS');
    expect(code('get timeout')).toBe('MISSING_NAME');
    expect(code('delete timeout a b')).toBe('TOO_MANY_ARGUMENTS');
    expect(code('add timeout x inet')).toBe('MISSING_PARAMETERS');
    expect(code('default-set timeout inet tcp')).toBe('MISSING_PARAMETERS');
    expect(code('default-get timeout inet')).toBe('MISSING_PARAMETERS');
    expect(code('add timeout x ip tcp close 1')).toBe('UNKNOWN_FAMILY');
    expect(code('add timeout x inet 6 close 1')).toBe('UNKNOWN_PROTOCOL');
    expect(code('add timeout x inet Tcp close 1')).toBe('UNKNOWN_PROTOCOL');
    expect(code('add timeout x inet mptcp close 1')).toBe('UNKNOWN_PROTOCOL');
    // A wrong state is found before a missing value; a trailing odd word is never looked up.
    expect(code('add timeout x inet tcp bogus 1 close')).toBe('WRONG_STATE');
    expect(code('add timeout x inet tcp close 1 bogus')).toBe('MISSING_VALUE');
    expect(code('add timeout x inet sctp heartbeat_sent 1')).toBe('WRONG_STATE');
    expect(code('update timeout x inet sctp heartbeat_sent 1')).toBe('timeout');
  });

  it('reads FAMILY, PROTO and case-insensitive STATE VALUE pairs, keeping values as typed', () => {
    expect(command('add timeout x inet6 ipv6-icmp TimeOut 5')).toEqual({
      command: 'add',
      name: 'x',
      family: 'inet6',
      protocol: 'icmpv6',
      protocolWord: 'ipv6-icmp',
      pairs: [{ state: 'TIMEOUT', typed: 'TimeOut', value: '5' }],
    });
    expect(command('add timeout x inet UDPLite replied -1')).toMatchObject({ pairs: [{ state: 'REPLIED', typed: 'replied', value: '-1' }] });
    expect(command('add timeout x inet tcp')).toMatchObject({ pairs: [] });
    expect(command('default-get timeout inet generic a b')).toEqual({
      command: 'default-get',
      family: 'inet',
      protocol: 'generic',
      protocolWord: 'generic',
      ignored: ['a', 'b'],
    });
    // strcasecmp folds ASCII only: a dotless ı is not an i.
    expect(code('add timeout x inet tcp establıshed 1')).toBe('WRONG_STATE');
  });
});

describe('the operations table drives the grammar and the help', () => {
  // Words for a row's `args`: the sample each placeholder stands for, optional parts left out.
  const sample: Record<string, string[]> = { NAME: ['x'], FAMILY: ['inet'], PROTO: ['tcp'], STATE: ['close'], SECONDS: ['1'] };
  const argsOf = (args: string) =>
    args
      .replace(/\[[^\]]*\](\.\.\.)?/g, '')
      .split(' ')
      .flatMap((w) => sample[w] ?? []);

  it('every verb parses from its args, with the fields they name', () => {
    expect(VERB_OPERATIONS.map((o) => o.verb).sort()).toEqual([...NFCT_COMMANDS.filter((c) => c !== 'disable'), ...EXTENSION_COMMANDS].sort());
    for (const o of VERB_OPERATIONS) {
      const c = command([o.verb, 'timeout', ...argsOf(o.args)].join(' '));
      expect(c.command, o.verb).toBe(o.verb);
      expect(c.name !== undefined, o.verb).toBe(o.args.startsWith('NAME'));
      expect(c.family !== undefined, o.verb).toBe(o.args.includes('FAMILY'));
      expect(c.pairs !== undefined, o.verb).toBe(o.args.includes('SECONDS'));
      if (o.nfct) expect(NFCT_COMMANDS as readonly string[]).toContain(o.verb);
      else expect(code(`${o.verb.slice(0, -1)} timeout`), 'our verbs are whole words').not.toBe('timeout');
    }
  });

  it('every verb has its usage line in --help and a help of its own', () => {
    for (const o of VERB_OPERATIONS) {
      expect(GLOBAL_HELP).toContain(`  ${o.verb} timeout${o.args ? ` ${o.args}` : ''}\n      ${o.help}\n`);
      expect(commandHelp(o.verb), o.verb).toMatch(new RegExp(`^cttimeout ${o.verb} timeout`));
    }
  });
});

describe('our options', () => {
  it('are taken from anywhere; nfct words pass through, "-1" included; "--" ends them', () => {
    const { options, words } = extractOptions([
      '--json',
      'add',
      'timeout',
      'x',
      '--netns=blue',
      'inet',
      'tcp',
      'close',
      '-1',
      '--capture',
      'f.pcap',
      '--',
      '--json',
      '-h',
    ]);
    expect(words).toEqual(['add', 'timeout', 'x', 'inet', 'tcp', 'close', '-1', '--json', '-h']);
    expect(options).toMatchObject({ json: true, netns: 'blue', capture: 'f.pcap', help: false });
    expect(extractOptions(['-f', '-', 'apply']).options.file).toBe('-');
    expect(() => extractOptions(['--jason'])).toThrow(/unknown option --jason/);
    expect(() => extractOptions(['--netns'])).toThrow(/--netns needs a value/);
    expect(() => extractOptions(['--json=1'])).toThrow(/takes no value/);
    expect(() => extractOptions(['--netns', 'a', '--netns', 'b'])).toThrow(/given twice/);
  });
});

describe('strict names and numbers', () => {
  it('names: at most 31 bytes of UTF-8', () => {
    expect(checkName('x'.repeat(31), '')).toBe('x'.repeat(31));
    expect(checkName('é'.repeat(15), '')).toBe('é'.repeat(15)); // 30 bytes
    expect(() => checkName('é'.repeat(16), '')).toThrow(/^policy name "é{16}" is 32 bytes; .*cut it to \$'(\\xc3\\xa9){15}\\xc3'/);
    expect(checkName('', '')).toBe('');
    // Bytes stay bytes; cut inside a character, nfct's name is bytes too.
    expect(checkName(Uint8Array.of(0xff), '\uFFFD')).toEqual(Uint8Array.of(0xff));
    expect(() => checkName(new Uint8Array(32).fill(0xfe), '')).toThrow(/\$'(\\xfe){32}' is 32 bytes.*cut it to \$'(\\xfe){31}'/);
    expect(() => checkName('a'.repeat(30) + 'é', '')).toThrow(/cut it to \$'(a){30}\\xc3'/);
    expect(() => checkName('a\0b', '')).toThrow(/NUL/);
    expect(() => checkName(null, '\uFFFD')).toThrow(/could not be read .*refusing rather than acting on another policy/);
  });

  it('seconds: digits only, at most the HZ limit, with what atoi would have made of it', () => {
    expect(parseSeconds('0', 'v', 100, 250)).toBe(0);
    expect(parseSeconds('007', 'v', 100, 250)).toBe(7);
    expect(parseSeconds('100', 'v', 100, 250)).toBe(100);
    expect(() => parseSeconds('101', 'v', 100, 250)).toThrow(/at most 100 .*HZ=250/);
    expect(() => parseSeconds('abc', 'v', 100, 250)).toThrow(/atoi would read it as 0/);
    expect(() => parseSeconds('-1', 'v', 100, 250)).toThrow(/negative.*4294967295/);
    expect(() => parseSeconds('10s', 'v', 100, 250)).toThrow(/atoi would read it as 10/);
    for (const bad of ['', ' 5', '5 ', '+5', '1e3', '0x10', '5.0']) expect(() => parseSeconds(bad, 'v', 1e6, 250), bad).toThrow();
    expect(
      pairsToTimeouts(
        [
          { state: 'CLOSE', typed: 'close', value: '1' },
          { state: 'CLOSE', typed: 'CLOSE', value: '2' },
        ],
        100,
        250,
      ),
    ).toEqual({ CLOSE: 2 });
  });
});
