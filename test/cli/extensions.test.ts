// What our CLI does beyond nfct — update, apply -f, --json, --netns — on the real kernel, each
// file in its own private network namespace (state is checked through Debian's nfct where it
// can be, so the checks do not depend on our own output).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelMaxSeconds, nfct, ours, privateNetns, useNetnsAndDir, runIn, words } from '../helpers/cli.js';

const { ns, dir } = useNetnsAndDir({ flushEach: true, rawRulesEach: true });

const run = (line: string, input?: string) => ours(ns, words(line), input === undefined ? {} : { input });
const ok = (line: string) => {
  const r = run(line);
  expect(r.status, `${line}: ${r.stderr}`).toBe(0);
  return r.stdout;
};
/** Fails with the exit status --help documents (64 usage, 3 ENOENT, 7 other kernel errors, 8 I/O). */
const failsWith = (line: string, message: RegExp, status = 64) => {
  const r = run(line);
  expect([r.status, r.stdout], line).toEqual([status, '']);
  expect(r.stderr, line).toMatch(/^cttimeout: /);
  expect(r.stderr, line).toMatch(message);
};
/** A policy's values as nfct prints them. */
function values(name: string): Record<string, number> {
  const r = nfct(ns, ['get', 'timeout', name]);
  expect(r.status, r.stderr).toBe(0);
  return Object.fromEntries([...r.stdout.matchAll(/\t\t\.(\w+) = (\d+),/g)].map((m) => [m[1]!, Number(m[2])]));
}

