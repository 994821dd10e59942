// apply against the real kernel, in a private network namespace: the lost-policy case of issue 8,
// dry-run predictions, ownership, and a run killed with SIGKILL that the next run finishes.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../packages/cttimeout/src/index.js';
import { useClient } from '../helpers/client.js';
import { useTmpDir } from '../helpers/netns.js';
import { writeJournal } from '../../packages/cttimeout/src/apply/journal.js';
import { applyError } from './kit.js';

const { ns, ct } = useClient();
const dir = useTmpDir('cttimeout-apply-');

const udp = (name: string): Policy => ({ name, family: 'inet', protocol: 'udp', timeouts: {} });

describe('apply never loses a policy', () => {
  it('X in use fails EBUSY, Y is really recreated, 253 created: the report says exactly that', async () => {
    await ct.add({ name: 'X', family: 'inet', protocol: 'tcp', timeouts: {} });
    await ct.add({ name: 'Y', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: 7 } });
    ns.run('iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'X']);
    const list: Policy[] = [
      ...Array.from({ length: 253 }, (_, i) => udp(`new-${i}`)),
      { name: 'X', family: 'inet', protocol: 'udp', timeouts: {} },
      { name: 'Y', family: 'inet6', protocol: 'tcp', timeouts: { close: 8 } },
    ];
    const plan = await ct.apply(list, { dryRun: true });
    expect(plan.steps.slice(253).map((s) => [s.action, s.name, s.predicted?.code])).toEqual([
      ['recreate', 'X', 'EBUSY'],
      ['recreate', 'Y', undefined],
    ]);
    const e = await applyError(ct.apply(list));
    expect(e.steps.slice(253).map((s) => [s.action, s.name, s.status, s.error?.code])).toEqual([
      ['recreate', 'X', 'failed', 'EBUSY'],
      ['recreate', 'Y', 'done', undefined],
    ]);
    expect(e.steps.slice(0, 253).every((s) => s.action === 'create' && s.status === 'done')).toBe(true);
    const after = new Map((await ct.list().toArray()).map((p) => [p.name, p]));
    expect(after.size).toBe(255);
    expect(after.get('X')).toMatchObject({ family: 'inet', protocol: 'tcp', use: 2 });
    expect(after.get('Y')).toMatchObject({ family: 'inet6', protocol: 'tcp', timeouts: { CLOSE: 8 } });
    // a second run: only X is left to do, and it still fails the same way
    const again = await applyError(ct.apply(list));
    expect(again.steps.map((s) => [s.name, s.status])).toEqual([['X', 'failed']]);
  });

  it('validates everything first: a bad entry late in a long list sends nothing', async () => {
    const list = [...Array.from({ length: 600 }, (_, i) => udp(`p${i}`)), { name: 'late', family: 'inet', protocol: 'udp', timeouts: { ESTABLISHED: 5 } }];
    await expect(ct.apply(list as Policy[])).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_STATE',
      index: 600,
      policyName: 'late',
      field: 'timeouts.ESTABLISHED',
      operation: 'apply',
    });
    expect(await ct.list().toArray()).toEqual([]);
  });

  it('takes state names in any case; the plan holds canonical names only; a second run is in sync', async () => {
    const list = [{ name: 'web', family: 'inet', protocol: 'tcp', timeouts: { established: 600, Close_Wait: 10 } }] as unknown as Policy[];
    const plan = await ct.apply(list, { dryRun: true });
    expect(Object.keys(plan.steps[0]!.after!.timeouts)).toEqual([
      'SYN_SENT',
      'SYN_RECV',
      'ESTABLISHED',
      'FIN_WAIT',
      'CLOSE_WAIT',
      'LAST_ACK',
      'TIME_WAIT',
      'CLOSE',
      'SYN_SENT2',
      'RETRANS',
      'UNACKNOWLEDGED',
    ]);
    await ct.apply(list);
    expect((await ct.get('web')).timeouts).toMatchObject({ ESTABLISHED: 600, CLOSE_WAIT: 10 });
    expect((await ct.apply(list)).unchanged).toBe(true);
    const dup = [{ name: 'web', family: 'inet', protocol: 'tcp', timeouts: { established: 600, ESTABLISHED: 10 } }] as unknown as Policy[];
    await expect(ct.apply(dup)).rejects.toMatchObject({ code: 'ERR_DUPLICATE_STATE', index: 0, policyName: 'web' });
  });

  it('dry run predicts a protocol the kernel does not track; the real run refuses the list, sending nothing', async () => {
    const list: Policy[] = [udp('ok'), { name: 'd', family: 'inet', protocol: 'dccp', timeouts: {} }];
    const plan = await ct.apply(list, { dryRun: true });
    expect(plan.steps.map((s) => [s.name, s.predicted?.code])).toEqual([
      ['ok', undefined],
      ['d', 'EOPNOTSUPP'],
    ]);
    const e = await applyError(ct.apply(list));
    expect(e.steps.map((s) => [s.name, s.status, s.error?.code])).toEqual([
      ['ok', 'not-run', undefined],
      ['d', 'failed', 'EOPNOTSUPP'],
    ]);
    expect(e.message).toContain('"d" (dccp)');
    expect(await ct.list().toArray()).toEqual([]);
  });

  it('prune deletes only what it owns and says what it kept and why', async () => {
    for (const n of ['web-a', 'web-b', 'db', 'ovs_tp_1_tcp']) await ct.add({ name: n, family: 'inet', protocol: 'tcp', timeouts: {} });
    ns.run('iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'web-b']);
    const r = await ct.apply([udp('web-c')], { prune: true, owner: { prefix: 'web-' } });
    expect(r.steps.map((s) => [s.action, s.name, s.status])).toEqual([
      ['create', 'web-c', 'done'],
      ['delete', 'web-a', 'done'],
    ]);
    expect(r.kept.map((k) => [k.name, k.reason])).toEqual([
      ['web-b', 'in-use'],
      ['db', 'not-owned'],
      ['ovs_tp_1_tcp', 'not-owned'],
    ]);
    const all = await ct.apply([udp('web-c')], { prune: true });
    expect(all.steps.map((s) => [s.action, s.name])).toEqual([['delete', 'db']]);
    expect(all.kept.map((k) => [k.name, k.reason])).toEqual([
      ['web-b', 'in-use'],
      ['ovs_tp_1_tcp', 'ovs'],
    ]);
    expect((await ct.list().toArray()).map((p) => p.name)).toEqual(['web-b', 'ovs_tp_1_tcp', 'web-c']);
  });

  it('a run that died after a recreate’s DELETE (journal left, policy gone) is finished by the next run', async () => {
    const journal = join(dir, 'died.json');
    await ct.add({ name: 'gone', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: 3 } });
    const before = await ct.get('gone');
    // What a run killed between the two halves leaves: the journal written, the DELETE done.
    writeJournal(journal, [{ before, after: { name: 'gone', family: 'inet6', protocol: 'tcp', timeouts: { ...before.timeouts, CLOSE: 4 } } }]);
    await ct.delete('gone');
    const plan = await ct.apply([], { journal, dryRun: true });
    expect(plan.recovered.map((r) => [r.name, r.action, r.status])).toEqual([['gone', 'finished', 'planned']]);
    expect(existsSync(journal)).toBe(true);
    const r = await ct.apply([{ name: 'gone', family: 'inet6', protocol: 'tcp', timeouts: { CLOSE: 4 } }], { journal });
    expect(r.recovered.map((x) => [x.name, x.action, x.status])).toEqual([['gone', 'finished', 'done']]);
    expect(r.inSync).toEqual(['gone']);
    expect(await ct.get('gone')).toMatchObject({ family: 'inet6', timeouts: { CLOSE: 4 } });
    expect(existsSync(journal)).toBe(false);
  });

  it('a run killed with SIGKILL mid-apply of thousands of recreates: the next run finishes it, nothing lost', async () => {
    const N = 2000;
    const journal = join(dir, 'journal.json');
    const child = fileURLToPath(new URL('./apply-child.mjs', import.meta.url));
    const dist = fileURLToPath(new URL('../../packages/cttimeout/dist/index.js', import.meta.url));
    const wanted = (family: 'inet' | 'inet6'): Policy[] =>
      Array.from({ length: N }, (_, i) => ({ name: `k${i}`, family, protocol: 'tcp', timeouts: { CLOSE: 5 } }));
    await ct.apply(wanted('inet'));
    for (const [round, killAfter] of [
      [0, 256],
      [1, 1024],
    ] as const) {
      const to = round === 0 ? 'inet6' : 'inet';
      const p = spawn(process.execPath, [child, dist, ns.path, journal, to, String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
      // Once it reports `killAfter` steps done, SIGKILL it while the journal shows a batch of
      // recreates in flight (the journal lives from before the DELETEs to after the NEWs).
      let out = '';
      let poll: NodeJS.Timeout | undefined;
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (poll === undefined && out.split('\n').some((l) => Number(l) >= killAfter)) {
          poll = setInterval(() => {
            if (existsSync(journal)) p.kill('SIGKILL');
          }, 0);
        }
      });
      const signal = await new Promise((r) => p.on('exit', (_code, sig) => r(sig)));
      clearInterval(poll);
      expect(signal).toBe('SIGKILL');
      const r = await ct.apply(wanted(to), { journal });
      expect(r.recovered.length).toBeGreaterThan(0); // the journal of the batch in flight was found
      expect(r.recovered.every((x) => x.status === 'done')).toBe(true);
      expect(r.steps.length).toBeLessThan(N); // the killed run had done some of the work
      const all = await ct.list().toArray();
      expect(all).toHaveLength(N);
      expect(all.every((x) => x.family === to && x.timeouts.CLOSE === 5)).toBe(true);
      expect(existsSync(journal)).toBe(false);
    }
  }, 60_000);
});
