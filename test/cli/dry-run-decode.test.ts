// --dry-run (the request bytes, checked against what nfct itself sends, captured with strace),
// decode (strace, hex, pcap in; nfct's text or JSON out), --help, --version and the npm bin.
// Every CLI run happens inside a private network namespace, dry runs included.
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../packages/cttimeout/src/codec/node.js';
import { CLI, nfct, ours, useNetnsAndDir, ROOT, runIn, words } from '../helpers/cli.js';

const { ns, dir } = useNetnsAndDir();

/** Runs nfct under strace in the namespace; returns strace's text (hexdumps of fd 3). */
function straceNfct(args: string[]): { trace: string; stdout: string; status: number } {
  const out = join(dir, `strace-${Math.random().toString(36).slice(2)}.txt`);
  const r = runIn(ns, 'strace', ['-f', '-e', 'trace=sendto,recvmsg', '-e', 'write=3', '-e', 'read=3', '-o', out, '/usr/sbin/nfct', ...args]);
  return { trace: readFileSync(out, 'utf8'), stdout: r.stdout, status: r.status };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('--dry-run prints the request bytes and sends nothing', () => {
  // What nfct sends for each command line (strace), against our dry run of the same line.
  const lines = [
    'add timeout test-tcp inet tcp established 100 close 10',
    'add timeout s inet sctp closed 1 cookie_wait 2 cookie_echoed 3 established 4 shutdown_sent 5 shutdown_recd 6 shutdown_ack_sent 7',
    'add timeout i6 inet6 ipv6-icmp timeout 9',
    'add timeout g inet gre replied 5 UNREPLIED 4',
    'add timeout gen inet generic timeout 0',
    'add timeout d inet dccp open 4',
    'get timeout test-tcp',
    'delete timeout test-tcp',
    'list timeout',
    'flush timeout',
    'default-set timeout inet udp unreplied 40 replied 200',
    'default-get timeout inet6 udplite',
    'timeout add legacy inet udp replied 1',
    "add timeout '' inet tcp close 1",
  ];
  for (const line of lines) {
    it(`is what nfct sends (sequence number 0; a dump without NLM_F_ACK, as nfct): ${line}`, () => {
      const args = words(line);
      const theirs = straceNfct(args);
      const sent = readCapture(theirs.trace).datagrams.filter((d) => d.direction === 'sent');
      expect(sent).toHaveLength(1);
      const expected = Uint8Array.from(sent[0]!.bytes);
      expected.fill(0, 8, 12); // nfct's seq is time(NULL)
      const mine = ours(ns, ['--dry-run', ...args]);
      expect(mine.status, mine.stderr).toBe(0);
      expect(mine.stdout).toBe(hex(expected) + '\n');
      nfct(ns, ['flush', 'timeout']);
      nfct(ns, ['default-set', 'timeout', 'inet', 'udp', 'unreplied', '30', 'replied', '120']);
    });
  }

  it('works without CAP_NET_ADMIN, because it opens no socket; the real request then fails EPERM', () => {
    // Still uid 0 (so a checkout in a 0700 home or mktemp -d dir is readable), without
    // CAP_NET_ADMIN, which is what the kernel checks.
    const nobody = ['setpriv', '--bounding-set=-net_admin', '--inh-caps=-net_admin'];
    const dry = runIn(ns, process.execPath, [CLI, '--dry-run', 'add', 'timeout', 'x', 'inet', 'tcp', 'established', '5'], { prefix: nobody });
    expect([dry.status, dry.stderr]).toEqual([0, '']);
    expect(dry.stdout).toMatch(/^[0-9a-f]+\n$/);
    const real = runIn(ns, process.execPath, [CLI, 'add', 'timeout', 'x', 'inet', 'tcp', 'established', '5'], {
      prefix: nobody,
    });
    expect(real.status).toBe(6); // permission
    expect(real.stderr).toMatch(/^cttimeout: .*EPERM.*CAP_NET_ADMIN/);
    expect(nfct(ns, ['list', 'timeout']).stdout).toBe('');
  });

  it('leaves the kernel alone', () => {
    expect(ours(ns, ['--dry-run', 'add', 'timeout', 'x', 'inet', 'tcp', 'established', '5']).status).toBe(0);
    expect(ours(ns, ['--dry-run', 'default-set', 'timeout', 'inet', 'tcp', 'close', '1']).status).toBe(0);
    expect(nfct(ns, ['list', 'timeout']).stdout).toBe('');
    expect(nfct(ns, ['default-get', 'timeout', 'inet', 'tcp']).stdout).toContain('.CLOSE = 10,');
  });

  it('still checks everything it would send', () => {
    for (const line of [
      'add timeout x inet tcp established abc',
      'add timeout x inet tcp bogus 1',
      `get timeout ${'n'.repeat(32)}`,
      'update timeout x inet tcp close 1 --merge',
    ]) {
      const r = ours(ns, ['--dry-run', ...words(line)]);
      expect([r.status, r.stdout], line).toEqual([64, '']);
      expect(r.stderr, line).toMatch(/^cttimeout: /);
    }
  });
});

describe('decode', () => {
  it('turns a strace of nfct list/get/default-get into exactly what nfct printed', () => {
    expect(nfct(ns, ['add', 'timeout', 'a', 'inet', 'tcp', 'established', '100']).status).toBe(0);
    expect(nfct(ns, ['add', 'timeout', 'b', 'inet', 'sctp', 'established', '7']).status).toBe(0);
    expect(nfct(ns, ['add', 'timeout', 'c', 'inet6', 'udp', 'replied', '3']).status).toBe(0);
    for (const args of [
      ['list', 'timeout'],
      ['get', 'timeout', 'b'],
      ['default-get', 'timeout', 'inet', 'gre'],
    ]) {
      const { trace, stdout, status } = straceNfct(args);
      expect(status).toBe(0);
      const file = join(dir, 'trace.txt');
      writeFileSync(file, trace);
      const mine = ours(ns, ['decode', file]);
      expect(mine.status, mine.stderr).toBe(0);
      expect(mine.stdout).toBe(stdout);
      expect(stdout.length).toBeGreaterThan(20);
      expect(ours(ns, ['decode', '-'], { input: trace }).stdout).toBe(stdout);
    }
    nfct(ns, ['flush', 'timeout']);
  });

  it('reads our own --dry-run hex from standard input, and --json shows every message', () => {
    const dry = ours(ns, ['--dry-run', 'update', 'timeout', 'hb', 'inet', 'sctp', 'heartbeat_sent', '4', 'established', '9']);
    const text = ours(ns, ['decode'], { input: dry.stdout });
    expect(text.status, text.stderr).toBe(0);
    // nfct's text shows the 7 states the C library knows (unset states print 0, as the library does).
    expect(text.stdout).toContain('.hb = {\n\t.l3proto = 2,\n\t.l4proto = 132,\n\t.policy = {\n\t\t.CLOSED = 0,');
    expect(text.stdout).toContain('\t\t.ESTABLISHED = 9,\n');
    expect(text.stdout).not.toContain('HEARTBEAT');
    const json = JSON.parse(ours(ns, ['decode', '--json'], { input: dry.stdout }).stdout);
    expect(json.format).toBe('hex');
    expect(json.datagrams[0].messages[0]).toMatchObject({
      kind: 'timeout',
      command: 'NEW',
      name: 'hb',
      protocol: 'sctp',
      timeouts: { ESTABLISHED: 9, HEARTBEAT_SENT: 4 },
      header: { flags: 0x0105 },
    });
  });

  it('reads the pcap --capture writes: requests and replies, with directions', () => {
    const pcap = join(dir, 'get.pcap');
    expect(ours(ns, ['add', 'timeout', 'cap', 'inet', 'icmp', 'timeout', '3']).status).toBe(0);
    const got = ours(ns, ['--capture', pcap, 'get', 'timeout', 'cap']);
    expect(got.status, got.stderr).toBe(0);
    expect(statSync(pcap).size).toBeGreaterThan(24);
    const decoded = ours(ns, ['decode', pcap]);
    expect(decoded.stdout).toBe(got.stdout);
    const json = JSON.parse(ours(ns, ['decode', pcap, '--json']).stdout);
    expect(json.format).toBe('pcap');
    const kinds = json.datagrams.flatMap((d: { direction: string; messages: Array<{ kind: string; command?: string }> }) =>
      d.messages.map((m) => `${d.direction} ${m.kind}${m.command ? ' ' + m.command : ''}`),
    );
    // The client's probe when it opens (a GET of the name ""), then our GET and its reply.
    expect(kinds).toContain('sent timeout GET');
    expect(kinds).toContain('received timeout NEW');
    expect(kinds).toContain('received ack');
    nfct(ns, ['flush', 'timeout']);
  });

  it('reports bad input with where it went wrong: exit 1 for a datagram it cannot decode, 64 for input that is no capture or misuse, 8 for a file it cannot read', () => {
    const truncated = ours(ns, ['decode'], { input: '48000000000805040000000000000000\n' });
    expect(truncated.status).toBe(1);
    expect(truncated.stderr).toMatch(/^cttimeout: <stdin>: line 1: byte \d+: /);
    const garbage = ours(ns, ['decode'], { input: 'this is not a capture\n' });
    expect(garbage.status).toBe(64); // not a capture at all: bad input (ERR_CAPTURE_FORMAT)
    expect(garbage.stderr).toMatch(/^cttimeout: <stdin>: /);
    const missing = ours(ns, ['decode', join(dir, 'nope.pcap')]);
    expect([missing.status, missing.stdout]).toEqual([8, '']);
    expect(missing.stderr).toMatch(/cannot read .*nope\.pcap/);
    expect(ours(ns, ['decode', '--dry-run'], { input: '' }).status).toBe(64);
  });
});

describe('--help, --version and the npm bin', () => {
  it('--help on every command, in every spelling', () => {
    const cases: Array<[string, string]> = [
      ['--help', 'cttimeout — conntrack timeout policies'],
      ['-h', 'cttimeout — conntrack timeout policies'],
      ['list --help', 'cttimeout list timeout'],
      ['l -h', 'cttimeout list timeout'],
      ['add timeout --help', 'cttimeout add timeout NAME'],
      ['timeout add -h', 'cttimeout add timeout NAME'],
      ['delete --help', 'cttimeout delete timeout NAME'],
      ['d --help', 'cttimeout delete timeout NAME'],
      ['get --help', 'cttimeout get timeout NAME'],
      ['flush --help', 'cttimeout flush timeout'],
      ['default-set --help', 'cttimeout default-set timeout FAMILY'],
      ['def --help', 'cttimeout default-set timeout FAMILY'],
      ['default-get --help', 'cttimeout default-get timeout FAMILY'],
      ['default-g --help', 'cttimeout default-get timeout FAMILY'],
      ['update --help', 'cttimeout update timeout NAME'],
      ['apply --help', 'cttimeout apply -f FILE'],
      ['decode --help', 'cttimeout decode [FILE|-]'],
    ];
    for (const [line, first] of cases) {
      const r = ours(ns, words(line));
      expect([r.status, r.stderr], line).toEqual([0, '']);
      expect(r.stdout.startsWith(first), `${line}: ${r.stdout.split('\n')[0]}`).toBe(true);
    }
    expect(ours(ns, ['add', '--help']).stdout).toContain(
      'sctp     closed cookie_wait cookie_echoed established shutdown_sent shutdown_recd shutdown_ack_sent\n',
    );
    expect(ours(ns, ['update', '--help']).stdout).toContain('shutdown_ack_sent heartbeat_sent heartbeat_acked');
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(`${ROOT}packages/cttimeout/package.json`, 'utf8')) as { version: string };
    expect(ours(ns, ['--version'])).toEqual({ status: 0, stdout: `cttimeout ${version}\n`, stderr: '' });
  });

  it('no words at all: usage on stderr and exit 64 (nfct exits 1)', () => {
    const r = ours(ns, []);
    expect([r.status, r.stdout]).toEqual([64, '']);
    expect(r.stderr).toMatch(/usage: cttimeout COMMAND timeout/);
  });

  it('npx cttimeout works from the repository root: the bin is a committed executable launcher', () => {
    const mode = execFileSync('git', ['ls-files', '-s', 'packages/cttimeout/bin/cttimeout.cjs'], { cwd: ROOT }).toString();
    expect(mode).toMatch(/^100755 /);
    expect(JSON.parse(readFileSync(`${ROOT}packages/cttimeout/package.json`, 'utf8')).bin).toEqual({ cttimeout: './bin/cttimeout.cjs' });
    expect(lstatSync(`${ROOT}node_modules/.bin/cttimeout`).isSymbolicLink()).toBe(true);
    const r = runIn(ns, 'npx', ['--no-install', 'cttimeout', '--dry-run', 'list', 'timeout'], { env: { ...process.env, npm_config_loglevel: 'silent' } });
    expect(r.stdout).toBe('1400000001080103000000000000000000000000\n'); // the dump as nfct sends it: no NLM_F_ACK
    expect(r.status).toBe(0);
    const direct = runIn(ns, `${ROOT}node_modules/.bin/cttimeout`, ['--dry-run', 'flush', 'timeout']);
    expect([direct.status, direct.stdout]).toEqual([0, '1400000002080500000000000000000000000000\n']);
  });
});
