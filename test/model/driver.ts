// Model-based testing of the public client against the real kernel: fast-check generates
// random operation sequences (add, add exclusive, replace, replace-merge, get, list, delete,
// flush, apply with prune / dry run, iptables CT rule attach and detach, default-set,
// default-get) over every protocol with edge values and edge names; each sequence runs in a
// fresh private network namespace and every step is checked against the in-memory model
// (packages/cttimeout/src/testing/model.ts). Used by kernel.test.ts (short) and soak.ts (long).
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { ApplyError, CtTimeout, CtTimeoutError, FAMILIES, PROTOCOLS, errnoName, type KernelPolicy, type Policy } from '../../packages/cttimeout/src/index.js';
import {
  KernelModel,
  nameBytes,
  NLM_F,
  NAME_MAX_BYTES,
  type ModelPolicy,
  type ModelRequest,
  type RuleHandle,
} from '../../packages/cttimeout/src/testing/model.js';
import { privateNetns, type Netns } from '../helpers/netns.js';

type Name = string | Uint8Array;
type ProtoName = (typeof PROTOCOLS)[number]['name'];
type FamilyName = (typeof FAMILIES)[number]['name'];

const PROTO_NUM = new Map<string, number>(PROTOCOLS.map((p) => [p.name, p.number]));
const FAMILY_NUM = new Map<string, number>(FAMILIES.map((f) => [f.name, f.number]));
const STATES = new Map<string, readonly string[]>(PROTOCOLS.map((p) => [p.name, p.states.map((s) => s.name)]));

/** What one run of the generator did. */
export interface Stats {
  runs: number;
  ops: number;
  byCommand: Record<string, number>;
  /** How often each edge case of the issue ran (see edgeKinds): the short run checks it saw all. */
  edges: Record<string, number>;
}

export const newStats = (): Stats => ({ runs: 0, ops: 0, byCommand: {}, edges: {} });

/** Every edge case the generator must reach: name lengths and kinds, values, states, protocols. */
export const EDGE_KINDS = [
  'name 0 bytes',
  'name 1 byte',
  'name 31 bytes',
  'name 32 bytes',
  'name as bytes',
  'name not UTF-8',
  'name lone surrogate',
  'value 0',
  'value 1',
  'value HZ limit',
  'value over the limit',
  'state lower case',
  ...PROTOCOLS.map((p) => `protocol ${p.name}`),
];

/** The edge cases one command touches (its names, policies and timeouts). */
function edgeKinds(c: object, maxSeconds: number): string[] {
  const f = c as { p?: Policy; policies?: Policy[]; name?: Name; proto?: string; timeouts?: Record<string, number> };
  const policies = [...(f.p ? [f.p] : []), ...(f.policies ?? [])];
  const names = [...policies.map((p) => p.name as Name), ...(f.name !== undefined ? [f.name] : [])];
  const timeouts = [...policies.map((p) => p.timeouts as Record<string, number>), ...(f.timeouts ? [f.timeouts] : [])];
  const out = new Set<string>();
  for (const n of names) {
    const b = bytesOf(n);
    if (b.length === 0) out.add('name 0 bytes');
    if (b.length === 1) out.add('name 1 byte');
    if (b.length === 31) out.add('name 31 bytes');
    if (b.length === 32) out.add('name 32 bytes');
    if (n instanceof Uint8Array) out.add('name as bytes');
    if (n instanceof Uint8Array && !isUtf8(n)) out.add('name not UTF-8');
    if (typeof n === 'string' && !isWellFormed(n)) out.add('name lone surrogate');
  }
  for (const t of timeouts) {
    for (const [state, v] of Object.entries(t)) {
      if (v === 0) out.add('value 0');
      if (v === 1) out.add('value 1');
      if (v === maxSeconds) out.add('value HZ limit');
      if (v > maxSeconds) out.add('value over the limit');
      if (state !== state.toUpperCase()) out.add('state lower case');
    }
  }
  for (const p of [...policies.map((x) => x.protocol as string), ...(typeof f.proto === 'string' ? [f.proto] : [])]) out.add(`protocol ${p}`);
  return [...out];
}

