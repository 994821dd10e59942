// apply --prune deletes only what the desired state owns: names under --owner-prefix (or the
// file's owner: {prefix}), never Open vSwitch's ovs_tp_* unless listed, never a policy in use;
// the dry run and --check say what is kept and why. In a private network namespace.
import { beforeEach, describe, expect, it } from 'vitest';
import { expectRun, nfct, policyNames, runIn, useNetnsAndDir, write, yaml } from '../helpers/cli.js';

const { ns, dir } = useNetnsAndDir();

const add = (name: string) => expect(nfct(ns, ['add', 'timeout', name, 'inet', 'tcp', 'close', '3']).status).toBe(0);
beforeEach(() => {
  runIn(ns, 'iptables', ['-t', 'raw', '-F']);
  nfct(ns, ['flush', 'timeout']);
  for (const n of ['web-old', 'web-busy', 'other', 'ovs_tp_1_tcp4']) add(n);
  runIn(ns, 'iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'web-busy']);
});

// With an owner prefix, ovs_tp_* is outside it too: apply gives 'not-owned', the first reason.
const KEPT = ['kept (in use by CT rules, not in the file): web-busy', 'kept (not owned: outside the owner prefix "web-"): other, ovs_tp_1_tcp4'];

describe('apply --prune with an owner', () => {
  it('--owner-prefix: the dry run and --check show what is deleted and what is kept and why', () => {
    const f = write(dir, 'web.yaml', yaml(['web-a', 'inet', 'tcp']));
    const plan = expectRun(ns, ['apply', '-f', f, '--prune', '--owner-prefix', 'web-', '--dry-run'], 0).stdout;
    expect(plan.split('\n')).toEqual(expect.arrayContaining(['would create web-a (inet tcp)', 'would delete web-old', ...KEPT]));
    expect(expectRun(ns, ['apply', '-f', f, '--prune', '--owner-prefix', 'web-', '--check'], 2).stdout).toBe(plan);
    const done = expectRun(ns, ['apply', '-f', f, '--prune', '--owner-prefix', 'web-'], 0).stdout;
    expect(done.split('\n')).toEqual(expect.arrayContaining(['created web-a (inet tcp)', 'deleted web-old', ...KEPT]));
    expect(policyNames(ns).sort()).toEqual(['other', 'ovs_tp_1_tcp4', 'web-a', 'web-busy']);
    // Kept policies are not differences: the kernel now matches.
    expectRun(ns, ['apply', '-f', f, '--prune', '--owner-prefix', 'web-', '--check'], 0);
  });

  it('the owner declared in the file does the same, and --json carries the reasons', () => {
    const f = write(dir, 'owned.yaml', `owner:\n  prefix: web-\npolicies:\n${yaml(['web-a', 'inet', 'tcp']).replace(/^/gm, '  ')}`);
    const out = JSON.parse(expectRun(ns, ['apply', '-f', f, '--prune', '--dry-run', '--json'], 0).stdout);
    expect(out.steps.map((s: { action: string; name: string }) => `${s.action} ${s.name}`)).toEqual(['create web-a', 'delete web-old']);
    expect(out.kept.map((k: { name: string; reason: string }) => `${k.name} ${k.reason}`).sort()).toEqual([
      'other not-owned',
      'ovs_tp_1_tcp4 not-owned',
      'web-busy in-use',
    ]);
  });

  it('without a declared owner, --prune is refused (dry run and --check too) with how to declare one, and nothing changes', () => {
    const f = write(dir, 'all.yaml', yaml(['web-a', 'inet', 'tcp']));
    const before = policyNames(ns).sort();
    for (const extra of [[], ['--dry-run'], ['--check'], ['--json']]) {
      const r = expectRun(ns, ['apply', '-f', f, '--prune', ...extra], 64);
      const message = extra[0] === '--json' ? JSON.parse(r.stderr).error.message : r.stderr;
      expect(message).toMatch(/--prune needs an owner/);
      expect(message).toMatch(/--owner-prefix PREFIX/);
      expect(message).toMatch(/owner: \{prefix: PREFIX\}/);
    }
    expect(policyNames(ns).sort()).toEqual(before);
    // Without --prune nothing is deleted, so no owner is needed.
    expectRun(ns, ['apply', '-f', f], 0);
    expect(policyNames(ns).sort()).toEqual([...before, 'web-a'].sort());
  });

  it('ovs_tp_* is never pruned unless listed: an owner prefix that covers it still keeps it, listing it takes it over', () => {
    const f = write(dir, 'ovs.yaml', yaml(['ovs_tp_2_tcp4', 'inet', 'tcp']));
    const plan = expectRun(ns, ['apply', '-f', f, '--prune', '--owner-prefix', 'ovs_tp_', '--dry-run'], 0).stdout;
    expect(plan).toMatch(/^kept \(Open vSwitch's, never pruned unless listed\): ovs_tp_1_tcp4$/m);
    expect(plan).not.toMatch(/would delete ovs_tp_1_tcp4/);
    const g = write(dir, 'ovs2.yaml', yaml(['ovs_tp_1_tcp4', 'inet', 'tcp', { close: 9 }]));
    expect(expectRun(ns, ['apply', '-f', g, '--prune', '--owner-prefix', 'ovs_tp_'], 0).stdout).toMatch(/^updated ovs_tp_1_tcp4: CLOSE 3 -> 9$/m);
    expect(policyNames(ns).sort()).toEqual(['ovs_tp_1_tcp4', 'other', 'web-busy', 'web-old'].sort());
  });
});
