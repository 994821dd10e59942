// The boot unit, systemd/cttimeout.service: systemd-analyze verify passes, it is ordered
// before the firewall loaders, and its ExecStart — run in a private network namespace against
// a config dir in the /etc/cttimeout layout — loads the policies an iptables-restore file then
// names (which fails without them: the reboot problem the unit solves).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, nfct, ours, runIn, useNetnsAndDir, values, write, yaml } from '../helpers/cli.js';
import { testNetns } from '../helpers/netns.js';

const PKG = join(ROOT, 'packages/cttimeout');
const UNIT = join(PKG, 'systemd/cttimeout.service');

const { ns, dir } = useNetnsAndDir();

/** `Key=value` lines of one [Section] (repeated keys kept in order). */
function section(text: string, name: string): Array<[string, string]> {
  const body = text.split(/^\[/m).find((s) => s.startsWith(`${name}]`)) ?? '';
  return [...body.matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]);
}
const values_ = (entries: Array<[string, string]>, key: string): string[] => entries.filter(([k]) => k === key).flatMap(([, v]) => v.split(/\s+/));

/** A MANPATH holding the page as npm installs it (PREFIX/share/man/man8/cttimeout.8). */
function manpath(): string {
  const m = join(dir, 'man');
  mkdirSync(join(m, 'man8'), { recursive: true });
  copyFileSync(join(PKG, 'man/cttimeout.8'), join(m, 'man8/cttimeout.8'));
  return m;
}

function verify(unit: string) {
  return spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', env: { ...process.env, MANPATH: manpath(), SYSTEMD_LOG_LEVEL: 'notice' } });
}

const RULES = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp --dport 80 -j CT --timeout web
-A OUTPUT -p udp --dport 53 -j CT --timeout dns
COMMIT
`;
const RULES6 = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp --dport 443 -j CT --timeout web6
COMMIT
`;

