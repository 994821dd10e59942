// apply's step logic against a scripted kernel (no socket): what is sent in which batch, what
// each status means, restores, aborts and the journal. The real-kernel cases are in apply.test.ts.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// Name rules are the codec's (WebAssembly): load it as Node does.
import '../../packages/cttimeout/src/codec/node.js';
import { APPLY_BATCH, runApply, type ApplyContext } from '../../packages/cttimeout/src/apply/index.js';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { kernelError } from '../../packages/cttimeout/src/errors.js';
import type { RequestSpec } from '../../packages/cttimeout/src/codec/types.js';
import type { KernelPolicy, Policy } from '../../packages/cttimeout/src/policy.js';
import { applyError, TCP_DEFAULTS } from './kit.js';

const UDP = { UNREPLIED: 30, REPLIED: 120 };
const TCP = TCP_DEFAULTS;

type Answer = 'ok' | Error;

/**
 * A scripted kernel: holds policies, answers each request in the order sent; `script` may
 * replace the answer to the nth request (counting from 0) with an error, and `onBatch` runs
 * after each batch.
 */
function fakeKernel(initial: KernelPolicy[], script: (spec: RequestSpec, n: number) => Answer | undefined = () => undefined) {
  const policies = new Map(initial.map((p) => [p.name as string, { ...p }]));
  const batches: RequestSpec[][] = [];
  let n = 0;
  const ctx: ApplyContext & { onBatch?: () => void } = {
    limits: { hz: 250 },
    list: async () => [...policies.values()].map((p) => ({ ...p })),
    getDefaults: async (_f, protocol) => {
      if (protocol === 'dccp') throw kernelError(95, { operation: 'getDefaults' });
      return protocol === 'tcp' ? TCP : UDP;
    },
    // The fake reads specs back instead of bytes: encode is the identity here.
    encode: (spec) => spec as unknown as Uint8Array,
    batch: async (messages) => {
      const specs = messages as unknown as RequestSpec[];
      batches.push(specs);
      const out = specs.map((spec): PromiseSettledResult<Uint8Array[]> => {
        const scripted = script(spec, n++);
        if (scripted instanceof Error) return { status: 'rejected', reason: scripted };
        const cur = policies.get(spec.name!);
        if (spec.op === 'DELETE') {
          if (!cur) return { status: 'rejected', reason: kernelError(2) };
          if (cur.use > 1) return { status: 'rejected', reason: kernelError(16) };
          policies.delete(spec.name!);
        } else if (spec.op === 'NEW_EXCLUSIVE') {
          if (cur) return { status: 'rejected', reason: kernelError(17) };
          policies.set(spec.name!, { name: spec.name!, family: spec.l3proto, protocol: spec.l4proto, timeouts: spec.timeouts, use: 1 } as KernelPolicy);
        } else if (spec.op === 'NEW_REPLACE') {
          policies.set(spec.name!, { ...cur!, timeouts: spec.timeouts } as KernelPolicy);
        }
        return { status: 'fulfilled', value: [] };
      });
      ctx.onBatch?.();
      return out;
    },
  };
  return { ctx, policies, batches };
}

