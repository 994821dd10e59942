// `apply --check`: like `diff` / `terraform plan -detailed-exitcode` — 0 when the kernel already
// matches, 2 when apply would change something (the plan on stdout), another code on error; it
// never changes the kernel. In a private network namespace.
import { describe, expect, it } from 'vitest';
import { expectRun, nfct, ours, policyNames, useNetnsAndDir, values, write, yaml } from '../helpers/cli.js';

const { ns, dir } = useNetnsAndDir({ flushEach: true, rawRulesEach: true });

describe('apply --check', () => {
  it('exits 2 with the plan while the kernel differs, changes nothing, and 0 once applied', () => {
    const f = write(dir, 'want.yaml', yaml(['web', 'inet', 'tcp', { established: 600 }], ['dns', 'inet', 'udp', { unreplied: 5 }]));
    const before = expectRun(ns, ['apply', '-f', f, '--check'], 2);
    expect(before.stdout).toBe('would create web (inet tcp)\nwould create dns (inet udp)\n');
    expect(policyNames(ns)).toEqual([]);
    expectRun(ns, ['apply', '-f', f], 0);
    const after = expectRun(ns, ['apply', '-f', f, '--check'], 0);
    expect(after.stdout).toBe('in sync: web, dns\nnothing to do\n');
  });

  it('sees drift: a value changed by hand, a policy deleted by hand', () => {
    const f = write(dir, 'drift.yaml', yaml(['web', 'inet', 'tcp', { established: 600 }], ['dns', 'inet', 'udp']));
    expectRun(ns, ['apply', '-f', f], 0);
    expect(nfct(ns, ['add', 'timeout', 'tmp', 'inet', 'tcp', 'close', '1']).status).toBe(0);
    expectRun(ns, ['update', 'timeout', 'web', 'inet', 'tcp', 'established', '700', '--merge'], 0);
    expect(nfct(ns, ['delete', 'timeout', 'dns']).status).toBe(0);
    const r = expectRun(ns, ['apply', '-f', f, '--check'], 2);
    expect(r.stdout).toBe('would update web: ESTABLISHED 700 -> 600\nwould create dns (inet udp)\n');
    expect(values(ns, 'web').ESTABLISHED).toBe(700);
    // A policy the file does not list is only a difference with --prune.
    expectRun(ns, ['apply', '-f', f], 0);
    expectRun(ns, ['apply', '-f', f, '--check'], 0);
    expect(expectRun(ns, ['apply', '-f', f, '--check', '--prune', '--owner-prefix', 't'], 2).stdout).toMatch(/^would delete tmp$/m);
    expect(policyNames(ns)).toContain('tmp');
  });

  it('--json: the plan as JSON, same exit statuses', () => {
    const f = write(dir, 'j.yaml', yaml(['j', 'inet', 'icmp', { timeout: 7 }]));
    const r = expectRun(ns, ['apply', '-f', f, '--check', '--json'], 2);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ unchanged: false, dryRun: true });
    expect(plan.steps.map((s: { action: string; name: string }) => [s.action, s.name])).toEqual([['create', 'j']]);
    expectRun(ns, ['apply', '-f', f], 0);
    expect(JSON.parse(expectRun(ns, ['apply', '-f', f, '--check', '--json'], 0).stdout)).toMatchObject({ unchanged: true, inSync: ['j'] });
  });

  it('an error is neither 0 nor 2 but its class: a bad file 64 (usage), a namespace that does not exist 9 (transport)', () => {
    const bad = write(dir, 'bad.yaml', yaml(['b', 'inet', 'tcp', { nope: 1 }]));
    const r = ours(ns, ['apply', '-f', bad, '--check']);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/bad\.yaml:5:\d+: .*timeouts\.nope: "nope" is not a state of tcp/);
    const good = write(dir, 'g.yaml', yaml(['g', 'inet', 'tcp']));
    const gone = ours(ns, ['apply', '-f', good, '--check', '--netns', `${dir}/no-such-netns`]);
    expect(gone.status).toBe(9);
    expect(gone.stderr).toMatch(/^cttimeout: /);
  });

  it('refuses --check with --watch', () => {
    const f = write(dir, 'w.yaml', yaml(['w', 'inet', 'tcp']));
    const r = ours(ns, ['apply', '-f', f, '--check', '--watch']);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/--watch changes the kernel; it cannot be combined with --dry-run or --check/);
  });
});