function isUtf8(b: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Thrown when the kernel (through the client) and the model disagree. */
export class Mismatch extends Error {
  override name = 'Mismatch';
}

interface Rule {
  family: 2 | 10;
  proto: string;
  name: Uint8Array;
  handle: RuleHandle;
}
interface M {
  k: KernelModel;
  rules: Rule[];
  stats: Stats;
}
interface R {
  ct: CtTimeout;
  ns: Netns;
}

const utf8 = new TextEncoder();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const show = (n: Name): string => (typeof n === 'string' ? JSON.stringify(n) : `bytes(${hex(n)})`);

/** Bytes a client name stands for (lone surrogates become U+FFFD here; the client must refuse them). */
function bytesOf(n: Name): Uint8Array {
  return typeof n === 'string' ? utf8.encode(n) : n;
}

function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/** The client must refuse the name before sending anything (common.md's name contract). */
export function nameRefused(n: Name): boolean {
  if (typeof n === 'string' && !isWellFormed(n)) return true;
  const b = bytesOf(n);
  return b.length > NAME_MAX_BYTES || b.includes(0);
}

export interface Features {
  /** Names given as Uint8Array, and non-UTF-8 names coming back as bytes. */
  byteNames: boolean;
  /** Lone-surrogate strings refused with ERR_INVALID_NAME. */
  loneSurrogates: boolean;
  /** State names in lower case. */
  lowerCaseStates: boolean;
}

/** Names that collide, edge lengths (0, 1, 31, 32 bytes), U+FFFD next to the byte ff. */
export function namePool(f: Features): Name[] {
  const pool: Name[] = ['', 'a', 'web', 'x'.repeat(31), 'é'.repeat(15) + 'z', '\uFFFD', 'y'.repeat(32), 'é'.repeat(16)];
  if (f.byteNames)
    pool.push(Uint8Array.of(0xff), Uint8Array.of(0xef, 0xbf, 0xbd), Uint8Array.of(0x66, 0x80, 0x66), utf8.encode('a'), new Uint8Array(31).fill(0xfe));
  if (f.loneSurrogates) pool.push('web\uD800', '\uDC00');
  return pool;
}

interface Gen {
  names: Name[];
  maxSeconds: number;
  features: Features;
}

function valueArb(max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(0, 1, max) },
    { weight: 5, arbitrary: fc.integer({ min: 0, max: 1_000_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max }) },
    { weight: 1, arbitrary: fc.constantFrom(max + 1, 0xffffffff) },
  );
}

function timeoutsArb(g: Gen, proto: string): fc.Arbitrary<Record<string, number>> {
  const states = STATES.get(proto)!;
  return fc
    .tuple(fc.subarray([...states]), fc.array(valueArb(g.maxSeconds), { minLength: states.length, maxLength: states.length }), fc.boolean())
    .map(([picked, values, lower]) => Object.fromEntries(picked.map((s, i) => [lower && g.features.lowerCaseStates ? s.toLowerCase() : s, values[i]!])));
}

function policyArb(g: Gen, names = fc.constantFrom(...g.names)): fc.Arbitrary<Policy> {
  return fc
    .record({
      name: names,
      family: fc.constantFrom<FamilyName>('inet', 'inet6'),
      protocol: fc.constantFrom<ProtoName>(...(PROTOCOLS.map((p) => p.name) as ProtoName[])),
    })
    .chain((p) => timeoutsArb(g, p.protocol).map((timeouts) => ({ ...p, timeouts }) as unknown as Policy));
}

function valuesRefused(g: Gen, timeouts: Record<string, number>): boolean {
  return Object.values(timeouts).some((v) => v > g.maxSeconds);
}

