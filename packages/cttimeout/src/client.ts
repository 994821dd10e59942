// The idiomatic async client: one netlink socket (in any network namespace), typed policies,
// errors with stable codes. Every method is one or a few cttimeout requests; see README.
import { CtTimeoutError } from './errors.js';
import { decodeStrict, encodeBatch, encodeRequest } from './codec/api.js';
import type { Family, ProtocolName, RequestSpec, TimeoutMessage, Timeouts } from './codec/types.js';
import { detectHz, maxSecondsFor } from './kernel-hz.js';
import { checkPolicy, policySpec, toKernelPolicy, usage, type FullTimeouts, type KernelPolicy, type Policy } from './policy.js';
import { NetlinkTransport, type TransportOptions } from './transport/transport.js';

/** `socket` (a fake from cttimeout/testing) and `trace` (log every request/reply) go to the transport. */
export interface OpenOptions extends Pick<TransportOptions, 'socket' | 'trace'> {
  /** Network namespace: a path (/proc/PID/ns/net, /run/netns/NAME) or a name under /run/netns. */
  netns?: string;
  /** Default per-request timeout in milliseconds. */
  timeoutMs?: number;
  /** Write every datagram to this pcap file (LINKTYPE_NETLINK); also env CTTIMEOUT_CAPTURE. */
  capture?: string;
  /** Socket receive buffer in bytes. */
  receiveBufferBytes?: number;
  /** The kernel's CONFIG_HZ, for the timeout overflow limit; detected when omitted. */
  hz?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** What flush() did: the kernel's flush silently keeps policies that are in use. */
export interface FlushResult {
  deleted: string[];
  /** Policies still there (in use by CT rules, or created meanwhile). */
  kept: KernelPolicy[];
}

export type ApplyAction = 'create' | 'update' | 'recreate' | 'delete';

export interface ApplyStep {
  action: ApplyAction;
  name: string;
  /** The policy before (update, recreate, delete). */
  before?: KernelPolicy;
  /** The policy the step writes (create, update, recreate), every state filled in. */
  after?: Policy;
  status: 'planned' | 'done' | 'failed' | 'not-run';
  error?: CtTimeoutError;
}

export interface ApplyResult {
  /** True when the kernel already matched (or, in a dry run, would need no change). */
  unchanged: boolean;
  steps: ApplyStep[];
  /** Names already as wanted. */
  inSync: string[];
  /** With prune: policies not in the list that could not be deleted because they are in use. */
  keptInUse: string[];
}

/** The error apply() throws when a step fails; `steps` says exactly what happened. */
export class ApplyError extends CtTimeoutError {
  override name = 'ApplyError';
  constructor(readonly steps: ApplyStep[], failed: ApplyStep) {
    super('ERR_APPLY_FAILED', `apply: ${failed.action} ${failed.name} failed: ${failed.error?.message}; ${steps.filter((s) => s.status === 'done').length} of ${steps.length} steps done`, {
      source: 'usage',
      operation: 'apply',
      cause: failed.error,
    });
  }
}

/** An async iterable of policies that can also be collected. */
export interface PolicyList extends AsyncIterable<KernelPolicy> {
  toArray(): Promise<KernelPolicy[]>;
}

const APPLY_BATCH = 256;

export class CtTimeout {
  readonly #transport: NetlinkTransport;
  readonly #maxSeconds: number;
  readonly hz: number;

  private constructor(transport: NetlinkTransport, hz: number) {
    this.#transport = transport;
    this.hz = hz;
    this.#maxSeconds = maxSecondsFor(hz);
  }

  /** Opens a NETLINK_NETFILTER socket (needs CAP_NET_ADMIN in that network namespace). */
  static async open(options: OpenOptions = {}): Promise<CtTimeout> {
    const hz = options.hz ?? (await detectHz()).hz;
    const transport = await NetlinkTransport.open({
      ...(options.netns !== undefined ? { netns: options.netns } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.capture !== undefined ? { capture: options.capture } : {}),
      ...(options.receiveBufferBytes !== undefined ? { receiveBufferBytes: options.receiveBufferBytes } : {}),
      ...(options.socket !== undefined ? { socket: options.socket } : {}),
      ...(options.trace !== undefined ? { trace: options.trace } : {}),
    });
    return new CtTimeout(transport, hz);
  }

  /** The underlying transport, for raw requests. */
  get transport(): NetlinkTransport {
    return this.#transport;
  }

  /** The largest timeout this kernel stores exactly: ⌊(2³²−1)/HZ⌋ seconds. */
  get maxSeconds(): number {
    return this.#maxSeconds;
  }

  #encode(spec: RequestSpec, operation: string): Uint8Array {
    try {
      return encodeRequest(spec, { maxSeconds: this.#maxSeconds });
    } catch (e) {
      throw withOperation(e, operation);
    }
  }

  async #call(spec: RequestSpec, operation: string, opts: CallOptions = {}): Promise<TimeoutMessage[]> {
    const chunks = await this.#transport.request(this.#encode(spec, operation), { operation, ...opts });
    const out: TimeoutMessage[] = [];
    for (const c of chunks) for (const m of decodeStrict(c, operation)) if (m.kind === 'timeout') out.push(m);
    return out;
  }

