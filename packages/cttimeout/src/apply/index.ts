// apply(): plan the changes that make the kernel hold a list of policies, then run them so that
// no policy is ever lost and every step reports what the kernel did.
//  - The whole list is validated first (validate.ts): a bad entry sends nothing.
//  - A recreate (family or protocol change) is DELETE then NEW: both go in one batch, and when
//    the DELETE was done but the NEW failed, the old policy is created again with its old values.
//  - A journal (optional) records each batch's recreates before they are sent, so that a run
//    killed in between is finished by the next one.
//  - Steps are independent (one name each): a failed step does not stop the others; a transport
//    failure (timeout, ENOBUFS, closed) or an abort stops sending, after the batch in flight.
import { CtTimeoutError } from '../errors.js';
import type { Family, ProtocolName, RequestSpec } from '../codec/types.js';
import { E } from '../generated/table.js';
import { policySpec, withOperation, type KernelPolicy, type Policy } from '../policy.js';
import {
  checkName,
  PolicyListCheck,
  displayName,
  invalidArgument,
  describeValue,
  nameKey,
  type CheckedPolicy,
  type Limits,
  type PolicyName,
} from '../validate.js';
import { TURN_UNITS, turn } from '../transport/budget.js';
import { ApplyError } from './error.js';
import { clearJournal, readJournal, writeJournal, type JournalEntry, type JournalPolicy } from './journal.js';

export type ApplyAction = 'create' | 'update' | 'recreate' | 'delete';

/**
 * What the kernel did: 'done', 'failed' (it refused; `error` says why), 'not-run' (never sent),
 * 'may-have-run' (sent, but the answer was lost: abort, ENOBUFS, timeout; the next apply
 * reconciles it). 'planned' only in a dry run.
 */
export type StepStatus = 'planned' | 'done' | 'failed' | 'not-run' | 'may-have-run';

export interface ApplyStep {
  action: ApplyAction;
  name: PolicyName;
  /** The policy before (update, recreate, delete). */
  before?: KernelPolicy;
  /** The policy the step writes (create, update, recreate), every state filled in. */
  after?: Policy;
  status: StepStatus;
  error?: CtTimeoutError;
  /** Dry run: what the kernel will refuse (a recreate of a policy in use: EBUSY; a protocol without a tracker: EOPNOTSUPP). */
  predicted?: CtTimeoutError;
  /** A recreate whose NEW failed after its DELETE was done: putting the old policy back. */
  restore?: { status: StepStatus; error?: CtTimeoutError };
}

/** A policy prune did not delete, and why. */
export interface KeptPolicy {
  name: PolicyName;
  /** 'in-use': an iptables CT rule uses it; 'not-owned': outside options.owner; 'ovs': Open vSwitch's ovs_tp_*. */
  reason: 'in-use' | 'not-owned' | 'ovs';
  policy: KernelPolicy;
}

/** A recreate an earlier apply left unfinished (found in the journal), and what this run did. */
export interface Recovery {
  name: PolicyName;
  before: JournalPolicy;
  after: JournalPolicy;
  /** 'finished': the new policy was created; 'restored': the old one was; 'none': the kernel already held one of them. */
  action: 'finished' | 'restored' | 'none';
  status: StepStatus;
  error?: CtTimeoutError;
}

export interface ApplyResult {
  /** True when the kernel already matched (or, in a dry run, would need no change). */
  unchanged: boolean;
  steps: ApplyStep[];
  /** Names already as wanted. */
  inSync: PolicyName[];
  /** With prune: policies not in the list that could not be deleted because they are in use. */
  keptInUse: PolicyName[];
  /** With prune: every policy not in the list that was kept, and why. */
  kept: KeptPolicy[];
  /** Recreates of an interrupted earlier run, finished first (options.journal). */
  recovered: Recovery[];
}

export interface ApplyOptions {
  /** Stops after the requests in flight: the rest is 'not-run' and apply throws an ApplyError (ERR_ABORTED). */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Delete policies not in the list that this list owns (see `owner`). */
  prune?: boolean;
  /** Which policies prune may delete: names starting with `prefix` (bytes). Default: all but ovs_tp_*. */
  owner?: { prefix: string | Uint8Array };
  /** Plan only: nothing is changed. */
  dryRun?: boolean;
  /** Path of the journal that makes recreates survive a crash (e.g. /run/cttimeout/journal.json). */
  journal?: string;
  /** Called after each batch: steps settled so far, and how many there are (for progress display). */
  onProgress?: (settled: number, total: number) => void;
}

