// `cttimeout validate`: a policy file checked offline — no netlink socket, no CAP_NET_ADMIN —
// with the kernel's compiled defaults and an optional --hz; and --config-dir merging.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuiltCli, write, yaml } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/netns.js';

beforeAll(requireBuiltCli);
const dir = useTmpDir('cttimeout-validate-');

/**
 * The CLI without CAP_NET_ADMIN (dropped from the bounding set, so the exec'd node never has
 * it) in a fresh network namespace, traced for socket(2) calls.
 */
function unprivileged(args: string[], input?: string) {
  const trace = join(dir, `strace-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(
    'unshare',
    [
      '-n',
      'setpriv',
      '--bounding-set',
      '-net_admin',
      '--inh-caps',
      '-net_admin',
      'strace',
      '-f',
      '-qq',
      '-e',
      'trace=socket',
      '-o',
      trace,
      process.execPath,
      CLI,
      ...args,
    ],
    {
      input,
      encoding: 'utf8',
    },
  );
  const sockets = spawnSync('cat', [trace], { encoding: 'utf8' }).stdout;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, sockets };
}

describe('validate -f FILE', () => {
  it('passes a good file without a socket or CAP_NET_ADMIN, showing the compiled defaults', () => {
    const f = write(dir, 'good.yaml', yaml(['web', 'inet', 'tcp', { established: 600, CLOSE_WAIT: 10 }], ['dns', 'inet6', 'udp']));
    const r = unprivileged(['validate', '-f', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok web inet tcp: established 600, close_wait 10; 9 states at the kernel default\n');
    expect(r.stdout).toContain('ok dns inet6 udp: all defaults; 2 states at the kernel default\n');
    expect(r.stdout).toMatch(/^valid: 2 policies in .*good\.yaml \(HZ=\d+ from /m);
    expect(r.sockets).not.toMatch(/AF_NETLINK/);
    // The control: the same process conditions cannot read the kernel (so the test can fail).
    const control = unprivileged(['apply', '-f', f, '--dry-run']);
    expect(control.status).not.toBe(0);
    expect(control.stderr).toMatch(/EPERM|Operation not permitted/);
    expect(control.sockets).toMatch(/AF_NETLINK/);
  });

  it('--json gives every state, which were defaulted, and the HZ used', () => {
    const f = write(dir, 'json.yaml', yaml(['u', 'inet', 'udp', { unreplied: 5 }]));
    const r = unprivileged(['validate', '-f', f, '--hz', '100', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ valid: true, hz: 100, hzSource: '--hz', maxSeconds: 42949672, warnings: [] });
    expect(out.policies).toEqual([{ name: 'u', family: 'inet', protocol: 'udp', timeouts: { UNREPLIED: 5, REPLIED: 120 }, defaulted: ['REPLIED'] }]);
  });

  it('--hz changes the limit: a value that fits HZ=100 is refused at HZ=1000, with file:line:col', () => {
    const f = write(dir, 'big.yaml', yaml(['big', 'inet', 'tcp', { established: 10_000_000 }]));
    expect(unprivileged(['validate', '-f', f, '--hz', '100']).status).toBe(0);
    const r = unprivileged(['validate', '-f', f, '--hz', '1000']);
    expect(r.status).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/big\.yaml:5:\d+: .*"big".*timeouts\.ESTABLISHED: 10000000 is not an integer in 0\.\.4294967:/);
  });

  it('reports a bad file with where and what, and reads standard input', () => {
    const r = unprivileged(['validate', '-f', '-'], yaml(['x', 'inet', 'udp', { established: 5 }]));
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/<stdin>:5:\d+: .*"x".*timeouts\.established: "established" is not a state of udp/);
    const ok = unprivileged(['validate', '-f', '-'], yaml(['x', 'inet', 'udp']));
    expect(ok.status, ok.stderr).toBe(0);
    const bad = unprivileged(['validate', '-f', join(dir, 'missing.yaml')]);
    expect(bad.status).toBe(8);
    expect(bad.stderr).toMatch(/cannot read .*missing\.yaml/);
  });

  it('warns (but passes) for a protocol some kernels lack', () => {
    const f = write(dir, 'dccp.yaml', yaml(['d', 'inet', 'dccp', { open: 100 }]));
    const r = unprivileged(['validate', '-f', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: policy "d": dccp: tracker removed in Linux 6\.17/);
  });

  it('refuses bad arguments', () => {
    expect(unprivileged(['validate']).stderr).toMatch(/validate needs -f FILE .* or --config-dir DIR/);
    expect(unprivileged(['validate', '-f', 'x', '--hz', 'abc']).stderr).toMatch(/--hz.*"abc" is not a CONFIG_HZ Linux offers/);
    expect(unprivileged(['validate', '-f', 'x', '--prune']).stderr).toMatch(/--prune does not apply to validate/);
    expect(unprivileged(['validate', 'extra']).stderr).toMatch(/validate takes no arguments/);
  });
});

describe('--config-dir DIR', () => {
  it('merges policies.yaml and policies.d/*.yaml|yml|json in name order, skipping hidden and other files', () => {
    const d = join(dir, 'cfg');
    write(d, 'policies.yaml', yaml(['main', 'inet', 'tcp']));
    write(d, 'policies.d/20-b.yml', yaml(['b', 'inet', 'udp']));
    write(d, 'policies.d/10-a.json', JSON.stringify([{ name: 'a', family: 'inet', protocol: 'icmp', timeouts: { timeout: 9 } }]));
    write(d, 'policies.d/.hidden.yaml', yaml(['hidden', 'inet', 'tcp']));
    write(d, 'policies.d/README', 'not a policy file');
    const r = unprivileged(['validate', '--config-dir', d, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.files).toEqual([join(d, 'policies.yaml'), join(d, 'policies.d/10-a.json'), join(d, 'policies.d/20-b.yml')]);
    expect(out.policies.map((p: { name: string }) => p.name)).toEqual(['main', 'a', 'b']);
  });

  it('works with policies.d alone, and -f adds a file', () => {
    const d = join(dir, 'only-d');
    write(d, 'policies.d/x.yaml', yaml(['x', 'inet', 'tcp']));
    const extra = write(dir, 'extra.yaml', yaml(['y', 'inet', 'udp']));
    const r = unprivileged(['validate', '--config-dir', d, '-f', extra, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).policies.map((p: { name: string }) => p.name)).toEqual(['y', 'x']);
  });

  it('a name in two files is an error naming both files', () => {
    const d = join(dir, 'dup');
    write(d, 'policies.yaml', yaml(['web', 'inet', 'tcp']));
    write(d, 'policies.d/50-web.yaml', yaml(['other', 'inet', 'udp'], ['web', 'inet', 'udp']));
    const r = unprivileged(['validate', '--config-dir', d]);
    expect(r.status).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${join(d, 'policies.d/50-web.yaml')}: policy "web" is also in ${join(d, 'policies.yaml')}`);
  });

  it('an empty or missing directory is an error, not an empty desired state', () => {
    const d = join(dir, 'empty');
    write(d, 'policies.d/notes.txt', '');
    expect(unprivileged(['validate', '--config-dir', d]).stderr).toMatch(/no policy file \(looked for .*policies\.yaml and .*policies\.d\/\*\.yaml/);
    expect(unprivileged(['validate', '--config-dir', join(dir, 'nope')]).stderr).toMatch(/nope: no such directory/);
  });
});