const policyRefused = (g: Gen, p: Policy): boolean => nameRefused(p.name as Name) || valuesRefused(g, p.timeouts as Record<string, number>);

/** Seconds per upper-case state name. */
function upper(t: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k.toUpperCase(), v]));
}

function describePolicy(p: Policy): string {
  return `{${show(p.name as Name)} ${p.family}/${p.protocol} ${JSON.stringify(p.timeouts)}}`;
}

// ---- outcomes ----

type Outcome<T> = { ok: true; value: T } | { ok: false; error: CtTimeoutError };

async function outcome<T>(what: string, p: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (!(e instanceof CtTimeoutError))
      throw new Mismatch(`${what}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not a CtTimeoutError`);
    return { ok: false, error: e };
  }
}

function describeOutcome(o: Outcome<unknown>): string {
  return o.ok ? 'success' : `${o.error.code} (${o.error.message})`;
}

/** The kernel's answer (through the client) is the model's errno. */
function expectErrno(what: string, errno: number, o: Outcome<unknown>): void {
  if (errno === 0 ? o.ok : !o.ok && o.error.code === errnoName(errno)) return;
  throw new Mismatch(`${what}: model says ${errno === 0 ? 'success' : errnoName(errno)}, client got ${describeOutcome(o)}`);
}

/** Refused by the client's validation before any request: an error that is not the kernel's. */
function expectRefused(what: string, o: Outcome<unknown>): void {
  if (!o.ok && o.error.source !== 'kernel' && /^ERR_/.test(o.error.code)) return;
  throw new Mismatch(`${what}: should be refused before sending, client got ${describeOutcome(o)}`);
}

// ---- comparing policies ----

function realView(p: KernelPolicy): string {
  const l3 = typeof p.family === 'number' ? p.family : FAMILY_NUM.get(p.family);
  return JSON.stringify([hex(bytesOf(p.name as Name)), l3, PROTO_NUM.get(p.protocol), p.use, p.timeouts]);
}
function modelView(p: ModelPolicy): string {
  return JSON.stringify([hex(p.name), p.l3proto, p.l4proto, p.use, p.timeouts]);
}

function expectSameList(what: string, real: KernelPolicy[], model: ModelPolicy[]): void {
  const a = real.map(realView);
  const b = model.map(modelView);
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) throw new Mismatch(`${what}: kernel holds\n  ${a.join('\n  ')}\nmodel holds\n  ${b.join('\n  ')}`);
}

async function checkState(m: M, r: R, what: string): Promise<void> {
  const listed = await outcome(`${what}: list`, r.ct.list().toArray());
  if (!listed.ok) throw new Mismatch(`${what}: list failed: ${describeOutcome(listed)}`);
  expectSameList(`${what}: state after`, listed.value, m.k.policies());
}

const ACK = NLM_F.REQUEST | NLM_F.ACK;

function newRequest(p: Policy, flags: number, timeouts = p.timeouts as Record<string, number>): ModelRequest {
  return {
    command: 'NEW',
    flags,
    name: bytesOf(p.name as Name),
    l3proto: FAMILY_NUM.get(p.family)!,
    l4proto: PROTO_NUM.get(p.protocol)!,
    timeouts: upper(timeouts),
  };
}

// ---- commands ----

abstract class Cmd implements fc.AsyncCommand<M, R> {
  abstract readonly kind: string;
  check(_m: Readonly<M>): boolean {
    return true;
  }
  async run(m: M, r: R): Promise<void> {
    m.stats.ops++;
    m.stats.byCommand[this.kind] = (m.stats.byCommand[this.kind] ?? 0) + 1;
    for (const e of edgeKinds(this, m.k.maxSeconds)) m.stats.edges[e] = (m.stats.edges[e] ?? 0) + 1;
    await this.exec(m, r);
  }
  abstract exec(m: M, r: R): Promise<void>;
  abstract toString(): string;
}