export { ApplyError };

/** What apply needs from the client. */
export interface ApplyContext {
  limits: Limits;
  list(opts: { timeoutMs?: number; signal?: AbortSignal }): Promise<KernelPolicy[]>;
  getDefaults(family: Family, protocol: ProtocolName, opts: { timeoutMs?: number; signal?: AbortSignal }): Promise<Record<string, number>>;
  encode(spec: RequestSpec): Uint8Array;
  batch(messages: Uint8Array[], opts: { timeoutMs?: number }): Promise<PromiseSettledResult<Uint8Array[]>[]>;
}

/** Policies planned per share of the event-loop turn's budget (transport/budget.ts). */
const PLAN_SLICE = 256;

/** Waits for a later turn when this one's budget is spent. */
function nextTurnIfSpent(units: number): Promise<void> | undefined {
  return turn.enter(units);
}

/** Requests per batch. A recreate's two requests always share one. */
export const APPLY_BATCH = 256;

const OVS = /^ovs_tp_/;

/** What a rejected request tells about the kernel: refused, never sent, or unknown. */
function outcome(reason: unknown): { status: StepStatus; error: CtTimeoutError } {
  const error = asCtError(reason);
  if (error.source === 'kernel' && error.code !== 'ENOBUFS') return { status: 'failed', error };
  // The transport marks requests it never sent (`sent: false`); anything else may have run.
  return { status: (reason as { sent?: boolean } | null)?.sent === false ? 'not-run' : 'may-have-run', error };
}

function asCtError(e: unknown): CtTimeoutError {
  const w = withOperation(e, 'apply');
  return w instanceof CtTimeoutError ? w : new CtTimeoutError('ERR_INTERNAL', `apply: ${String(e)}`, { source: 'transport', operation: 'apply', cause: e });
}