describe('update', () => {
  it('replaces in place: states not given go back to the defaults (the kernel replaces, it does not merge)', () => {
    expect(nfct(ns, words('add timeout r inet tcp syn_sent 5 established 100')).status).toBe(0);
    ok('update timeout r inet tcp established 200');
    expect(values('r')).toMatchObject({ SYN_SENT: 120, ESTABLISHED: 200 });
  });

  it('--merge keeps the current values of the states not given', () => {
    expect(nfct(ns, words('add timeout r inet tcp syn_sent 5 established 100')).status).toBe(0);
    ok('update timeout r inet tcp close 3 --merge');
    expect(values('r')).toMatchObject({ SYN_SENT: 5, ESTABLISHED: 100, CLOSE: 3 });
    ok('timeout update r inet tcp SYN_SENT 6 --merge');
    expect(values('r')).toMatchObject({ SYN_SENT: 6, ESTABLISHED: 100, CLOSE: 3 });
  });

  it('updates a policy in use, which delete and add could not', () => {
    expect(nfct(ns, words('add timeout busy inet tcp established 100')).status).toBe(0);
    runIn(ns, 'iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'busy']);
    expect(nfct(ns, words('delete timeout busy')).status).toBe(1);
    ok('update timeout busy inet tcp established 300 --merge');
    expect(values('busy').ESTABLISHED).toBe(300);
    expect(JSON.parse(ok('get timeout busy --json')).use).toBe(2);
  });

  it('cannot change family or protocol, and --merge needs the policy to exist', () => {
    expect(nfct(ns, words('add timeout r inet tcp established 100')).status).toBe(0);
    failsWith('update timeout r inet udp unreplied 1', /update "r": Invalid argument \(EINVAL\): .*another family or protocol/, 7);
    failsWith('update timeout r inet6 tcp established 1', /EINVAL/, 7);
    failsWith('update timeout nope inet tcp established 1 --merge', /ENOENT/, 3);
    expect(values('r').ESTABLISHED).toBe(100);
  });

  it('creates a missing policy, as the kernel does for a replace', () => {
    ok('update timeout fresh inet udp replied 9');
    expect(values('fresh')).toEqual({ UNREPLIED: 30, REPLIED: 9 });
  });

  it('sets the SCTP heartbeat states nfct cannot name, shown by --json', () => {
    expect(nfct(ns, words('add timeout s inet sctp established 50')).status).toBe(0);
    ok('update timeout s inet sctp heartbeat_sent 4 --merge');
    const p = JSON.parse(ok('get timeout s --json'));
    expect(p.timeouts).toMatchObject({ ESTABLISHED: 50, HEARTBEAT_SENT: 4 });
  });

  it('is a whole word, never a prefix, and takes nfct-style arguments', () => {
    failsWith('u timeout r inet tcp established 1', /neither a command/);
    failsWith('update timeout r inet tcp established', /missing value/);
    failsWith('update timeout r inet', /missing parameters/);
    failsWith('update timeout r inet tcp established 1 --prune', /--prune does not apply to update/);
  });
});

describe('--json', () => {
  it('list, get and default-get print the typed objects', async () => {
    expect(JSON.parse(ok('list timeout --json'))).toEqual([]);
    expect(nfct(ns, words('add timeout a inet tcp established 7')).status).toBe(0);
    expect(nfct(ns, words('add timeout b inet6 icmpv6 timeout 8')).status).toBe(0);
    const list = JSON.parse(ok('--json list timeout'));
    expect(list.map((p: { name: string }) => p.name)).toEqual(['a', 'b']);
    expect(list[0]).toEqual({ name: 'a', family: 'inet', protocol: 'tcp', timeouts: values('a'), use: 1 });
    expect(list[1]).toEqual({ name: 'b', family: 'inet6', protocol: 'icmpv6', timeouts: { TIMEOUT: 8 }, use: 1 });
    expect(JSON.parse(ok('get timeout b --json'))).toEqual(list[1]);
    expect(JSON.parse(ok('default-get timeout inet sctp --json'))).toEqual({
      family: 'inet',
      protocol: 'sctp',
      timeouts: {
        CLOSED: 10,
        COOKIE_WAIT: 3,
        COOKIE_ECHOED: 3,
        ESTABLISHED: 210,
        SHUTDOWN_SENT: 3,
        SHUTDOWN_RECD: 3,
        SHUTDOWN_ACK_SENT: 3,
        HEARTBEAT_SENT: 30,
        HEARTBEAT_ACKED: 0,
      },
    });
  });

  it('flush says what it deleted and which policies in use it kept', () => {
    expect(nfct(ns, words('add timeout busy inet tcp established 7')).status).toBe(0);
    expect(nfct(ns, words('add timeout idle inet udp replied 8')).status).toBe(0);
    runIn(ns, 'iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'busy']);
    const r = JSON.parse(ok('flush timeout --json'));
    expect(r.deleted).toEqual(['idle']);
    expect(r.kept.map((p: { name: string; use: number }) => [p.name, p.use])).toEqual([['busy', 2]]);
  });
});

describe('apply -f', () => {
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('creates, then changes nothing on a second run; --dry-run plans without touching the kernel', () => {
    const yaml = file(
      'p.yaml',
      'policies:\n  - name: web\n    family: inet\n    protocol: tcp\n    timeouts:\n      established: 600\n      CLOSE_WAIT: 10\n  - name: dns\n    family: inet6\n    protocol: udp\n',
    );
    expect(ok(`apply -f ${yaml} --dry-run`)).toBe('would create web (inet tcp)\nwould create dns (inet6 udp)\n');
    expect(nfct(ns, ['list', 'timeout']).stdout).toBe('');
    expect(ok(`apply -f ${yaml}`)).toBe('create web (inet tcp)\ncreate dns (inet6 udp)\n'.replace(/^create/gm, 'created'));
    expect(values('web')).toMatchObject({ ESTABLISHED: 600, CLOSE_WAIT: 10, SYN_SENT: 120 });
    expect(values('dns')).toEqual({ UNREPLIED: 30, REPLIED: 120 });
    expect(ok(`apply -f ${yaml}`)).toBe('in sync: web, dns\nnothing changed\n');
    expect(JSON.parse(ok(`apply -f ${yaml} --json`))).toMatchObject({ unchanged: true, steps: [], inSync: ['web', 'dns'] });
  });

  it('updates what differs (showing old -> new), recreates a protocol change, and --prune deletes the rest but keeps policies in use', () => {
    for (const line of [
      'add timeout web inet tcp established 600',
      'add timeout dns inet udp replied 5',
      'add timeout bold inet icmp timeout 1',
      'add timeout busy inet tcp close 1',
    ])
      expect(nfct(ns, words(line)).status).toBe(0);
    runIn(ns, 'iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'busy']);
    const json = file(
      'p.json',
      JSON.stringify([
        { name: 'web', family: 'inet', protocol: 'tcp', timeouts: { established: 700 } },
        { name: 'dns', family: 'inet', protocol: 'gre', timeouts: { replied: 6 } },
      ]),
    );
    // --prune deletes only what it owns: names starting with b (bold, and busy, which is in use).
    const plan = ok(`apply -f ${json} --prune --owner-prefix b --dry-run`);
    expect(plan).toBe(
      'would update web: ESTABLISHED 600 -> 700\nwould recreate dns (inet udp -> inet gre)\nwould delete bold\nkept (in use by CT rules, not in the file): busy\n',
    );
    expect(values('web').ESTABLISHED).toBe(600);
    const done = JSON.parse(ok(`apply -f ${json} --prune --owner-prefix b --json`));
    expect(done.steps.map((s: { action: string; name: string; status: string }) => `${s.action} ${s.name} ${s.status}`)).toEqual([
      'update web done',
      'recreate dns done',
      'delete bold done',
    ]);
    expect(done.keptInUse).toEqual(['busy']);
    expect(nfct(ns, ['list', 'timeout']).stdout).toMatch(/^\.web = [\s\S]*\.busy = [\s\S]*\.dns = /);
    expect(values('dns')).toEqual({ UNREPLIED: 30, REPLIED: 6 });
  });

  it('reads standard input with -f -', () => {
    expect(run('apply -f -', '- {name: x, family: inet, protocol: generic, timeouts: {timeout: 5}}\n').status).toBe(0);
    expect(values('x')).toEqual({ TIMEOUT: 5 });
  });

  it('points at the file, line and column, the policy and the field of a mistake, and changes nothing', async () => {
    const { maxSeconds } = await kernelMaxSeconds();
    const cases: Array<[string, RegExp]> = [
      [
        '- name: a\n  family: inet\n  protocol: tcp\n- name: b\n  family: inet\n  protocol: tcp\n  timeouts:\n    establishd: 5\n',
        /bad\.yaml:8:5: policy #2 \("b"\): timeouts\.establishd: "establishd" is not a state of tcp/,
      ],
      [
        '- name: a\n  family: inet\n  protocol: tcp\n- name: a\n  family: inet6\n  protocol: udp\n',
        /bad\.yaml:4:9: policy #2 \("a"\): name: listed twice \(first at line 1\)/,
      ],
      [`- name: ${'x'.repeat(32)}\n  family: inet\n  protocol: tcp\n`, /:1:9: policy #1: name: 32 bytes; the kernel allows at most 31/],
      ['- name: a\n  family: ip\n  protocol: tcp\n', /:2:11: policy #1 \("a"\): family must be 'inet' or 'inet6'/],
      ['- name: a\n  family: inet\n  protocol: esp\n', /:3:13: .*protocol: "esp" has no conntrack timeout table/],
      ['- name: a\n  family: inet\n  protocol: tcp\n  timeout: {close: 1}\n', /:4:3: policy #1 \("a"\): timeout: unknown field/],
      [
        `- name: a\n  family: inet\n  protocol: udp\n  timeouts: {replied: ${maxSeconds + 1}}\n`,
        new RegExp(`:4:23: .*timeouts\\.REPLIED: ${maxSeconds + 1} is not an integer in 0\\.\\.${maxSeconds}: the kernel stores seconds × HZ in 32 bits`),
      ],
      [
        '- name: a\n  family: inet\n  protocol: udp\n  timeouts: {replied: "10"}\n',
        /:4:23: .*timeouts\.REPLIED: must be a whole number of seconds in plain decimal digits, not "10"/,
      ],
      ['- name: a\n  family: inet\n  protocol: udp\n  timeouts: {replied: -1}\n', /timeouts\.REPLIED: must be a whole number/],
      ['- name: 007\n  family: inet\n  protocol: udp\n', /name: must be a string or \{hex: "\.\.\."\} \(quote it: "007"\)/],
      ['name: a\nfamily: inet\n', /expected a list of policies, or a map with only "policies/],
      ['- [a, b]\n', /policy #1: expected a map/],
      ['- {name: a, family: inet\n', /bad\.yaml:\d+:\d+: not valid JSON or YAML/],
    ];
    for (const [text, message] of cases) {
      const path = file('bad.yaml', text);
      failsWith(`apply -f ${path}`, message);
    }
    expect(nfct(ns, ['list', 'timeout']).stdout).toBe('');
    failsWith('apply', /apply needs -f FILE/);
    failsWith(`apply -f ${join(dir, 'missing.yaml')}`, /cannot read .*missing\.yaml: ENOENT/, 8);
    failsWith(`apply -f ${file('ok.yaml', '[]')} --merge`, /--merge does not apply to apply/);
  });
});

describe('--netns', () => {
  it('works in the namespace given by path or by name, wherever the CLI itself runs', async () => {
    const target = await privateNetns();
    const name = `cttimeout-cli-test-${process.pid}`;
    try {
      // The CLI runs in `ns` and opens its socket in `target`.
      expect(ours(ns, ['--netns', target.path, 'add', 'timeout', 'there', 'inet', 'tcp', 'close', '1']).status).toBe(0);
      expect(nfct(target, ['list', 'timeout']).stdout).toContain('.there = {');
      expect(nfct(ns, ['list', 'timeout']).stdout).toBe('');
      execFileSync('ip', ['netns', 'attach', name, String(target.pid)]);
      const byName = ours(ns, ['--netns', name, 'get', 'timeout', 'there']);
      expect(byName.status, byName.stderr).toBe(0);
      expect(byName.stdout).toBe(nfct(target, ['get', 'timeout', 'there']).stdout);
      const missing = ours(ns, ['--netns', `${name}-missing`, 'list', 'timeout']);
      expect(missing.status).toBe(9); // transport: the namespace cannot be opened
      expect(missing.stderr).toMatch(/^cttimeout: /);
      expect(ours(ns, ['--netns', target.path, '--dry-run', 'list', 'timeout']).status).toBe(0);
    } finally {
      try {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {
        // not attached
      }
      target.dispose();
    }
  });
});