class Add extends Cmd {
  readonly kind: string;
  constructor(
    readonly g: Gen,
    readonly p: Policy,
    readonly exclusive: boolean,
  ) {
    super();
    this.kind = exclusive ? 'add-exclusive' : 'add';
  }
  async exec(m: M, r: R) {
    const o = await outcome(this.toString(), r.ct.add(this.p, { exclusive: this.exclusive }));
    if (policyRefused(this.g, this.p)) return expectRefused(this.toString(), o);
    const rep = m.k.handle(newRequest(this.p, ACK | NLM_F.CREATE | (this.exclusive ? NLM_F.EXCL : 0)));
    expectErrno(this.toString(), rep.errno, o);
    await checkState(m, r, this.toString());
  }
  toString() {
    return `${this.kind} ${describePolicy(this.p)}`;
  }
}

class Replace extends Cmd {
  readonly kind: string;
  constructor(
    readonly g: Gen,
    readonly p: Policy,
    readonly merge: boolean,
  ) {
    super();
    this.kind = merge ? 'replace-merge' : 'replace';
  }
  async exec(m: M, r: R) {
    const what = this.toString();
    const o = await outcome(what, r.ct.replace(this.p, { merge: this.merge }));
    if (policyRefused(this.g, this.p)) return expectRefused(what, o);
    let timeouts = upper(this.p.timeouts as Record<string, number>);
    if (this.merge) {
      const cur = m.k.policy(bytesOf(this.p.name as Name));
      if (!cur) return expectErrno(what, 2, o);
      if (cur.l3proto !== FAMILY_NUM.get(this.p.family) || cur.l4proto !== PROTO_NUM.get(this.p.protocol)) return expectErrno(what, 22, o);
      timeouts = { ...cur.timeouts, ...timeouts };
    }
    expectErrno(what, m.k.handle(newRequest(this.p, ACK | NLM_F.REPLACE, timeouts)).errno, o);
    await checkState(m, r, what);
  }
  toString() {
    return `${this.kind} ${describePolicy(this.p)}`;
  }
}

class Get extends Cmd {
  readonly kind = 'get';
  constructor(readonly name: Name) {
    super();
  }
  async exec(m: M, r: R) {
    const what = this.toString();
    const o = await outcome(what, r.ct.get(this.name as string));
    if (nameRefused(this.name)) return expectRefused(what, o);
    const rep = m.k.handle({ command: 'GET', flags: ACK, name: bytesOf(this.name) });
    expectErrno(what, rep.errno, o);
    if (o.ok) {
      const want = rep.messages[0]!;
      if (want.kind !== 'policy' || realView(o.value) !== modelView(want.policy))
        throw new Mismatch(`${what}: got ${realView(o.value)}, model has ${want.kind === 'policy' ? modelView(want.policy) : '?'}`);
    }
  }
  toString() {
    return `get ${show(this.name)}`;
  }
}

class List extends Cmd {
  readonly kind = 'list';
  async exec(m: M, r: R) {
    const o = await outcome('list', r.ct.list().toArray());
    if (!o.ok) throw new Mismatch(`list: ${describeOutcome(o)}`);
    expectSameList('list', o.value, m.k.policies());
  }
  toString() {
    return 'list';
  }
}

class Delete extends Cmd {
  readonly kind = 'delete';
  constructor(readonly name: Name) {
    super();
  }
  async exec(m: M, r: R) {
    const what = this.toString();
    const o = await outcome(what, r.ct.delete(this.name as string));
    if (nameRefused(this.name)) return expectRefused(what, o);
    expectErrno(what, m.k.handle({ command: 'DELETE', flags: ACK, name: bytesOf(this.name) }).errno, o);
    await checkState(m, r, what);
  }
  toString() {
    return `delete ${show(this.name)}`;
  }
}