describe('systemd/cttimeout.service', () => {
  const text = readFileSync(UNIT, 'utf8');

  it('passes systemd-analyze verify (and a broken copy does not)', () => {
    const r = verify(UNIT);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stderr + r.stdout).toBe('');
    const broken = join(dir, 'cttimeout.service');
    writeFileSync(broken, text.replace('Type=oneshot', 'Type=oneshot-ish'));
    const b = verify(broken);
    expect(b.stderr + b.stdout).toMatch(/Failed to parse service type|oneshot-ish/);
  });

  it('is a oneshot ordered before the firewall loaders and network-pre.target', () => {
    const unit = section(text, 'Unit');
    const service = section(text, 'Service');
    expect(values_(unit, 'Before')).toEqual(
      expect.arrayContaining(['network-pre.target', 'netfilter-persistent.service', 'iptables.service', 'ip6tables.service', 'nftables.service']),
    );
    expect(values_(unit, 'Wants')).toContain('network-pre.target');
    expect(values_(unit, 'DefaultDependencies')).toEqual(['no']);
    expect(values_(service, 'Type')).toEqual(['oneshot']);
    expect(values_(service, 'RemainAfterExit')).toEqual(['yes']);
    expect(values_(service, 'ExecStart').join(' ')).toBe('/usr/bin/env cttimeout apply --config-dir /etc/cttimeout');
    expect(values_(unit, 'ConditionPathExists')).toEqual(['|/etc/cttimeout/policies.yaml']);
    expect(values_(unit, 'ConditionDirectoryNotEmpty')).toEqual(['|/etc/cttimeout/policies.d']);
    // The code cache goes where the unit may write (/usr is read-only under ProtectSystem=strict).
    expect(values_(service, 'ProtectSystem')).toEqual(['strict']);
    expect(values_(service, 'CacheDirectory')).toEqual(['cttimeout']);
    expect(values_(service, 'Environment')).toEqual(['NODE_COMPILE_CACHE=%C/cttimeout']);
  });

  it('is in the package (files) with the man page it documents itself with', () => {
    const pkg = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PKG, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    );
    const files = packed[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['systemd/cttimeout.service', 'man/cttimeout.8']));
    expect(pkg.man).toEqual(['./man/cttimeout.8']);
  });

  it('its ExecStart, in a private namespace, loads the policies an iptables-restore file names', async () => {
    // The /etc/cttimeout layout in a temp dir; ExecStart as written, with "cttimeout" found on
    // PATH (our bin) and /etc/cttimeout pointed at the temp dir.
    const etc = join(dir, 'etc-cttimeout');
    write(etc, 'policies.yaml', yaml(['web', 'inet', 'tcp', { established: 600 }]));
    write(etc, 'policies.d/10-dns.yaml', yaml(['dns', 'inet', 'udp', { unreplied: 5, replied: 20 }]));
    write(etc, 'policies.d/20-v6.yaml', yaml(['web6', 'inet6', 'tcp', { established: 900 }]));
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(join(PKG, 'bin/cttimeout.cjs'), join(bin, 'cttimeout'));
    const service = section(text, 'Service');
    const [exe, ...args] = values_(service, 'ExecStart').map((w) => w.replace('/etc/cttimeout', etc));
    // The unit's Environment= with %C (the cache root, /var/cache) in the temp dir.
    const cacheRoot = join(dir, 'var-cache');
    const unitEnv = Object.fromEntries(values_(service, 'Environment').map((kv) => kv.replace('%C', cacheRoot).split('=', 2) as [string, string]));
    const env = { ...process.env, ...unitEnv, PATH: `${bin}:${process.env.PATH}`, CTTIMEOUT_CODE_CACHE_TRACE: '1' };
    delete env.NODE_DISABLE_COMPILE_CACHE;

    // Without the policies (a fresh boot), the firewall rules do not load.
    const rules = write(dir, 'rules.v4', RULES);
    const rules6 = write(dir, 'rules.v6', RULES6);
    const fresh = await testNetns();
    const before = spawnSync('nsenter', [`--net=${fresh.path}`, 'iptables-restore', rules], { encoding: 'utf8' });
    expect(before.status).not.toBe(0);
    expect(before.stderr).toMatch(/No such file or directory|RULE_APPEND failed|No such timeout policy/);

    const r = spawnSync('nsenter', [`--net=${ns.path}`, exe!, ...args], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('created web (inet tcp)\ncreated dns (inet udp)\ncreated web6 (inet6 tcp)\n');
    for (const [cmd, file] of [
      ['iptables-restore', rules],
      ['ip6tables-restore', rules6],
    ] as const) {
      const loaded = runIn(ns, cmd, [file]);
      expect(loaded.status, loaded.stderr).toBe(0);
    }
    expect(runIn(ns, 'iptables', ['-t', 'raw', '-S']).stdout).toMatch(/-j CT --timeout web/);
    // The rules hold the policies: use 2 (one for the policy list, one per rule).
    const listed = JSON.parse(ours(ns, ['list', 'timeout', '--json']).stdout) as Array<{ name: string; use: number }>;
    expect(Object.fromEntries(listed.map((p) => [p.name, p.use]))).toEqual({ web: 2, dns: 2, web6: 2 });
    expect(values(ns, 'dns')).toEqual({ UNREPLIED: 5, REPLIED: 20 });
    // A second start (systemctl restart/reload) changes nothing.
    const again = spawnSync('nsenter', [`--net=${ns.path}`, exe!, ...args], { encoding: 'utf8', env });
    expect([again.status, again.stdout]).toEqual([0, 'in sync: web, dns, web6\nnothing changed\n']);
    // The first start wrote the command's code cache into the unit's cache directory; the next used it.
    expect(r.stderr).toContain(`code cache ${join(cacheRoot, 'cttimeout')}/cli-${process.version}-${process.arch}.v8: none, written`);
    expect(again.stderr).toMatch(/code cache .*: used, kept\n/);
    runIn(ns, 'iptables', ['-t', 'raw', '-F']);
    runIn(ns, 'ip6tables', ['-t', 'raw', '-F']);
    expect(nfct(ns, ['flush', 'timeout']).status).toBe(0);
  });
});
