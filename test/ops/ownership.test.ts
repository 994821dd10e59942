// apply --prune deletes only what the desired state owns: names under --owner-prefix (or the
// file's owner: {prefix}), never Open vSwitch's ovs_tp_* unless listed, never a policy in use;
// the dry run and --check say what is kept and why. In a private network namespace.
import { beforeEach, describe, expect, it } from 'vitest';
import { expectRun, nfct, policyNames, runIn, useNetnsAndDir, write, yaml, type Netns } from './helpers.js';

let ns: Netns;
let dir: string;
useNetnsAndDir((n, d) => {
  ns = n;
  dir = d;
});

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
    expect(out.kept.map((k: { name: string; reason: string }) => `${k.name} ${k.reason}`).sort()).toEqual(['other not-owned', 'ovs_tp_1_tcp4 not-owned', 'web-busy in-use']);
  });

  it('without an owner, --prune deletes the rest but still keeps ovs_tp_* and policies in use; listing ovs_tp_* takes it over', () => {
    const f = write(dir, 'all.yaml', yaml(['web-a', 'inet', 'tcp']));
    expectRun(ns, ['apply', '-f', f, '--prune'], 0);
    expect(policyNames(ns).sort()).toEqual(['ovs_tp_1_tcp4', 'web-a', 'web-busy']);
    const g = write(dir, 'ovs.yaml', yaml(['web-a', 'inet', 'tcp'], ['ovs_tp_1_tcp4', 'inet', 'tcp', { close: 9 }]));
    expect(expectRun(ns, ['apply', '-f', g, '--prune'], 0).stdout).toMatch(/^update ovs_tp_1_tcp4: CLOSE 3 -> 9$|^updated ovs_tp_1_tcp4: CLOSE 3 -> 9$/m);
  });
});