class Flush extends Cmd {
  readonly kind = 'flush';
  async exec(m: M, r: R) {
    const before = m.k.policies();
    const o = await outcome('flush', r.ct.flush());
    expectErrno('flush', m.k.handle({ command: 'DELETE', flags: ACK }).errno, o);
    if (!o.ok) return;
    const after = m.k.policies();
    const kept = new Set(after.map((p) => hex(p.name)));
    const deleted = before.filter((p) => !kept.has(hex(p.name))).map((p) => hex(p.name));
    const got = o.value.deleted.map((n) => hex(bytesOf(n as Name)));
    if (JSON.stringify(got) !== JSON.stringify(deleted)) throw new Mismatch(`flush: reported deleted ${got}, model deleted ${deleted}`);
    expectSameList('flush: kept', o.value.kept, after);
    await checkState(m, r, 'flush');
  }
  toString() {
    return 'flush';
  }
}

interface Planned {
  action: 'create' | 'update' | 'recreate' | 'delete';
  name: Uint8Array;
  after?: ModelRequest;
}

class Apply extends Cmd {
  readonly kind: string;
  constructor(
    readonly g: Gen,
    readonly policies: Policy[],
    readonly prune: boolean,
    readonly dryRun: boolean,
  ) {
    super();
    this.kind = dryRun ? 'apply-dry-run' : prune ? 'apply-prune' : 'apply';
  }

  /** The plan the model predicts, or 'refused' / 'unsupported' when nothing may be sent. */
  plan(m: M): Planned[] | 'refused' | 'unsupported' {
    if (this.policies.some((p) => policyRefused(this.g, p))) return 'refused';
    if (this.policies.some((p) => !m.k.hasTracker(PROTO_NUM.get(p.protocol)!))) return 'unsupported';
    const steps: Planned[] = [];
    const wanted = new Set<string>();
    for (const p of this.policies) {
      const name = bytesOf(p.name as Name);
      wanted.add(hex(name));
      const l4 = PROTO_NUM.get(p.protocol)!;
      const full = { ...m.k.defaults(l4)!, ...upper(p.timeouts as Record<string, number>) };
      const after = newRequest(p, 0, full);
      const cur = m.k.policy(name);
      if (!cur) steps.push({ action: 'create', name, after });
      else if (cur.l3proto !== after.l3proto || cur.l4proto !== l4) steps.push({ action: 'recreate', name, after });
      else if (JSON.stringify(cur.timeouts) !== JSON.stringify(full)) steps.push({ action: 'update', name, after });
    }
    if (this.prune) for (const cur of m.k.policies()) if (!wanted.has(hex(cur.name)) && cur.use === 1) steps.push({ action: 'delete', name: cur.name });
    return steps;
  }

  /** Runs a step's requests on the model; the errno of the first that fails, or 0. */
  static runStep(m: M, s: Planned): number {
    const reqs: ModelRequest[] = [];
    if (s.action === 'delete' || s.action === 'recreate') reqs.push({ command: 'DELETE', flags: ACK, name: s.name });
    if (s.action === 'create' || s.action === 'recreate') reqs.push({ ...s.after!, flags: ACK | NLM_F.CREATE | NLM_F.EXCL });
    if (s.action === 'update') reqs.push({ ...s.after!, flags: ACK | NLM_F.REPLACE });
    for (const q of reqs) {
      const e = m.k.handle(q).errno;
      if (e !== 0) return e;
    }
    return 0;
  }

