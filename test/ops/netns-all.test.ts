// --netns-all: one command line in every network namespace — those named in a netns directory
// (CTTIMEOUT_NETNS_DIR, a temp dir here: never /run/netns) and, with =processes, every distinct
// namespace of a running process (here inside a private PID namespace with its own /proc, so
// only private namespaces are visible). Reported per namespace, past failures, worst status.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, nfct, privateNetns, requireBuiltCli, runIn, write, yaml, policyNames, values, type Netns } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/netns.js';

let blue: Netns;
let green: Netns;
let red: Netns;
const dir = useTmpDir('cttimeout-netns-all-');
let netnsDir: string;
beforeAll(async () => {
  requireBuiltCli();
  [blue, green, red] = await Promise.all([privateNetns(), privateNetns(), privateNetns()]);
  netnsDir = join(dir, 'netns');
  mkdirSync(netnsDir);
  // As `ip netns add` would name them; green twice (one namespace, two names: visited once).
  symlinkSync(blue.path, join(netnsDir, 'blue'));
  symlinkSync(green.path, join(netnsDir, 'green'));
  symlinkSync(green.path, join(netnsDir, 'green-alias'));
  symlinkSync(red.path, join(netnsDir, 'red'));
});
afterAll(() => {
  for (const ns of [blue, green, red]) ns?.dispose();
});

/** The CLI with --netns-all in the machine's namespace: it opens its sockets in the listed ones only. */
function cli(args: string[], env: Record<string, string> = {}) {
  if (!args.some((a) => a.startsWith('--netns-all'))) args = [...args, '--netns-all'];
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CTTIMEOUT_NETNS_DIR: netnsDir, ...env } });
  return { status: r.status!, stdout: r.stdout, stderr: r.stderr };
}
const inode = (ns: Netns) => Number(/\[(\d+)\]/.exec(execFileSync('readlink', [ns.path]).toString())![1]);

describe('--netns-all (named namespaces)', () => {
  it('applies in each namespace once, continues past a failure, exits with the worst status', () => {
    const f = write(dir, 'p.yaml', yaml(['web', 'inet', 'tcp', { established: 600 }], ['dns', 'inet', 'udp', { unreplied: 5 }]));
    // red holds "web" as a udp policy in use by a rule: the recreate to tcp fails there (EBUSY).
    expect(nfct(red, ['add', 'timeout', 'web', 'inet', 'udp', 'unreplied', '1']).status).toBe(0);
    runIn(red, 'iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'udp', '-j', 'CT', '--timeout', 'web']);

    const check = cli(['apply', '-f', f, '--check']);
    expect(check.status, check.stderr).toBe(2);
    expect(check.stdout.match(/^== netns .*$/gm)).toEqual([
      `== netns blue (${netnsDir}/blue, inode ${inode(blue)}): exit 2 ==`,
      `== netns green (${netnsDir}/green, inode ${inode(green)}): exit 2 ==`,
      `== netns red (${netnsDir}/red, inode ${inode(red)}): exit 2 ==`,
    ]);
    expect(policyNames(blue)).toEqual([]);

    const r = cli(['apply', '-f', f]);
    expect([0, 2]).not.toContain(r.status);
    expect(r.stdout).toContain(`== netns blue (${netnsDir}/blue, inode ${inode(blue)}): exit 0 ==\ncreated web (inet tcp)\ncreated dns (inet udp)\n`);
    expect(r.stdout).toMatch(new RegExp(`== netns red \\(.*\\): exit ${r.status} ==`));
    expect(r.stderr).toMatch(/^cttimeout: netns red: .*(EBUSY|busy)/m);
    expect(r.stderr).toMatch(new RegExp(`^cttimeout: --netns-all: 3 namespaces, 1 failed \\(red: exit ${r.status}\\)$`, 'm'));
    for (const ns of [blue, green]) expect(values(ns, 'web').ESTABLISHED).toBe(600);
    expect(policyNames(red)).toContain('web');

    runIn(red, 'iptables', ['-t', 'raw', '-F']);
    expect(cli(['apply', '-f', f]).status).toBe(0);
    const after = cli(['apply', '-f', f, '--check']);
    expect(after.status, after.stdout + after.stderr).toBe(0);
    expect(after.stdout.match(/in sync: web, dns/g)).toHaveLength(3);
  });

  it('lists every namespace, as JSON too', () => {
    const text = cli(['list', 'timeout']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout.match(/^\.web = \{$/gm)).toHaveLength(3);
    const j = cli(['list', 'timeout', '--json']);
    expect(j.status, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(out.status).toBe(0);
    expect(out.namespaces.map((n: { name: string; inode: number; status: number }) => [n.name, n.inode, n.status])).toEqual([
      ['blue', inode(blue), 0],
      ['green', inode(green), 0],
      ['red', inode(red), 0],
    ]);
    expect(out.namespaces[0].output.map((p: { name: string }) => p.name).sort()).toEqual(['dns', 'web']);
  });

  it('reads standard input once for every namespace', () => {
    const r = spawnSync(process.execPath, [CLI, 'apply', '-f', '-', '--check', '--json', '--netns-all'], {
      encoding: 'utf8',
      input: yaml(['web', 'inet', 'tcp', { established: 600 }], ['dns', 'inet', 'udp', { unreplied: 5 }]),
      env: { ...process.env, CTTIMEOUT_NETNS_DIR: netnsDir },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).namespaces.map((n: { output: { unchanged: boolean } }) => n.output.unchanged)).toEqual([true, true, true]);
  });

  it('a path that is not UTF-8 is refused as without --netns-all, before any namespace, never replaced', () => {
    const path = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0xff]), Buffer.from('.yaml')]);
    writeFileSync(path, yaml(['web', 'inet', 'tcp', { established: 600 }], ['dns', 'inet', 'udp', { unreplied: 5 }]));
    const r = spawnSync('bash', ['-c', `exec "$0" "$1" apply -f $'${dir}/\\xff.yaml' --check --netns-all`, process.execPath, CLI], {
      encoding: 'utf8',
      env: { ...process.env, CTTIMEOUT_NETNS_DIR: netnsDir },
    });
    const single = spawnSync('bash', ['-c', `exec "$0" "$1" apply -f $'${dir}/\\xff.yaml' --check --netns "$2"`, process.execPath, CLI, blue.path], {
      encoding: 'utf8',
    });
    expect(single.stderr).toMatch(/the path is not UTF-8/);
    expect([r.status, r.stdout]).toEqual([single.status, '']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toBe(single.stderr);
  });

  it('an empty directory is nothing to do; wrong uses are refused', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = cli(['list', 'timeout'], { CTTIMEOUT_NETNS_DIR: empty });
    expect([r.status, r.stdout]).toEqual([0, '']);
    expect(r.stderr).toBe(`cttimeout: --netns-all: no network namespace under ${empty}\n`);
    expect(cli(['get', 'timeout', 'web']).stderr).toMatch(/--netns-all works with apply .* and list; not with "get"/);
    expect(cli(['list', 'timeout', '--netns-all=containers']).stderr).toMatch(/--netns-all=containers: the value is "processes"/);
    expect(cli(['list', 'timeout', '--netns', 'blue']).stderr).toMatch(/--netns-all cannot be combined with --netns/);
  });
});

