// The idiomatic async client: one netlink socket (in any network namespace), typed policies,
// errors with stable codes. Every method is one or a few cttimeout requests; see README.
// Every argument goes through validate.ts first: a bad one is a CtTimeoutError naming the field.
import { CtTimeoutError } from './errors.js';
import { decodeStrict, encodeRequest } from './codec/api.js';
import type { Family, ProtocolName, RequestSpec, TimeoutMessage, Timeouts } from './codec/types.js';
import { detectHz } from './kernel-hz.js';
import { checkPolicy, policySpec, toKernelPolicy, inOperation, usage, withOperation, type FullTimeouts, type KernelPolicy, type Policy } from './policy.js';
import { NetlinkTransport, requestBatchOwned, requestOwned, type TransportOptions } from './transport/transport.js';
import { turn } from './transport/budget.js';
import { u16, u32 } from './transport/bytes.js';
import { E, NLMSG } from './generated/table.js';
import {
  checkFamily,
  checkHz,
  checkName,
  checkProtocol,
  checkTimeouts,
  describeValue,
  invalidArgument,
  limitOf,
  nameKey,
  type Limits,
  type PolicyName,
} from './validate.js';
import type { ApplyContext, ApplyOptions, ApplyResult } from './apply/index.js';

// The apply runner is imported by apply() only (CLI start-up: `list timeout` does not load it).
export { ApplyError } from './apply/error.js';
export type { ApplyAction, ApplyOptions, ApplyResult, ApplyStep, KeptPolicy, Recovery, StepStatus } from './apply/index.js';

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
  /**
   * The kernel's CONFIG_HZ, for the timeout overflow limit. Default: env CTTIMEOUT_HZ, then the
   * kernel config, then a measurement; when all fail only values safe at every HZ are accepted.
   */
  hz?: number;
}

/** Options of cttimeout's own CLI; not part of the API. */
export interface InternalOpenOptions extends OpenOptions {
  /**
   * The caller sends no timeouts (the CLI's list, get, delete, flush, default-get): HZ is not
   * looked up, which is a read and a gunzip of /proc/config.gz at every start-up.
   */
  _sendsNoTimeouts?: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** What flush() did: the kernel's flush silently keeps policies that are in use. */
export interface FlushResult {
  deleted: PolicyName[];
  /** Policies still there (in use by CT rules, or created meanwhile). */
  kept: KernelPolicy[];
}

/** An async iterable of policies that can also be collected. */
export interface PolicyList extends AsyncIterable<KernelPolicy> {
  toArray(): Promise<KernelPolicy[]>;
}

/** Options objects: undefined or a plain object, else ERR_INVALID_ARGUMENT. */
function optionsObject<T extends object>(v: unknown, field = 'options'): T {
  if (v === undefined) return {} as T;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidArgument(field, `must be an object, got ${describeValue(v)}`);
  return v as T;
}

/** CallOptions checked: signal an AbortSignal, timeoutMs a positive number of milliseconds. */
export function checkCallOptions<T extends CallOptions>(v: unknown): T {
  const o = optionsObject<T>(v);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    throw invalidArgument('options.signal', `must be an AbortSignal, got ${describeValue(o.signal)}`);
  if (o.timeoutMs !== undefined && (typeof o.timeoutMs !== 'number' || !Number.isFinite(o.timeoutMs) || o.timeoutMs <= 0)) {
    throw invalidArgument('options.timeoutMs', `must be a positive number of milliseconds, got ${describeValue(o.timeoutMs)}`);
  }
  return o;
}

/**
 * A chunk that is one NLMSG_ERROR message and nothing else: in a request that succeeded that is
 * its ACK (the transport rejects on an error), which holds nothing to decode.
 */
function isAckOnly(c: Uint8Array): boolean {
  return c.length >= 16 && u32(c, 0) === c.length && u16(c, 4) === NLMSG.ERROR;
}

/** The policies of one dump datagram. */
function listed(chunk: Uint8Array): KernelPolicy[] {
  const out: KernelPolicy[] = [];
  for (const m of decodeStrict(chunk, 'list')) if (m.kind === 'timeout') out.push(toKernelPolicy(m));
  return out;
}

/**
 * Policies one at a time, decoded a datagram at a time: no async-generator step per policy. A
 * datagram that does not decode, or a consumer that stops early, ends the dump.
 */
function policiesOf(chunks: AsyncIterator<Uint8Array>): AsyncIterator<KernelPolicy> {
  let batch: KernelPolicy[] = [];
  let at = 0;
  return {
    async next() {
      while (at === batch.length) {
        const r = await chunks.next();
        if (r.done) return { done: true, value: undefined };
        try {
          batch = listed(r.value);
        } catch (e) {
          await chunks.return?.();
          throw e;
        }
        at = 0;
      }
      return { done: false, value: batch[at++]! };
    },
    async return() {
      await chunks.return?.();
      return { done: true, value: undefined };
    },
  };
}

/**
 * One request's JS work (validate, encode, send) out of this turn's budget (transport/budget.ts):
 * a Promise.all of thousands, or an await loop answered inside sendmsg, lets timers and I/O run
 * in between. Nothing to wait for (the usual case) costs one microtask.
 */
function nextTurnIfSpent(): Promise<void> | undefined {
  return turn.enter();
}

/** The policy messages of a request's reply chunks (an ACK holds none). */
function timeoutMessages(chunks: Uint8Array[], operation: string): TimeoutMessage[] {
  const out: TimeoutMessage[] = [];
  for (const c of chunks) if (!isAckOnly(c)) for (const m of decodeStrict(c, operation)) if (m.kind === 'timeout') out.push(m);
  return out;
}

/**
 * `call()` once this turn's budget allows (nextTurnIfSpent), as a promise that rejects on a
 * throw. The hot calls (add, get, delete) are promise chains instead of async functions: a
 * suspended async function keeps a generator and its registers alive, ~0.7 KB a call that a
 * Promise.all of thousands carries through every scavenge.
 */
function afterTurn<T>(call: () => Promise<T>): Promise<T> {
  const wait = nextTurnIfSpent();
  if (wait) return wait.then(call);
  try {
    return call();
  } catch (e) {
    return Promise.reject(e);
  }
}

function checkBoolean(v: unknown, field: string): boolean {
  if (v !== undefined && typeof v !== 'boolean') throw invalidArgument(field, `must be true or false, got ${describeValue(v)}`);
  return v === true;
}

export class CtTimeout {
  readonly #transport: NetlinkTransport;
  readonly #limits: Limits;
  /** CONFIG_HZ used for the value limit; undefined when it could not be found (see OpenOptions.hz). */
  readonly hz: number | undefined;
  /** Where the HZ came from ('option', 'CTTIMEOUT_HZ', '/proc/config.gz', ...). */
  readonly hzSource: string;