  async exec(m: M, r: R) {
    const what = this.toString();
    const plan = this.plan(m);
    const o = await outcome(what, r.ct.apply(this.policies, { prune: this.prune, dryRun: this.dryRun }));
    if (plan === 'refused') return expectRefused(what, o);
    if (plan === 'unsupported') {
      // A dry run returns the plan with the kernel's refusal predicted; a real run refuses the list.
      if (this.dryRun) {
        if (!o.ok || !o.value.steps.some((s) => s.predicted?.code === 'EOPNOTSUPP'))
          throw new Mismatch(`${what}: a dry run did not predict EOPNOTSUPP (${describeOutcome(o)})`);
        return checkState(m, r, what);
      }
      if (o.ok) throw new Mismatch(`${what}: a protocol without a tracker, yet apply succeeded`);
      if (o.error instanceof ApplyError && o.error.steps.some((s) => s.status === 'done'))
        throw new Mismatch(`${what}: a protocol without a tracker, yet steps ran`);
      return checkState(m, r, what);
    }
    const key = (a: string, n: Uint8Array) => `${a} ${hex(n)}`;
    const predicted = new Map(plan.map((s) => [key(s.action, s.name), s]));
    const steps = o.ok ? o.value.steps : o.error instanceof ApplyError ? o.error.steps : undefined;
    if (steps === undefined) {
      // Refused as a whole before sending (a dry run predicting a failure): nothing ran.
      if (plan.every((s) => !(s.action === 'recreate' && (m.k.policy(s.name)?.use ?? 1) > 1)))
        throw new Mismatch(`${what}: failed with ${describeOutcome(o)} though the model sees no reason`);
      return checkState(m, r, what);
    }
    const got = steps.map((s) => key(s.action, bytesOf(s.name as Name)));
    if (got.length !== predicted.size || got.some((k) => !predicted.has(k)))
      throw new Mismatch(`${what}: planned [${got.join(', ')}], model plans [${[...predicted.keys()].join(', ')}]`);
    if (this.dryRun) {
      if (steps.some((s) => s.status !== 'planned')) throw new Mismatch(`${what}: a dry run reported statuses ${steps.map((s) => s.status)}`);
      return checkState(m, r, what);
    }
    let failures = 0;
    for (const s of steps) {
      const p = predicted.get(key(s.action, bytesOf(s.name as Name)))!;
      if (s.status === 'done') {
        const e = Apply.runStep(m, p);
        if (e !== 0) throw new Mismatch(`${what}: step ${s.action} ${show(s.name as Name)} reported done, the model says ${errnoName(e)}`);
      } else if (s.status === 'failed') {
        failures++;
        const e = Apply.runStep(m, p);
        if (e === 0) throw new Mismatch(`${what}: step ${s.action} ${show(s.name as Name)} reported failed (${s.error?.code}), the model says it succeeds`);
      } else if (s.status !== 'not-run') {
        throw new Mismatch(`${what}: step ${s.action} ${show(s.name as Name)} has status ${s.status} without any fault`);
      }
    }
    if (o.ok === failures > 0) throw new Mismatch(`${what}: ${describeOutcome(o)} with ${failures} failed steps`);
    await checkState(m, r, what);
  }
  toString() {
    return `${this.kind} [${this.policies.map(describePolicy).join(', ')}]`;
  }
}

const RULE_PROTOS: ReadonlyArray<readonly [string, number]> = [
  ['tcp', 6],
  ['udp', 17],
  ['udplite', 136],
  ['icmp', 1],
  ['icmpv6', 58],
  ['sctp', 132],
  ['gre', 47],
  ['esp', 50],
];

/**
 * Appends a CT rule in the namespace; the name goes through bash as $'\xHH' escapes so any
 * bytes reach argv.
 */
function iptablesAppend(ns: Netns, family: 2 | 10, proto: string, name: Uint8Array): boolean {
  const quoted = `$'${Array.from(name, (b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}'`;
  return shell(ns, `${family === 2 ? 'iptables' : 'ip6tables'} -w -t raw -A OUTPUT -p ${proto} -j CT --timeout ${quoted}`);
}

/**
 * Deletes a rule by its position: iptables-nft 1.8.9 reads a CT rule's --timeout back as its
 * first 4 bytes, so deleting by rule spec fails for longer names.
 */
function iptablesDelete(ns: Netns, family: 2 | 10, position: number): boolean {
  return shell(ns, `${family === 2 ? 'iptables' : 'ip6tables'} -w -t raw -D OUTPUT ${position}`);
}

