// --verbose / CTTIMEOUT_DEBUG=1: one line on stderr per datagram sent and received, the
// open-time probe labelled as such, stdout unchanged; progress of long work only on a terminal.
// In a private network namespace.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, nfct, ours, useNetnsAndDir, words } from '../helpers/cli.js';

const { ns } = useNetnsAndDir();

describe('--verbose', () => {
  it('logs each request and reply in one line, labels the probe, and leaves stdout as it was', () => {
    nfct(ns, ['flush', 'timeout']);
    const r = ours(ns, words('add timeout web inet tcp established 5 --verbose'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^cttimeout: sent 28 bytes: GET "" seq \d+ \(open-time probe: .*ENOENT is the expected answer\)$/);
    expect(lines[1]).toMatch(/^cttimeout: received 36 bytes: ERROR ENOENT seq \d+ \(open-time probe/);
    expect(lines[2]).toMatch(/^cttimeout: sent \d+ bytes: NEW "web" inet tcp seq \d+$/);
    expect(lines[3]).toMatch(/^cttimeout: received 36 bytes: ACK seq \d+$/);
    const plain = ours(ns, words('get timeout web'));
    const debug = ours(ns, words('get timeout web'), { env: { ...process.env, CTTIMEOUT_DEBUG: '1' } });
    expect(debug.stdout).toBe(plain.stdout);
    expect(plain.stderr).toBe('');
    expect(debug.stderr).toMatch(/^cttimeout: received \d+ bytes: NEW "web" inet tcp seq \d+$/m);
    const missing = ours(ns, words('get timeout nope --verbose'));
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/received 36 bytes: ERROR ENOENT seq \d+\ncttimeout: get "nope": No such file or directory/);
  });
});

describe('progress of long work', () => {
  it('counts the replies on a terminal (script gives the CLI a pty), prints nothing when stderr is not one', () => {
    nfct(ns, ['flush', 'timeout']);
    const file = `/tmp/cttimeout-progress-${process.pid}.yaml`;
    writeFileSync(file, Array.from({ length: 3000 }, (_, i) => `- {name: q${i}, family: inet, protocol: udp}`).join('\n') + '\n');
    try {
      const tty = spawnSync('script', ['-qec', `nsenter --net=${ns.path} ${process.execPath} ${CLI} apply -f ${file} > /dev/null`, '/dev/null'], {
        encoding: 'latin1',
        timeout: 120_000,
      });
      expect(tty.status, tty.stdout).toBe(0);
      expect(tty.stdout).toMatch(/\rcttimeout: \d+ replies from the kernel so far/);
      expect(tty.stdout).toContain('\r\x1b[K');
      const list = ours(ns, ['list', 'timeout']);
      expect([list.status, list.stderr]).toEqual([0, '']);
      expect(list.stdout.match(/^\.q\d+ = \{$/gm)).toHaveLength(3000);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