  /**
   * Creates a policy. An existing name is an error: EBUSY (what the kernel answers nfct), or
   * EEXIST with `exclusive: true`.
   */
  async add(policy: Policy, opts: CallOptions & { exclusive?: boolean } = {}): Promise<void> {
    const p = checkPolicy(policy, 'add');
    await this.#call(policySpec(p, opts.exclusive ? 'NEW_EXCLUSIVE' : 'NEW'), 'add', opts);
  }

  /**
   * Updates a policy in place (conntrack entries using it see the new values). The kernel
   * resets every state you omit to the current default; with `merge: true` the current values
   * are read first and kept for omitted states. Family and protocol must stay the same
   * (EINVAL). A missing name is created, as the kernel does; with `merge` it is ENOENT.
   */
  async replace(policy: Policy, opts: CallOptions & { merge?: boolean } = {}): Promise<void> {
    let p = checkPolicy(policy, 'replace');
    if (opts.merge) {
      this.#encode(policySpec(p, 'NEW_REPLACE'), 'replace'); // bad values fail before the GET
      const cur = await this.get(p.name, opts);
      if (cur.family !== p.family || cur.protocol !== p.protocol) {
        throw usage('EINVAL', 'replace', `${p.name} is ${cur.family}/${cur.protocol}; replace cannot change it to ${p.family}/${p.protocol} (delete and add instead)`);
      }
      p = { ...p, timeouts: { ...cur.timeouts, ...p.timeouts } } as Policy;
    }
    await this.#call(policySpec(p, 'NEW_REPLACE'), 'replace', opts);
  }

  /** One policy; ENOENT when there is none of that name. */
  async get(name: string, opts: CallOptions = {}): Promise<KernelPolicy> {
    const [m] = await this.#call({ op: 'GET', name }, 'get', opts);
    if (m === undefined) throw new CtTimeoutError('ERR_UNEXPECTED_REPLY', `get: the kernel acknowledged ${name} without sending it`, { source: 'transport', operation: 'get' });
    return toKernelPolicy(m);
  }

  /** Every policy of the namespace, in creation order, streamed datagram by datagram. */
  list(opts: CallOptions = {}): PolicyList {
    const transport = this.#transport;
    const message = this.#encode({ op: 'GET' }, 'list');
    const iterate = async function* (): AsyncGenerator<KernelPolicy> {
      for await (const chunk of transport.stream(message, { operation: 'list', ...opts })) {
        for (const m of decodeStrict(chunk, 'list')) if (m.kind === 'timeout') yield toKernelPolicy(m);
      }
    };
    return {
      [Symbol.asyncIterator]: iterate,
      async toArray() {
        const all: KernelPolicy[] = [];
        for await (const p of iterate()) all.push(p);
        return all;
      },
    };
  }

  /** Deletes one policy: ENOENT if missing, EBUSY if an iptables CT rule uses it. */
  async delete(name: string, opts: CallOptions = {}): Promise<void> {
    if (typeof name !== 'string') throw usage('ERR_BAD_ARGUMENT', 'delete', 'name must be a string', 'name');
    await this.#call({ op: 'DELETE', name }, 'delete', opts);
  }

  /** Deletes every policy not in use, and says which were deleted and which stayed. */
  async flush(opts: CallOptions = {}): Promise<FlushResult> {
    const before = await this.list(opts).toArray();
    await this.#call({ op: 'DELETE' }, 'flush', opts);
    const kept = await this.list(opts).toArray();
    const still = new Set(kept.map((p) => p.name));
    return { deleted: before.map((p) => p.name).filter((n) => !still.has(n)), kept };
  }

  /** The namespace's default timeouts of a protocol (shared by both families). */
  async getDefaults<P extends ProtocolName>(family: Family, protocol: P, opts: CallOptions = {}): Promise<FullTimeouts<P>> {
    const [m] = await this.#call({ op: 'DEFAULT_GET', l3proto: family, l4proto: protocol }, 'getDefaults', opts);
    if (m?.timeouts === undefined) throw new CtTimeoutError('ERR_UNEXPECTED_REPLY', 'getDefaults: the kernel sent no timeouts', { source: 'transport', operation: 'getDefaults' });
    return m.timeouts as FullTimeouts<P>;
  }

  /**
   * Changes the namespace's default timeouts of a protocol; omitted states keep their values.
   * They apply to both families, and UDP and UDP-Lite share one table.
   */
  async setDefaults<P extends ProtocolName>(family: Family, protocol: P, timeouts: Timeouts<P>, opts: CallOptions = {}): Promise<void> {
    await this.#call({ op: 'DEFAULT_SET', l3proto: family, l4proto: protocol, timeouts: timeouts as Record<string, number> }, 'setDefaults', opts);
  }