  private constructor(transport: NetlinkTransport, hz: number | undefined, hzSource: string) {
    this.#transport = transport;
    this.hz = hz;
    this.hzSource = hzSource;
    this.#limits = hz === undefined ? {} : { hz };
  }

  /** Opens a NETLINK_NETFILTER socket (needs CAP_NET_ADMIN in that network namespace). */
  static async open(options?: OpenOptions): Promise<CtTimeout> {
    const o = inOperation('open', () => {
      const o = optionsObject<InternalOpenOptions>(options);
      if (o.hz !== undefined) checkHz(o.hz, 'options.hz');
      return o;
    });
    const { hz, source } =
      o.hz !== undefined
        ? { hz: o.hz, source: 'option' }
        : o._sendsNoTimeouts
          ? { hz: undefined, source: 'not looked up (this client sends no timeouts)' }
          : await detectHz();
    const transport = await NetlinkTransport.open({
      ...(o.netns !== undefined ? { netns: o.netns } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.capture !== undefined ? { capture: o.capture } : {}),
      ...(o.receiveBufferBytes !== undefined ? { receiveBufferBytes: o.receiveBufferBytes } : {}),
      ...(o.socket !== undefined ? { socket: o.socket } : {}),
      ...(o.trace !== undefined ? { trace: o.trace } : {}),
    });
    return new CtTimeout(transport, hz, source);
  }

  /** The underlying transport, for raw requests. */
  get transport(): NetlinkTransport {
    return this.#transport;
  }

  /** The largest timeout accepted: ⌊(2³²−1)/HZ⌋ seconds (of the largest HZ when HZ is unknown). */
  get maxSeconds(): number {
    return limitOf(this.#limits);
  }

  #encode(spec: RequestSpec, operation: string): Uint8Array {
    try {
      return encodeRequest(spec, { maxSeconds: this.maxSeconds });
    } catch (e) {
      throw withOperation(e, operation);
    }
  }

  /** One request: its policy messages (none for an ACK). Not async: see {@link afterTurn}. */
  #call(spec: RequestSpec, operation: string, opts: CallOptions = {}): Promise<TimeoutMessage[]> {
    return this.#request(spec, operation, opts).then((chunks) => timeoutMessages(chunks, operation));
  }