const tcp = (name: string, extra: Partial<KernelPolicy> = {}): KernelPolicy =>
  ({ name, family: 'inet', protocol: 'tcp', timeouts: TCP, use: 1, ...extra }) as KernelPolicy;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('apply steps', () => {
  it('never splits a recreate across batches (the lost-policy case)', async () => {
    const k = fakeKernel([tcp('X', { use: 2 }), tcp('Y')]);
    const list: Policy[] = [
      ...Array.from({ length: 253 }, (_, i) => ({ name: `n${i}`, family: 'inet', protocol: 'udp', timeouts: {} }) as Policy),
      { name: 'X', family: 'inet', protocol: 'udp', timeouts: {} },
      { name: 'Y', family: 'inet6', protocol: 'tcp', timeouts: {} },
    ];
    const e = await applyError(runApply(k.ctx, list, {}));
    expect(k.batches.map((b) => b.length)).toEqual([255, 2]);
    expect(k.batches.every((b) => b.length <= APPLY_BATCH)).toBe(true);
    expect(e.steps.slice(253).map((s) => [s.name, s.status, s.error?.code])).toEqual([
      ['X', 'failed', 'EBUSY'],
      ['Y', 'done', undefined],
    ]);
    expect(e.steps.slice(0, 253).every((s) => s.status === 'done')).toBe(true);
    expect(k.policies.get('Y')?.family).toBe('inet6');
    expect(e.message).toContain('recreate "X"');
    expect(e.message).toContain('254 of 255 steps done, 1 failed');
  });

  it('puts the old policy back when a recreate’s NEW fails, and says both', async () => {
    const old = tcp('r', { timeouts: { ...TCP, CLOSE: 7 } });
    const k = fakeKernel([old], (spec) => (spec.op === 'NEW_EXCLUSIVE' && spec.l4proto === 'udp' ? kernelError(12) : undefined));
    const e = await applyError(runApply(k.ctx, [{ name: 'r', family: 'inet', protocol: 'udp', timeouts: {} }], {}));
    expect(e.steps.map((s) => [s.action, s.status, s.error?.code, s.restore?.status])).toEqual([['recreate', 'failed', 'ENOMEM', 'done']]);
    expect(k.policies.get('r')).toMatchObject({ family: 'inet', protocol: 'tcp', timeouts: { CLOSE: 7 } });
    expect(k.batches.at(-1)).toEqual([{ op: 'NEW_EXCLUSIVE', name: 'r', l3proto: 'inet', l4proto: 'tcp', timeouts: old.timeouts }]);
  });

  it('reports may-have-run for lost answers, not-run for never sent, and stops sending', async () => {
    const timeout = new CtTimeoutError('ERR_TIMEOUT', 'no reply', { source: 'transport' });
    const never = Object.assign(new CtTimeoutError('ERR_TIMEOUT', 'never sent', { source: 'transport' }), { sent: false });
    const k = fakeKernel([], (_s, n) => (n === 1 ? timeout : n === 2 ? kernelError(105) : n === 3 ? never : undefined));
    const list = Array.from({ length: 300 }, (_, i) => ({ name: `p${i}`, family: 'inet', protocol: 'udp', timeouts: {} }) as Policy);
    const e = await applyError(runApply(k.ctx, list, {}));
    expect(e.steps.slice(0, 5).map((s) => s.status)).toEqual(['done', 'may-have-run', 'may-have-run', 'not-run', 'done']);
    expect(k.batches).toHaveLength(1); // the second batch was never sent
    expect(e.steps.slice(256).every((s) => s.status === 'not-run')).toBe(true);
  });

  it('on abort finishes the batch in flight, sends nothing more, and reports', async () => {
    const k = fakeKernel([]);
    const ac = new AbortController();
    k.ctx.onBatch = () => ac.abort();
    const list = Array.from({ length: 600 }, (_, i) => ({ name: `p${i}`, family: 'inet', protocol: 'udp', timeouts: {} }) as Policy);
    const e = await applyError(runApply(k.ctx, list, { signal: ac.signal }));
    expect(e.code).toBe('ERR_ABORTED');
    expect(k.batches).toHaveLength(1);
    expect(e.steps.filter((s) => s.status === 'done')).toHaveLength(256);
    expect(e.steps.filter((s) => s.status === 'not-run')).toHaveLength(344);
    expect(k.policies.size).toBe(256);
  });

  it('validates the whole list before the first request', async () => {
    const k = fakeKernel([]);
    const list = [
      ...Array.from({ length: 500 }, (_, i) => ({ name: `p${i}`, family: 'inet', protocol: 'udp', timeouts: {} })),
      { name: 'bad', family: 'inet', protocol: 'udp', timeouts: { nope: 1 } },
    ];
    await expect(runApply(k.ctx, list, {})).rejects.toMatchObject({ code: 'ERR_UNKNOWN_STATE', field: 'timeouts.nope', index: 500, policyName: 'bad' });
    expect(k.batches).toEqual([]);
    for (const bad of [null, undefined, 'x', {}])
      await expect(runApply(k.ctx, bad, {})).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'policies' });
    await expect(runApply(k.ctx, [], { prune: 'yes' } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'options.prune' });
    await expect(runApply(k.ctx, [], { owner: { prefix: '' } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'options.owner.prefix' });
  });

  it('prunes only what it owns: a prefix, never ovs_tp_* unless listed, never a policy in use', async () => {
    const k = fakeKernel([tcp('web-a'), tcp('web-b', { use: 3 }), tcp('db'), tcp('ovs_tp_1_tcp'), tcp('ovs_tp_2_tcp')]);
    const wanted: Policy[] = [{ name: 'ovs_tp_2_tcp', family: 'inet', protocol: 'tcp', timeouts: {} }];
    const owned = await runApply(k.ctx, wanted, { prune: true, dryRun: true, owner: { prefix: 'web-' } });
    expect(owned.steps.map((s) => [s.action, s.name])).toEqual([['delete', 'web-a']]);
    expect(owned.kept.map((p) => [p.name, p.reason])).toEqual([
      ['web-b', 'in-use'],
      ['db', 'not-owned'],
      ['ovs_tp_1_tcp', 'not-owned'],
    ]);
    const all = await runApply(k.ctx, wanted, { prune: true, dryRun: true });
    expect(all.steps.map((s) => [s.action, s.name])).toEqual([
      ['delete', 'web-a'],
      ['delete', 'db'],
    ]);
    expect(all.kept.map((p) => [p.name, p.reason])).toEqual([
      ['web-b', 'in-use'],
      ['ovs_tp_1_tcp', 'ovs'],
    ]);
    expect(all.keptInUse).toEqual(['web-b']);
    expect(all.inSync).toEqual(['ovs_tp_2_tcp']);
  });

  it('journals each batch’s recreates and clears the journal once they are settled', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cttimeout-journal-'));
    const journal = join(dir, 'sub', 'journal.json');
    const k = fakeKernel([tcp('a'), tcp('b')]);
    const seen: unknown[] = [];
    k.ctx.onBatch = () => seen.push(JSON.parse(readFileSync(journal, 'utf8')));
    await runApply(
      k.ctx,
      [
        { name: 'a', family: 'inet', protocol: 'udp', timeouts: {} },
        { name: 'b', family: 'inet6', protocol: 'tcp', timeouts: {} },
      ],
      { journal },
    );
    expect(seen).toEqual([
      {
        version: 1,
        recreates: [
          { before: { name: 'a', family: 'inet', protocol: 'tcp', timeouts: TCP }, after: { name: 'a', family: 'inet', protocol: 'udp', timeouts: UDP } },
          { before: { name: 'b', family: 'inet', protocol: 'tcp', timeouts: TCP }, after: { name: 'b', family: 'inet6', protocol: 'tcp', timeouts: TCP } },
        ],
      },
    ]);
    expect(existsSync(journal)).toBe(false);
  });

  it('a journal left by a killed run is finished first, and the report says so', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cttimeout-journal-'));
    const journal = join(dir, 'journal.json');
    // A run died after the DELETE of "a" (tcp -> udp): "a" is gone. "b"'s recreate had finished.
    const k = fakeKernel([tcp('b', { family: 'inet6' })]);
    const { writeJournal } = await import('../../packages/cttimeout/src/apply/journal.js');
    writeJournal(journal, [
      { before: { name: 'a', family: 'inet', protocol: 'tcp', timeouts: TCP }, after: { name: 'a', family: 'inet', protocol: 'udp', timeouts: UDP } },
      { before: { name: 'b', family: 'inet', protocol: 'tcp', timeouts: TCP }, after: { name: 'b', family: 'inet6', protocol: 'tcp', timeouts: TCP } },
    ]);
    const plan = await runApply(k.ctx, [], { journal, dryRun: true });
    expect(plan.recovered.map((r) => [r.name, r.action, r.status])).toEqual([
      ['a', 'finished', 'planned'],
      ['b', 'none', 'done'],
    ]);
    expect(existsSync(journal)).toBe(true);
    const r = await runApply(k.ctx, [{ name: 'a', family: 'inet', protocol: 'udp', timeouts: {} }], { journal });
    expect(r.recovered.map((x) => [x.name, x.action, x.status])).toEqual([
      ['a', 'finished', 'done'],
      ['b', 'none', 'done'],
    ]);
    expect([r.unchanged, r.steps, r.inSync]).toEqual([false, [], ['a']]);
    expect(k.policies.get('a')).toMatchObject({ protocol: 'udp', timeouts: UDP });
    expect(existsSync(journal)).toBe(false);
  });

  it('a journal it cannot read stops apply before anything is sent', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cttimeout-journal-'));
    const journal = join(dir, 'journal.json');
    (await import('node:fs')).writeFileSync(journal, '{"version":1,"recreates":[{"before":');
    const k = fakeKernel([]);
    await expect(runApply(k.ctx, [], { journal })).rejects.toMatchObject({ code: 'ERR_JOURNAL', field: 'options.journal' });
    expect(k.batches).toEqual([]);
  });

  it('dry run predicts refusals: in-use recreate (EBUSY), protocol without tracker (EOPNOTSUPP); the real run refuses the list whole', async () => {
    const k = fakeKernel([tcp('pinned', { use: 2 })]);
    const list: Policy[] = [
      { name: 'pinned', family: 'inet', protocol: 'udp', timeouts: { replied: 5 } } as never,
      { name: 'd', family: 'inet', protocol: 'dccp', timeouts: { OPEN: 5 } },
    ];
    const plan = await runApply(k.ctx, list, { dryRun: true });
    expect(plan.steps.map((s) => [s.action, s.name, s.status, s.predicted?.code])).toEqual([
      ['recreate', 'pinned', 'planned', 'EBUSY'],
      ['create', 'd', 'planned', 'EOPNOTSUPP'],
    ]);
    expect(plan.steps[0]!.after!.timeouts).toEqual({ UNREPLIED: 30, REPLIED: 5 });
    expect(k.batches).toEqual([]);
    // the real run refuses the list whole: nothing is sent
    const e = await applyError(runApply(k.ctx, list, {}));
    expect(e.steps.map((s) => [s.status, s.error?.code])).toEqual([
      ['not-run', undefined],
      ['failed', 'EOPNOTSUPP'],
    ]);
    expect(e.message).toContain('nothing sent');
    expect(k.batches).toEqual([]);
  });
});