  /**
   * Makes the kernel hold exactly these policies: creates the missing, updates the different
   * (writing every state, so the result does not depend on defaults changing later), recreates
   * those whose family or protocol changed, and with `prune` deletes the others (policies in
   * use are kept and reported). `dryRun` returns the plan without changing anything. A second
   * run plans nothing. On failure it throws an ApplyError whose `steps` say which were done.
   */
  async apply(policies: readonly Policy[], opts: CallOptions & { prune?: boolean; dryRun?: boolean } = {}): Promise<ApplyResult> {
    const wanted = policies.map((p) => checkPolicy(p, 'apply'));
    const seen = new Set<string>();
    for (const p of wanted) {
      if (seen.has(p.name)) throw usage('ERR_DUPLICATE_NAME', 'apply', `${p.name} appears twice`, 'name');
      seen.add(p.name);
      this.#encode(policySpec(p, 'NEW'), 'apply'); // validates states and values up front
    }
    const current = new Map((await this.list(opts).toArray()).map((p) => [p.name, p]));
    const defaults = new Map<string, Record<string, number>>();
    for (const p of wanted) {
      if (!defaults.has(p.protocol)) defaults.set(p.protocol, await this.getDefaults(p.family, p.protocol, opts));
    }
    const steps: ApplyStep[] = [];
    const inSync: string[] = [];
    const keptInUse: string[] = [];
    for (const p of wanted) {
      const after = { ...p, timeouts: { ...defaults.get(p.protocol), ...p.timeouts } } as Policy;
      const before = current.get(p.name);
      if (before === undefined) steps.push({ action: 'create', name: p.name, after, status: 'planned' });
      else if (before.family !== p.family || before.protocol !== p.protocol) steps.push({ action: 'recreate', name: p.name, before, after, status: 'planned' });
      else if (!sameTimeouts(before.timeouts, after.timeouts as Record<string, number>)) steps.push({ action: 'update', name: p.name, before, after, status: 'planned' });
      else inSync.push(p.name);
    }
    if (opts.prune) {
      for (const [name, before] of current) {
        if (seen.has(name)) continue;
        if (before.use > 1) keptInUse.push(name);
        else steps.push({ action: 'delete', name, before, status: 'planned' });
      }
    }
    const result: ApplyResult = { unchanged: steps.length === 0, steps, inSync, keptInUse };
    if (opts.dryRun || steps.length === 0) return result;

    // Each step is one or two requests; send them in batches, in order, and stop after the
    // first batch with a failure.
    const requests: Array<{ step: ApplyStep; spec: RequestSpec }> = [];
    for (const step of steps) {
      if (step.action === 'delete' || step.action === 'recreate') requests.push({ step, spec: { op: 'DELETE', name: step.name } });
      if (step.action === 'create' || step.action === 'recreate') requests.push({ step, spec: policySpec(step.after!, 'NEW_EXCLUSIVE') });
      if (step.action === 'update') requests.push({ step, spec: policySpec(step.after!, 'NEW_REPLACE') });
    }
    for (let i = 0; i < requests.length; i += APPLY_BATCH) {
      const batch = requests.slice(i, i + APPLY_BATCH);
      const messages = batch.map((r) => encodeRequest(r.spec, { maxSeconds: this.#maxSeconds }));
      const settled = await this.#transport.requestBatch(messages, { operation: 'apply', ...opts });
      settled.forEach((s, j) => {
        const { step } = batch[j]!;
        // A recreate is DELETE then an exclusive NEW (which never clobbers): report the
        // first failure, which is the cause.
        if (s.status === 'rejected') {
          if (step.status !== 'failed') step.error = asCtError(withOperation(s.reason, 'apply'));
          step.status = 'failed';
        } else if (step.status !== 'failed') step.status = 'done';
      });
      const failed = steps.find((s) => s.status === 'failed');
      if (failed) {
        for (const s of steps) if (s.status === 'planned') s.status = 'not-run';
        throw new ApplyError(steps, failed);
      }
    }
    return result;
  }

  /** Closes the socket; pending requests reject with ERR_CLOSED. */
  close(): Promise<void> {
    return this.#transport.close();
  }
}

function sameTimeouts(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function asCtError(e: unknown): CtTimeoutError {
  return e instanceof CtTimeoutError ? e : new CtTimeoutError('ERR_INTERNAL', String(e), { source: 'transport', cause: e });
}

function withOperation(e: unknown, operation: string): unknown {
  if (e instanceof CtTimeoutError && e.operation === undefined) {
    return new CtTimeoutError(e.code, `${operation}: ${e.message}`, {
      source: e.source,
      operation,
      ...(e.errno !== undefined ? { errno: e.errno } : {}),
      ...(e.field !== undefined ? { field: e.field } : {}),
      ...(e.offset !== undefined ? { offset: e.offset } : {}),
      cause: e,
    });
  }
  return e;
}
