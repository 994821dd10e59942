// Where our CLI parts from nfct on purpose. Each test shows what nfct does on the real kernel
// (so the test breaks if nfct or the kernel stop behaving that way) and that we instead stop
// with a clear message, exit 64 (usage), and leave the namespace untouched.
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelMaxSeconds, nfct, ours, requireBuiltCli, type Netns } from '../helpers/cli.js';
import { testNetns } from '../helpers/netns.js';

const N32 = 'abcdefghijklmnopqrstuvwxyz012345'; // 32 characters: one too many
const N40 = `${N32}67890abc`;
const N31 = N32.slice(0, 31);

let hz = 0;
let maxSeconds = 0;
beforeAll(async () => {
  requireBuiltCli();
  ({ hz, maxSeconds } = await kernelMaxSeconds());
});

async function pair(): Promise<[Netns, Netns]> {
  return [await testNetns(), await testNetns()];
}

/** The value nfct's text shows for a state. */
function shown(text: string, state: string): number {
  const m = new RegExp(`\\.${state} = (\\d+),`).exec(text);
  if (!m) throw new Error(`no ${state} in:\n${text}`);
  return Number(m[1]);
}

/** Refused before anything is sent: a usage error, exit 64. */
function expectRefused(r: { status: number; stdout: string; stderr: string }, message: RegExp): void {
  expect(r.status).toBe(64);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^cttimeout: /);
  expect(r.stderr).toMatch(message);
}

describe('where nfct is wrong, we refuse with a clear message and exit 64', () => {
  it('a 32-character name: nfct silently creates a policy cut to 31 characters', async () => {
    const [theirs, mine] = await pair();
    const a = nfct(theirs, ['add', 'timeout', N32, 'inet', 'tcp', 'established', '5']);
    expect(a.status).toBe(0);
    expect(nfct(theirs, ['list', 'timeout']).stdout).toContain(`.${N31} = {`);
    expectRefused(ours(mine, ['add', 'timeout', N32, 'inet', 'tcp', 'established', '5']), /32 bytes; the kernel allows at most 31/);
    expect(nfct(mine, ['list', 'timeout']).stdout).toBe('');
  });

  it('get and delete with a 40-character name: nfct acts on the policy whose name is its first 31 characters', async () => {
    const [theirs, mine] = await pair();
    for (const ns of [theirs, mine]) expect(nfct(ns, ['add', 'timeout', N31, 'inet', 'udp', 'replied', '9']).status).toBe(0);
    const got = nfct(theirs, ['get', 'timeout', N40]);
    expect(got.status).toBe(0);
    expect(got.stdout).toContain(`.${N31} = {`);
    expectRefused(ours(mine, ['get', 'timeout', N40]), /40 bytes/);
    expect(nfct(theirs, ['delete', 'timeout', N40]).status).toBe(0);
    expect(nfct(theirs, ['list', 'timeout']).stdout).toBe('');
    expectRefused(ours(mine, ['delete', 'timeout', N40]), /at most 31/);
    expect(nfct(mine, ['list', 'timeout']).stdout).toContain(`.${N31} = {`);
  });

  it('"abc" as a value: nfct reads it with atoi as 0 and sets the timeout to 0', async () => {
    const [theirs, mine] = await pair();
    expect(nfct(theirs, ['add', 'timeout', 'x', 'inet', 'tcp', 'established', 'abc']).status).toBe(0);
    expect(shown(nfct(theirs, ['get', 'timeout', 'x']).stdout, 'ESTABLISHED')).toBe(0);
    expectRefused(ours(mine, ['add', 'timeout', 'x', 'inet', 'tcp', 'established', 'abc']), /"abc" is not a number of seconds.*atoi would read it as 0/);
    expect(nfct(mine, ['list', 'timeout']).stdout).toBe('');
  });

  it('"-1" as a value: nfct sends 4294967295 and the kernel stores a wrapped value', async () => {
    const [theirs, mine] = await pair();
    expect(nfct(theirs, ['add', 'timeout', 'x', 'inet', 'tcp', 'established', '-1']).status).toBe(0);
    const stored = shown(nfct(theirs, ['get', 'timeout', 'x']).stdout, 'ESTABLISHED');
    expect(stored).toBe(Math.floor(((0xffffffff * hz) % 2 ** 32) / hz)); // seconds × HZ cut to 32 bits
    expect(stored).not.toBe(0xffffffff);
    expectRefused(ours(mine, ['add', 'timeout', 'x', 'inet', 'tcp', 'established', '-1']), /negative numbers are not timeouts/);
    expect(nfct(mine, ['list', 'timeout']).stdout).toBe('');
  });

  it('a value above ⌊(2³²−1)/HZ⌋: nfct sends it and the kernel keeps a wrapped value', async () => {
    const [theirs, mine] = await pair();
    const tooBig = String(maxSeconds + 1);
    expect(nfct(theirs, ['add', 'timeout', 'x', 'inet', 'udp', 'replied', tooBig]).status).toBe(0);
    expect(shown(nfct(theirs, ['get', 'timeout', 'x']).stdout, 'REPLIED')).not.toBe(maxSeconds + 1);
    expectRefused(ours(mine, ['add', 'timeout', 'x', 'inet', 'udp', 'replied', tooBig]), new RegExp(`at most ${maxSeconds} .*HZ=${hz}`));
    expect(nfct(mine, ['list', 'timeout']).stdout).toBe('');
  });

  it('"10s" as a value: nfct reads 10 and drops the rest', async () => {
    const [theirs, mine] = await pair();
    expect(nfct(theirs, ['add', 'timeout', 'x', 'inet', 'icmp', 'timeout', '10s']).status).toBe(0);
    expect(shown(nfct(theirs, ['get', 'timeout', 'x']).stdout, 'TIMEOUT')).toBe(10);
    expectRefused(ours(mine, ['add', 'timeout', 'x', 'inet', 'icmp', 'timeout', '10s']), /"10s" is not a number/);
  });

  it('default-set with "abc": nfct sets the namespace default to 0', async () => {
    const [theirs, mine] = await pair();
    expect(nfct(theirs, ['default-set', 'timeout', 'inet', 'udp', 'unreplied', 'abc']).status).toBe(0);
    expect(shown(nfct(theirs, ['default-get', 'timeout', 'inet', 'udp']).stdout, 'UNREPLIED')).toBe(0);
    expectRefused(ours(mine, ['default-set', 'timeout', 'inet', 'udp', 'unreplied', 'abc']), /not a number/);
    expect(shown(nfct(mine, ['default-get', 'timeout', 'inet', 'udp']).stdout, 'UNREPLIED')).toBe(30);
  });

  it('"mptcp" (262 in /etc/protocols): nfct truncates it to a u8, 6, and prints the TCP defaults', async () => {
    const [theirs, mine] = await pair();
    const a = nfct(theirs, ['default-get', 'timeout', 'inet', 'mptcp']);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(nfct(theirs, ['default-get', 'timeout', 'inet', 'tcp']).stdout);
    expectRefused(ours(mine, ['default-get', 'timeout', 'inet', 'mptcp']), /MPTCP \(262\) has no conntrack timeout table/);
  });
});