  /**
   * A request whose answer is an ACK (add, delete): its reply is checked as #call's is, with one
   * promise and reaction less held while it waits (thousands wait in a Promise.all).
   */
  #callAck(spec: RequestSpec, operation: string, opts: CallOptions): Promise<void> {
    return this.#request(spec, operation, opts).then((chunks) => void timeoutMessages(chunks, operation));
  }

  #request(spec: RequestSpec, operation: string, opts: CallOptions): Promise<Uint8Array[]> {
    let message: Uint8Array;
    try {
      message = this.#encode(spec, operation);
    } catch (e) {
      return Promise.reject(e);
    }
    return requestOwned(this.#transport, message, { operation, ...opts });
  }

  /**
   * Creates a policy. An existing name is an error: EBUSY (what the kernel answers nfct), or
   * EEXIST with `exclusive: true`.
   */
  add(policy: Policy, opts?: CallOptions & { exclusive?: boolean }): Promise<void> {
    return afterTurn(() => {
      const [p, o] = inOperation('add', () => {
        const o = checkCallOptions<CallOptions & { exclusive?: boolean }>(opts);
        return [checkPolicy(policy, 'add', this.#limits), { ...o, exclusive: checkBoolean(o.exclusive, 'options.exclusive') }] as const;
      });
      return this.#callAck(policySpec(p, o.exclusive ? 'NEW_EXCLUSIVE' : 'NEW'), 'add', o);
    });
  }

  /**
   * Updates a policy in place (conntrack entries using it see the new values). The kernel
   * resets every state you omit to the current default; with `merge: true` the current values
   * are read first and kept for omitted states. Family and protocol must stay the same
   * (EINVAL). A missing name is created, as the kernel does; with `merge` it is ENOENT.
   */
  async replace(policy: Policy, opts?: CallOptions & { merge?: boolean }): Promise<void> {
    await nextTurnIfSpent();
    const [checked, o] = inOperation('replace', () => {
      const o = checkCallOptions<CallOptions & { merge?: boolean }>(opts);
      return [checkPolicy(policy, 'replace', this.#limits), { ...o, merge: checkBoolean(o.merge, 'options.merge') }] as const;
    });
    let p = checked;
    if (o.merge) {
      const cur = await this.get(p.name, o);
      if (cur.family !== p.family || cur.protocol !== p.protocol) {
        throw usage(
          'EINVAL',
          'replace',
          `${String(p.name)} is ${cur.family}/${cur.protocol}; replace cannot change it to ${p.family}/${p.protocol} (delete and add instead)`,
        );
      }
      p = { ...p, timeouts: { ...cur.timeouts, ...p.timeouts } } as Policy;
    }
    await this.#call(policySpec(p, 'NEW_REPLACE'), 'replace', o);
  }

  /** One policy; ENOENT when there is none of that name. */
  get(name: PolicyName, opts?: CallOptions): Promise<KernelPolicy> {
    return afterTurn(() => {
      const [n, o] = inOperation('get', () => [checkName(name).name, checkCallOptions(opts)] as const);
      const overruns = this.#transport.overruns;
      return this.#call({ op: 'GET', name: n }, 'get', o).then(([m]) => {
        if (m === undefined) throw missingObject('get', this.#transport.overruns !== overruns, `the kernel acknowledged ${n} without sending it`);
        return toKernelPolicy(m);
      });
    });
  }

  /** Every policy of the namespace, in creation order, streamed datagram by datagram. */
  list(opts?: CallOptions): PolicyList {
    const o = inOperation('list', () => checkCallOptions(opts));
    const transport = this.#transport;
    const message = this.#encode({ op: 'GET' }, 'list');
    const chunks = () => transport.stream(message, { operation: 'list', ...o });
    return {
      [Symbol.asyncIterator]: () => policiesOf(chunks()[Symbol.asyncIterator]()),
      async toArray() {
        const all: KernelPolicy[] = [];
        for await (const c of chunks()) for (const p of listed(c)) all.push(p);
        return all;
      },
    };
  }

  /** Deletes one policy: ENOENT if missing, EBUSY if an iptables CT rule uses it. */
  delete(name: PolicyName, opts?: CallOptions): Promise<void> {
    return afterTurn(() => {
      const [n, o] = inOperation('delete', () => [checkName(name).name, checkCallOptions(opts)] as const);
      return this.#callAck({ op: 'DELETE', name: n }, 'delete', o);
    });
  }

  /** Deletes every policy not in use, and says which were deleted and which stayed. */
  async flush(opts?: CallOptions): Promise<FlushResult> {
    const o = inOperation('flush', () => checkCallOptions(opts));
    const before = await this.list(o).toArray();
    await this.#call({ op: 'DELETE' }, 'flush', o);
    const kept = await this.list(o).toArray();
    const still = new Set(kept.map((p) => nameKey(p.name)));
    return { deleted: before.map((p) => p.name).filter((n) => !still.has(nameKey(n))), kept };
  }

  /** The namespace's default timeouts of a protocol (shared by both families). */
  async getDefaults<P extends ProtocolName>(family: Family, protocol: P, opts?: CallOptions): Promise<FullTimeouts<P>> {
    await nextTurnIfSpent();
    const [f, p, o] = inOperation('getDefaults', () => [checkFamily(family), checkProtocol(protocol), checkCallOptions(opts)] as const);
    const overruns = this.#transport.overruns;
    const [m] = await this.#call({ op: 'DEFAULT_GET', l3proto: f, l4proto: p }, 'getDefaults', o);
    if (m?.timeouts === undefined) throw missingObject('getDefaults', this.#transport.overruns !== overruns, 'the kernel sent no timeouts');
    return m.timeouts as FullTimeouts<P>;
  }

  /**
   * Changes the namespace's default timeouts of a protocol; omitted states keep their values.
   * They apply to both families, and UDP and UDP-Lite share one table.
   */
  async setDefaults<P extends ProtocolName>(family: Family, protocol: P, timeouts: Timeouts<P>, opts?: CallOptions): Promise<void> {
    await nextTurnIfSpent();
    const [f, p, t, o] = inOperation('setDefaults', () => {
      const f = checkFamily(family);
      const p = checkProtocol(protocol);
      if (timeouts === undefined) throw invalidArgument('timeouts', 'setDefaults needs the states to set, as an object of state: seconds');
      return [f, p, checkTimeouts(p, timeouts, this.#limits), checkCallOptions(opts)] as const;
    });
    await this.#call({ op: 'DEFAULT_SET', l3proto: f, l4proto: p, timeouts: t }, 'setDefaults', o);
  }

  /**
   * Makes the kernel hold exactly these policies: creates the missing, updates the different
   * (writing every state, so the result does not depend on defaults changing later), recreates
   * those whose family or protocol changed (DELETE then NEW, never split, a failed NEW puts the
   * old policy back), and with `prune` deletes the others it owns (see ApplyOptions.owner;
   * policies in use, not owned, or Open vSwitch's `ovs_tp_*` are kept and reported). The whole
   * list is validated before the first request. `dryRun` returns the plan, with the failures
   * the kernel will answer (in-use recreates, unsupported protocols). On failure or abort it
   * throws an ApplyError whose `steps` say what the kernel did.
   */
  async apply(policies: readonly Policy[], opts?: ApplyOptions): Promise<ApplyResult> {
    const o = inOperation('apply', () => checkCallOptions<ApplyOptions>(opts));
    const ctx: ApplyContext = {
      limits: this.#limits,
      list: (c) => this.list(c).toArray(),
      getDefaults: (family, protocol, c) => this.getDefaults(family, protocol, c),
      encode: (spec) => this.#encode(spec, 'apply'),
      batch: (messages, c) => requestBatchOwned(this.#transport, messages, { operation: 'apply', ...c }),
    };
    const { runApply } = await import('./apply/index.js');
    return runApply(ctx, policies, o);
  }

  /** Closes the socket; pending requests reject with ERR_CLOSED. */
  close(): Promise<void> {
    return this.#transport.close();
  }
}

/**
 * A read's answer without its object (get, default-get): lost to ENOBUFS when the socket overran
 * while it was answered (the ACK came, the object did not), else a kernel that answered oddly.
 */
export function missingObject(operation: string, overran: boolean, odd: string): CtTimeoutError {
  if (!overran) return new CtTimeoutError('ERR_UNEXPECTED_REPLY', `${operation}: ${odd}`, { source: 'transport', operation });
  return new CtTimeoutError(
    'ENOBUFS',
    `${operation}: No buffer space available (ENOBUFS): the kernel dropped the reply because the socket's receive buffer was full; ${operation} is read-only, so it is safe to retry`,
    { source: 'kernel', errno: E.ENOBUFS, operation, sent: true },
  );
}