describe('--netns-all=processes', () => {
  it('visits every distinct namespace of the running processes, deduplicated by inode', () => {
    const f = write(dir, 'proc.yaml', yaml(['proc', 'inet', 'tcp', { close: 3 }]));
    const empty = join(dir, 'none');
    mkdirSync(empty, { recursive: true });
    const host = execFileSync('readlink', ['/proc/self/ns/net']).toString().trim();
    // A private PID namespace with its own /proc: its processes are the shell (in a private
    // network namespace), three sleeps in two more (two share one) — never the host's.
    const script = `
      unshare -n sleep 60 & unshare -n sh -c 'sleep 60 & sleep 60' & sleep 0.5
      for p in /proc/[0-9]*/ns/net; do [ "$(readlink "$p")" = "${host}" ] && { echo "host namespace visible: $p"; exit 99; }; done
      "${process.execPath}" "${CLI}" apply -f "${f}" --netns-all=processes --json > "${dir}/apply.json"; echo "apply $?"
      "${process.execPath}" "${CLI}" apply -f "${f}" --netns-all=processes --check; echo "check $?"
      kill $(jobs -p) 2>/dev/null; true`;
    const r = spawnSync('unshare', ['--net', '--pid', '--fork', '--mount-proc', 'sh', '-c', script], {
      encoding: 'utf8',
      env: { ...process.env, CTTIMEOUT_NETNS_DIR: empty },
    });
    expect(r.stdout).toMatch(/^apply 0$/m);
    expect(r.stdout).toMatch(/^check 0$/m);
    const out = JSON.parse(execFileSync('cat', [join(dir, 'apply.json')]).toString());
    expect(out.namespaces).toHaveLength(3);
    expect(new Set(out.namespaces.map((n: { inode: number }) => n.inode)).size).toBe(3);
    for (const n of out.namespaces) {
      expect(n.name).toMatch(/^pid \d+ \(.+\)$/);
      expect(n.status).toBe(0);
      expect(n.output.steps.map((s: { action: string; name: string }) => [s.action, s.name])).toEqual([['create', 'proc']]);
    }
    expect(r.stdout.match(/^== netns pid \d+ .*: exit 0 ==$/gm)).toHaveLength(3);
  });
});