describe('other deliberate differences', () => {
  it('add with no STATE VALUE pair: same exit status, but we explain instead of sending a request the kernel refuses', async () => {
    const [theirs, mine] = await pair();
    const a = nfct(theirs, ['add', 'timeout', 'x', 'inet', 'tcp']);
    expect([a.status, a.stdout]).toEqual([1, '']);
    expect(a.stderr).toContain('Invalid argument');
    const b = ours(mine, ['add', 'timeout', 'x', 'inet', 'tcp', '--capture', '/dev/null']);
    expectRefused(b, /at least one STATE SECONDS pair/);
    // Nothing to send, so nothing to print either.
    expectRefused(ours(mine, ['--dry-run', 'add', 'timeout', 'x', 'inet', 'tcp']), /at least one STATE SECONDS pair/);
  });

  it('the version banner names cttimeout (both exit 0)', async () => {
    const [theirs, mine] = await pair();
    const a = nfct(theirs, ['list', 'version']);
    const b = ours(mine, ['list', 'version']);
    expect([a.status, b.status]).toEqual([0, 0]);
    expect(a.stdout).toMatch(/^nfct v1\.4\.\d+: utility for the Netfilter's Connection Tracking System\n/);
    expect(b.stdout).toMatch(/^cttimeout v\d+\.\d+\.\d+: /);
    expect(ours(mine, ['version', 'get']).stdout).toBe(b.stdout);
  });

  it('the helper subsystem: not ours, always exit 64 with a message', async () => {
    const [theirs, mine] = await pair();
    // nfct asks the cthelper subsystem (this kernel has none: EINVAL, exit 1; with one, it would list helpers).
    const a = nfct(theirs, ['list', 'helper']);
    expect(a.stdout).toBe('');
    expectRefused(ours(mine, ['list', 'helper']), /helper subsystem .* not handled by cttimeout/);
    expectRefused(ours(mine, ['list', 'help']), /not handled/);
  });

  it('options are ours: a policy named like one needs "--" first', async () => {
    const [theirs, mine] = await pair();
    expect(nfct(theirs, ['add', 'timeout', '-h', 'inet', 'tcp', 'established', '1']).status).toBe(0);
    const help = ours(mine, ['add', 'timeout', '-h', 'inet', 'tcp', 'established', '1']);
    expect([help.status, help.stdout.split('\n')[0]]).toEqual([0, 'cttimeout add timeout NAME FAMILY PROTO STATE SECONDS [STATE SECONDS]...']);
    expect(ours(mine, ['add', 'timeout', '--', '-h', 'inet', 'tcp', 'established', '1']).status).toBe(0);
    expect(ours(mine, ['list', 'timeout']).stdout).toBe(nfct(theirs, ['list', 'timeout']).stdout);
    expectRefused(ours(mine, ['add', 'timeout', '--jsn', 'inet', 'tcp', 'established', '1']), /unknown option --jsn/);
  });
});