function shell(ns: Netns, cmd: string): boolean {
  try {
    execFileSync('nsenter', [`--net=${ns.path}`, 'bash', '-c', cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The iptables -p word whose tracker is this policy protocol's (esp has none: the generic policy). */
const RULE_PROTO_FOR = new Map<number, readonly [string, number]>(RULE_PROTOS.map((p) => [p[1] === 50 ? 255 : p[1], p]));

class Attach extends Cmd {
  readonly kind = 'attach';
  /** With `existing`, the rule targets the policy of that index (its family and protocol) when there is one. */
  constructor(
    readonly name: Name,
    readonly family: 2 | 10,
    readonly proto: readonly [string, number],
    readonly existing?: number,
  ) {
    super();
  }
  async exec(m: M, r: R) {
    let name = nameBytes(bytesOf(this.name));
    let family = this.family;
    let proto = this.proto;
    const all = m.k.policies();
    if (this.existing !== undefined && all.length > 0) {
      const p = all[this.existing % all.length]!;
      name = p.name;
      if (p.l3proto === 2 || p.l3proto === 10) family = p.l3proto;
      proto = RULE_PROTO_FOR.get(p.l4proto) ?? proto;
    }
    const what = `attach ${family === 2 ? 'iptables' : 'ip6tables'} -p ${proto[0]} --timeout bytes(${hex(name)})`;
    const ok = iptablesAppend(r.ns, family, proto[0], name);
    const want = m.k.attach(name, family, proto[1]);
    if (ok !== (want.errno === 0))
      throw new Mismatch(`${what}: iptables ${ok ? 'succeeded' : 'failed'}, model says ${want.errno === 0 ? 'success' : errnoName(want.errno)}`);
    if (want.rule) m.rules.push({ family, proto: proto[0], name, handle: want.rule });
    await checkState(m, r, what);
  }
  toString() {
    return this.existing !== undefined
      ? `attach to policy #${this.existing}`
      : `attach ${this.family === 2 ? 'iptables' : 'ip6tables'} -p ${this.proto[0]} --timeout ${show(this.name)}`;
  }
}

class Detach extends Cmd {
  readonly kind = 'detach';
  constructor(readonly pick: number) {
    super();
  }
  override check(m: Readonly<M>) {
    return m.rules.length > 0;
  }
  async exec(m: M, r: R) {
    const i = this.pick % m.rules.length;
    const [rule] = m.rules.splice(i, 1);
    const position = m.rules.slice(0, i).filter((x) => x.family === rule!.family).length + 1;
    if (!iptablesDelete(r.ns, rule!.family, position)) throw new Mismatch(`${this}: iptables -D OUTPUT ${position} failed`);
    m.k.detach(rule!.handle);
    await checkState(m, r, this.toString());
  }
  toString() {
    return `detach rule #${this.pick}`;
  }
}

class DefaultSet extends Cmd {
  readonly kind = 'default-set';
  constructor(
    readonly g: Gen,
    readonly family: FamilyName,
    readonly proto: ProtoName,
    readonly timeouts: Record<string, number>,
  ) {
    super();
  }
  async exec(m: M, r: R) {
    const what = this.toString();
    const o = await outcome(what, r.ct.setDefaults(this.family, this.proto, this.timeouts as never));
    if (valuesRefused(this.g, this.timeouts)) return expectRefused(what, o);
    expectErrno(
      what,
      m.k.handle({
        command: 'DEFAULT_SET',
        flags: ACK,
        l3proto: FAMILY_NUM.get(this.family)!,
        l4proto: PROTO_NUM.get(this.proto)!,
        timeouts: upper(this.timeouts),
      }).errno,
      o,
    );
  }
  toString() {
    return `default-set ${this.family}/${this.proto} ${JSON.stringify(this.timeouts)}`;
  }
}

class DefaultGet extends Cmd {
  readonly kind = 'default-get';
  constructor(
    readonly family: FamilyName,
    readonly proto: ProtoName,
  ) {
    super();
  }
  async exec(m: M, r: R) {
    const what = this.toString();
    const o = await outcome(what, r.ct.getDefaults(this.family, this.proto));
    const rep = m.k.handle({ command: 'DEFAULT_GET', flags: ACK, l3proto: FAMILY_NUM.get(this.family)!, l4proto: PROTO_NUM.get(this.proto)! });
    expectErrno(what, rep.errno, o);
    const want = rep.messages[0];
    if (o.ok && want?.kind === 'defaults' && JSON.stringify(o.value) !== JSON.stringify(want.timeouts))
      throw new Mismatch(`${what}: got ${JSON.stringify(o.value)}, model has ${JSON.stringify(want.timeouts)}`);
  }
  toString() {
    return `default-get ${this.family}/${this.proto}`;
  }
}

export function commandsArb(g: Gen): fc.Arbitrary<Iterable<fc.AsyncCommand<M, R>>> {
  const name = fc.constantFrom(...g.names);
  const family = fc.constantFrom<FamilyName>('inet', 'inet6');
  const proto = fc.constantFrom<ProtoName>(...(PROTOCOLS.map((p) => p.name) as ProtoName[]));
  const uniquePolicies = fc.uniqueArray(policyArb(g), { maxLength: 5, selector: (p) => hex(bytesOf(p.name as Name)) });
  return fc.commands(
    [
      fc.tuple(policyArb(g), fc.boolean()).map(([p, x]) => new Add(g, p, x)),
      fc.tuple(policyArb(g), fc.boolean()).map(([p, x]) => new Add(g, p, x)),
      fc.tuple(policyArb(g), fc.boolean()).map(([p, x]) => new Replace(g, p, x)),
      name.map((n) => new Get(n)),
      fc.constant(new List()),
      name.map((n) => new Delete(n)),
      fc.constant(new Flush()),
      fc.tuple(uniquePolicies, fc.boolean(), fc.boolean()).map(([ps, prune, dry]) => new Apply(g, ps, prune, dry)),
      fc.tuple(name, fc.constantFrom<2 | 10>(2, 10), fc.constantFrom(...RULE_PROTOS)).map(([n, f, p]) => new Attach(n, f, p)),
      fc.tuple(name, fc.constantFrom<2 | 10>(2, 10), fc.constantFrom(...RULE_PROTOS), fc.nat()).map(([n, f, p, i]) => new Attach(n, f, p, i)),
      fc.nat().map((i) => new Detach(i)),
      fc.nat().map((i) => new Detach(i)),
      proto.chain((p) => fc.tuple(family, timeoutsArb(g, p)).map(([f, t]) => new DefaultSet(g, f, p, t))),
      fc.tuple(family, proto).map(([f, p]) => new DefaultGet(f, p)),
    ],
    { maxCommands: 60, size: 'large' },
  );
}

/** One sequence in a fresh namespace with a fresh model. */
export function property(g: Gen, stats: Stats, hz: number): fc.IAsyncPropertyWithHooks<[Iterable<fc.AsyncCommand<M, R>>]> {
  return fc.asyncProperty(commandsArb(g), async (cmds) => {
    stats.runs++;
    const ns = await privateNetns();
    let ct: CtTimeout | undefined;
    try {
      ct = await CtTimeout.open({ netns: ns.path, hz });
      const real: R = { ct, ns };
      await fc.asyncModelRun(() => ({ model: { k: new KernelModel({ hz }), rules: [], stats }, real }), cmds);
    } finally {
      await ct?.close();
      ns.dispose();
    }
  });
}

/** Generator settings for this kernel. */
export function generator(hz: number, features: Features): Gen {
  return { names: namePool(features), maxSeconds: Math.floor(0xffffffff / hz), features };
}

/** Everything main supports: names as bytes and lone surrogates (common.md), states in any case. */
export const FEATURES: Features = { byteNames: true, loneSurrogates: true, lowerCaseStates: true };