function sameTimeouts(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function startsWith(key: string, prefix: string): boolean {
  return key.startsWith(prefix);
}

function checkApplyOptions(o: ApplyOptions): { ownerKey?: string } {
  for (const k of ['prune', 'dryRun'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw invalidArgument(`options.${k}`, `must be true or false, got ${describeValue(o[k])}`);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function')
    throw invalidArgument('options.onProgress', `must be a function, got ${describeValue(o.onProgress)}`);
  if (o.journal !== undefined && (typeof o.journal !== 'string' || o.journal === ''))
    throw invalidArgument('options.journal', `must be a file path, got ${describeValue(o.journal)}`);
  if (o.owner === undefined) return {};
  if (o.owner === null || typeof o.owner !== 'object') throw invalidArgument('options.owner', `must be { prefix }, got ${describeValue(o.owner)}`);
  // A prefix follows the name rules (it is the start of names), and "" would own everything.
  const { key } = checkName(o.owner.prefix, 'options.owner.prefix');
  if (key === '') throw invalidArgument('options.owner.prefix', 'an empty prefix would own every policy; omit owner instead');
  return { ownerKey: key };
}

function journalPolicy(p: KernelPolicy | Policy): JournalPolicy {
  return { name: p.name, family: p.family, protocol: p.protocol, timeouts: { ...(p.timeouts as Record<string, number>) } };
}

function emptyResult(): ApplyResult {
  return { unchanged: true, steps: [], inSync: [], keptInUse: [], kept: [], recovered: [] };
}

export async function runApply(ctx: ApplyContext, policies: unknown, opts: ApplyOptions): Promise<ApplyResult> {
  let ownerKey: string | undefined;
  let wanted: CheckedPolicy[];
  try {
    ({ ownerKey } = checkApplyOptions(opts));
    // The whole list before anything is sent, a slice per share of the turn's budget.
    const check = new PolicyListCheck(policies, ctx.limits, 'apply');
    for (check.next(PLAN_SLICE); !check.done; check.next(PLAN_SLICE)) await nextTurnIfSpent(TURN_UNITS / 4);
    wanted = check.finish();
  } catch (e) {
    throw withOperation(e, 'apply');
  }
  // The signal stops the reads (nothing sent yet) but is not given to the batches: a batch in
  // flight is finished, so that its steps report what the kernel did.
  const call = opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {};
  const read = { ...call, ...(opts.signal !== undefined ? { signal: opts.signal } : {}) };
  const result = emptyResult();

  // An interrupted earlier run comes first: its recreates are finished before anything is planned.
  const pending = opts.journal !== undefined ? readJournal(opts.journal) : [];
  if (pending.length > 0) {
    result.recovered = await recover(ctx, pending, opts.dryRun === true, call);
    if (!opts.dryRun) clearJournal(opts.journal!);
  }

  const current = new Map((await ctx.list(read)).map((p) => [nameKey(p.name), p]));
  const defaults = await trackedDefaults(ctx, wanted, read);
  const steps = result.steps;
  const wantedKeys = new Set<string>();
  let planned = 0;
  for (const p of wanted) {
    // A share of the turn's budget per PLAN_SLICE policies: planning 100,000 is not one task.
    if (++planned % PLAN_SLICE === 0) await nextTurnIfSpent(TURN_UNITS / 4);
    wantedKeys.add(p.key);
    const step = planStep(p, defaults.get(p.protocol)!, current.get(p.key));
    if (step) steps.push(step);
    else result.inSync.push(p.name);
  }
  if (opts.prune) planPrune(current, wantedKeys, ownerKey, result);
  // What planning needed is garbage now, not held through the requests (peak memory).
  wanted.length = 0;
  wantedKeys.clear();
  current.clear();
  result.unchanged = steps.length === 0 && result.recovered.every((r) => r.action === 'none');
  if (opts.dryRun || steps.length === 0) return result;
  refuseUntracked(result);
  await execute(ctx, steps, opts, call);
  const failure = failureOf(result, opts);
  if (failure) throw failure;
  return result;
}

/**
 * The kernel's defaults for each protocol of the list (they fill in omitted states); the same
 * request tells which protocols this kernel tracks (EOPNOTSUPP: no tracker, e.g. dccp on Linux ≥ 6.17).
 */
async function trackedDefaults(
  ctx: ApplyContext,
  wanted: readonly CheckedPolicy[],
  read: { timeoutMs?: number; signal?: AbortSignal },
): Promise<Map<ProtocolName, Record<string, number> | CtTimeoutError>> {
  const defaults = new Map<ProtocolName, Record<string, number> | CtTimeoutError>();
  for (const p of wanted) {
    if (defaults.has(p.protocol)) continue;
    try {
      defaults.set(p.protocol, await ctx.getDefaults(p.family, p.protocol, read));
    } catch (e) {
      if (!(e instanceof CtTimeoutError) || e.code !== 'EOPNOTSUPP') throw e;
      defaults.set(p.protocol, e);
    }
  }
  return defaults;
}

/** What applying `p` takes, with what the kernel will refuse predicted; undefined when the kernel already has it. */
function planStep(p: CheckedPolicy, d: Record<string, number> | CtTimeoutError, before: KernelPolicy | undefined): ApplyStep | undefined {
  const unsupported =
    d instanceof CtTimeoutError
      ? new CtTimeoutError(
          'EOPNOTSUPP',
          `apply: ${displayName(p.name)}: this kernel has no conntrack tracker for ${p.protocol} (DEFAULT_GET answered EOPNOTSUPP)`,
          { source: 'kernel', operation: 'apply', errno: d.errno ?? 95, field: 'protocol', cause: d },
        )
      : undefined;
  const after = {
    name: p.name,
    family: p.family,
    protocol: p.protocol,
    timeouts: unsupported ? p.timeouts : { ...(d as Record<string, number>), ...p.timeouts },
  } as Policy;
  let step: ApplyStep;
  if (before === undefined) step = { action: 'create', name: p.name, after, status: 'planned' };
  else if (before.family !== p.family || before.protocol !== p.protocol) {
    step = { action: 'recreate', name: p.name, before, after, status: 'planned' };
    if (before.use > 1 && !unsupported) {
      step.predicted = new CtTimeoutError(
        'EBUSY',
        `apply: ${displayName(p.name)} is used by ${before.use - 1} iptables CT rule(s): the kernel refuses to delete it, so it cannot change to ${p.family}/${p.protocol}`,
        { source: 'kernel', operation: 'apply', errno: E.EBUSY },
      );
    }
  } else if (!sameTimeouts(before.timeouts, after.timeouts as Record<string, number>))
    step = { action: 'update', name: p.name, before, after, status: 'planned' };
  else return undefined;
  if (unsupported) step.predicted = unsupported;
  return step;
}

/** Prune: a delete step for each policy not in the list that this list owns; the others kept, with why. */
function planPrune(current: Map<string, KernelPolicy>, wantedKeys: Set<string>, ownerKey: string | undefined, result: ApplyResult): void {
  for (const [key, before] of current) {
    if (wantedKeys.has(key)) continue;
    const reason = ownerKey !== undefined && !startsWith(key, ownerKey) ? 'not-owned' : OVS.test(key) ? 'ovs' : before.use > 1 ? 'in-use' : undefined;
    if (reason === undefined) result.steps.push({ action: 'delete', name: before.name, before, status: 'planned' });
    else {
      result.kept.push({ name: before.name, reason, policy: before });
      if (reason === 'in-use') result.keptInUse.push(before.name);
    }
  }
}

/**
 * A protocol this kernel does not track: the list cannot be applied as written. Refused whole,
 * before anything is sent, rather than applied in part.
 */
function refuseUntracked(result: ApplyResult): void {
  const steps = result.steps;
  const unsupported = steps.filter((s) => s.predicted?.code === 'EOPNOTSUPP');
  if (unsupported.length === 0) return;
  for (const s of steps) {
    if (s.predicted?.code === 'EOPNOTSUPP') Object.assign(s, { status: 'failed', error: s.predicted });
    else s.status = 'not-run';
  }
  const which = unsupported.map((s) => `${displayName(s.name)} (${s.after!.protocol})`).join(', ');
  throw new ApplyError(result, 'ERR_APPLY_FAILED', `nothing sent: this kernel has no conntrack tracker for ${which}`, unsupported[0]!.error);
}

/** The ApplyError for a run in which a step is not done (counts of each status, the first failures), or undefined. */
function failureOf(result: ApplyResult, opts: ApplyOptions): ApplyError | undefined {
  const steps = result.steps;
  const failed = steps.filter((s) => s.status !== 'done');
  if (failed.length === 0) return undefined;
  const count = (st: StepStatus) => steps.filter((s) => s.status === st).length;
  const summary = `${count('done')} of ${steps.length} steps done, ${count('failed')} failed, ${count('may-have-run')} may have run, ${count('not-run')} not run`;
  if (opts.signal?.aborted) return new ApplyError(result, 'ERR_ABORTED', `aborted; ${summary}`);
  const first = failed.find((s) => s.error) ?? failed[0]!;
  const names = failed
    .filter((s) => s.status === 'failed')
    .slice(0, 5)
    .map((s) => `${s.action} ${displayName(s.name)}: ${s.error?.message.replace(/^apply: /, '')}`);
  return new ApplyError(result, 'ERR_APPLY_FAILED', `${names.length > 0 ? names.join('; ') + '; ' : ''}${summary}`, first.error);
}

interface Unit {
  step: ApplyStep;
  specs: RequestSpec[];
}

/** How many requests a step takes: a recreate is a DELETE and a NEW, in one batch. */
const requestsOf = (step: ApplyStep): number => (step.action === 'recreate' ? 2 : 1);

function unitOf(step: ApplyStep): Unit {
  const specs: RequestSpec[] = [];
  if (step.action === 'delete' || step.action === 'recreate') specs.push({ op: 'DELETE', name: step.name });
  if (step.action === 'create' || step.action === 'recreate') specs.push(policySpec(step.after!, 'NEW_EXCLUSIVE'));
  if (step.action === 'update') specs.push(policySpec(step.after!, 'NEW_REPLACE'));
  return { step, specs };
}

async function execute(ctx: ApplyContext, steps: ApplyStep[], opts: ApplyOptions, call: { timeoutMs?: number }): Promise<void> {
  let stopped = false;
  let progress = 0;
  for (let i = 0; i < steps.length && !stopped; ) {
    if (opts.signal?.aborted) break;
    // A batch's requests are made when it goes, not all up front (they would be held through
    // the whole run: peak memory of a 100,000-policy apply).
    const batch: Unit[] = [];
    let n = 0;
    while (i < steps.length && n + requestsOf(steps[i]!) <= APPLY_BATCH) {
      const u = unitOf(steps[i++]!);
      n += u.specs.length;
      batch.push(u);
    }
    const recreates = batch.filter((u) => u.step.action === 'recreate');
    if (opts.journal !== undefined && recreates.length > 0) {
      writeJournal(
        opts.journal,
        recreates.map((u) => ({ before: journalPolicy(u.step.before!), after: journalPolicy(u.step.after!) })),
      );
    }
    const messages = batch.flatMap((u) => u.specs.map((s) => ctx.encode(s)));
    const settled = await ctx.batch(messages, call);
    let at = 0;
    const restores: ApplyStep[] = [];
    for (const u of batch) {
      const results = settled.slice(at, at + u.specs.length);
      at += u.specs.length;
      const [first, second] = results.map((r) => (r.status === 'fulfilled' ? { status: 'done' as StepStatus } : outcome(r.reason)));
      if (first!.status !== 'done' || second === undefined) Object.assign(u.step, first);
      else if (second.status === 'done') u.step.status = 'done';
      else {
        // The DELETE was done and the NEW was not: put the old policy back, and say both.
        Object.assign(u.step, second);
        if (second.status === 'failed') restores.push(u.step);
      }
      if (u.step.status === 'may-have-run' || u.step.status === 'not-run') stopped = true;
    }
    for (const step of restores) {
      const before = step.before!;
      try {
        await ctx.batch([ctx.encode(policySpec(before, 'NEW_EXCLUSIVE'))], call).then(([r]) => {
          if (r!.status === 'rejected') throw r!.reason;
        });
        step.restore = { status: 'done' };
      } catch (e) {
        step.restore = outcome(e);
        stopped = true;
      }
    }
    // Every recreate of the batch settled (done, refused, or put back): nothing left to finish.
    const unsettled = recreates.some((u) => u.step.status === 'may-have-run' || (u.step.restore !== undefined && u.step.restore.status !== 'done'));
    if (opts.journal !== undefined && recreates.length > 0 && !unsettled) clearJournal(opts.journal);
    progress += batch.length;
    opts.onProgress?.(progress, steps.length);
  }
  for (const s of steps) if (s.status === 'planned') s.status = 'not-run';
}

/** Finishes (or undoes) the recreates a journal holds, against what the kernel has now. */
async function recover(ctx: ApplyContext, entries: JournalEntry[], dryRun: boolean, call: { timeoutMs?: number }): Promise<Recovery[]> {
  const current = new Map((await ctx.list(call)).map((p) => [nameKey(p.name), p]));
  const out: Recovery[] = [];
  for (const { before, after } of entries) {
    const r: Recovery = { name: after.name, before, after, action: 'none', status: 'done' };
    out.push(r);
    if (current.has(nameKey(after.name))) continue; // the DELETE was never done, or the NEW was
    r.action = 'finished';
    if (dryRun) {
      r.status = 'planned';
      continue;
    }
    for (const [action, p] of [
      ['finished', after],
      ['restored', before],
    ] as const) {
      r.action = action;
      const [s] = await ctx.batch([ctx.encode(policySpec(p as Policy, 'NEW_EXCLUSIVE'))], call);
      if (s!.status === 'fulfilled') {
        r.status = 'done';
        delete r.error;
        break;
      }
      Object.assign(r, outcome(s!.reason));
      if (r.status !== 'failed') break;
    }
  }
  const bad = out.find((r) => r.status !== 'done' && r.status !== 'planned');
  if (bad) {
    const result = { ...emptyResult(), unchanged: false, recovered: out };
    throw new ApplyError(
      result,
      'ERR_APPLY_FAILED',
      `could not finish the recreate of ${displayName(bad.name)} an earlier apply left in its journal: ${bad.error?.message}`,
      bad.error,
    );
  }
  return out;
}