describe('owner (what apply --prune may delete)', () => {
  const owned = (prefix: string) => `owner:\n  prefix: ${prefix}\npolicies:\n${yaml(['web-a', 'inet', 'tcp']).replace(/^/gm, '  ')}`;

  it('is read from the file and agrees with --owner-prefix and the other files', () => {
    const d = join(dir, 'owned');
    write(d, 'policies.yaml', owned('web-'));
    write(d, 'policies.d/b.yaml', `owner: {prefix: web-}\npolicies: []\n`);
    const r = unprivileged(['validate', '--config-dir', d, '--owner-prefix', 'web-', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).owner).toEqual({ prefix: 'web-', from: '--owner-prefix' });
    const text = unprivileged(['validate', '-f', join(d, 'policies.yaml')]);
    expect(text.stdout).toContain(`owner: prune may delete names starting with "web-" (${join(d, 'policies.yaml')}:2:11)\n`);
  });

  it('two owners are an error naming both places; a bad owner names its line', () => {
    const d = join(dir, 'owners');
    write(d, 'policies.yaml', owned('web-'));
    write(d, 'policies.d/b.yaml', `owner: {prefix: dns-}\npolicies: []\n`);
    const r = unprivileged(['validate', '--config-dir', d]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${join(d, 'policies.d/b.yaml')}:1:17: owner prefix "dns-" differs from "web-" at ${join(d, 'policies.yaml')}:2:11`);
    const f = write(dir, 'o.yaml', owned('web-'));
    expect(unprivileged(['validate', '-f', f, '--owner-prefix', 'x-']).stderr).toMatch(/owner prefix "web-" differs from "x-" at --owner-prefix/);
    expect(unprivileged(['validate', '-f', write(dir, 'o2.yaml', 'owner: web-\npolicies: []\n')]).stderr).toMatch(/o2\.yaml:1:8: owner: must be a map/);
    expect(unprivileged(['validate', '-f', write(dir, 'o3.yaml', 'owner: {prefix: ""}\npolicies: []\n')]).stderr).toMatch(
      /o3\.yaml:1:17: owner: prefix: empty/,
    );
    expect(unprivileged(['validate', '-f', write(dir, 'o4.yaml', 'owner: {prefx: a}\npolicies: []\n')]).stderr).toMatch(
      /o4\.yaml:1:9: owner: unknown field "prefx"/,
    );
  });
});
