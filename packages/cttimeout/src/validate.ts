// The one set of rules for what a policy may hold: names, families, protocols, states, values,
// HZ, whole policies and policy lists. Every entry point (client, object API, CLI, policy files,
// the inspector's builder) calls these, so they all give the same answer. Pure functions over
// the generated protocol table and the codec's name rules: no I/O, safe in a browser (after the
// codec's init()).
import { CtTimeoutError, type ErrorCode } from './errors.js';
import { checkPolicyName, policyNameDisplay, policyNameFromBytes, policyNameKey, type PolicyName } from './codec/name.js';
import { FAMILY_NAMES, familyNumber, findProtocol, STATE_ATTRS, STATE_NAMES } from './codec/tables.js';
import type { Family, ProtocolName } from './codec/types.js';

/**
 * Every CONFIG_HZ some Linux architecture offers: 100, 250, 300, 1000 (kernel/Kconfig.hz) and
 * 24, 32, 48, 64, 128, 256, 512, 1024, 1200 (alpha, arm, mips, sh and others).
 */
export const HZ_VALUES: readonly number[] = [24, 32, 48, 64, 100, 128, 250, 256, 300, 512, 1000, 1024, 1200];

export type { PolicyName };

/** A name checked against the kernel's rules. */
export interface CheckedName {
  /** A string when the bytes are UTF-8, else a copy of the bytes (as decoded policies carry it). */
  name: PolicyName;
  /** One string per distinct byte sequence: compare and key names by this, never by `name`. */
  key: string;
}

function invalid(code: ErrorCode, field: string, message: string): CtTimeoutError {
  return new CtTimeoutError(code, `${field}: ${message}`, { source: 'usage', field });
}

/** A CtTimeoutError for a wrong argument: ERR_INVALID_ARGUMENT naming the field. */
export function invalidArgument(field: string, message: string): CtTimeoutError {
  return invalid('ERR_INVALID_ARGUMENT', field, message);
}

/** What a value is, for messages: never throws (BigInt, symbols, cycles). */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  if (v instanceof Uint8Array) return `bytes ${displayName(v)}`;
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/**
 * Checks a policy name: a well-formed UTF-16 string (a lone surrogate is ERR_INVALID_NAME,
 * never a silent U+FFFD) or a Uint8Array; at most 31 bytes of UTF-8; no NUL byte (the codec's
 * byte rules, codec/name.ts). Anything else is ERR_INVALID_ARGUMENT.
 */
export function checkName(v: unknown, field = 'name'): CheckedName {
  if (typeof v !== 'string' && !(v instanceof Uint8Array))
    throw invalidArgument(field, `a policy name must be a string or a Uint8Array, got ${describeValue(v)}`);
  checkPolicyName(v, field);
  // A well-formed string is its own decoded form and key; bytes are copied (or become a string).
  if (typeof v === 'string') return { name: v, key: v };
  const name = policyNameFromBytes(v);
  return { name, key: policyNameKey(name) };
}

/** A name as decoded policies carry it: a string when the bytes are UTF-8, else the bytes. */
export const nameFromBytes = policyNameFromBytes;

/** The comparison key of a name already known to be valid (e.g. decoded from the kernel). */
export const nameKey = policyNameKey;

/** A name for messages: the string in quotes, or `{"hex":"ff"}` for a name that is not UTF-8. */
export const displayName = policyNameDisplay;

/** 'inet' / 'inet6', or the l3proto number 2 / 10 → the family name. */
export function checkFamily(v: unknown, field = 'family'): Family {
  const f = typeof v === 'string' ? (familyNumber(v) !== undefined ? (v as Family) : undefined) : typeof v === 'number' ? FAMILY_NAMES[v] : undefined;
  if (f === undefined) throw invalid('ERR_UNKNOWN_FAMILY', field, `family must be 'inet' or 'inet6' (or 2 / 10), got ${describeValue(v)}`);
  return f;
}

/** A protocol name, /etc/protocols alias ('TCP', 'ipv6-icmp') or number → the table's name. */
export function checkProtocol(v: unknown, field = 'protocol'): ProtocolName {
  const row = typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? findProtocol(v) : undefined;
  if (row === undefined) {
    const known = STATE_NAMES.flatMap((s, n) => (s ? [findProtocol(n)!.name] : [])).join(', ');
    throw invalid('ERR_UNKNOWN_PROTOCOL', field, `${describeValue(v)} has no conntrack timeout table (known: ${known})`);
  }
  return row.name;
}

/** A state name in any case ('established') → the canonical one ('ESTABLISHED'). */
export function checkState(protocol: ProtocolName, v: unknown, field = 'timeouts'): string {
  const number = findProtocol(protocol)!.number;
  const canonical = typeof v === 'string' ? v.toUpperCase() : undefined;
  if (canonical === undefined || !STATE_ATTRS[number]!.has(canonical)) throw unknownState(protocol, number, v, field);
  return canonical;
}

function unknownState(protocol: ProtocolName, number: number, v: unknown, field: string): CtTimeoutError {
  return invalid(
    'ERR_UNKNOWN_STATE',
    typeof v === 'string' ? `${field}.${v}` : field,
    `${describeValue(v)} is not a state of ${protocol} (valid: ${STATE_NAMES[number]!.join(', ')})`,
  );
}

/** A CONFIG_HZ value: one of {@link HZ_VALUES}. */
export function checkHz(v: unknown, field = 'hz'): number {
  if (typeof v !== 'number' || !HZ_VALUES.includes(v)) {
    throw invalid('ERR_VALUE_RANGE', field, `${describeValue(v)} is not a CONFIG_HZ Linux offers (${HZ_VALUES.join(', ')})`);
  }
  return v;
}

/** The largest timeout in seconds the kernel stores exactly: ⌊(2³²−1)/HZ⌋. */
export function maxSecondsFor(hz: number): number {
  return Math.floor(0xffffffff / hz);
}

/** The value limit: HZ known, or not (then the limit of the largest HZ, and the error says so). */
export interface Limits {
  /** CONFIG_HZ of the target kernel; undefined when it is not known. */
  hz?: number;
  /** An explicit limit instead (the object API encodes the C library's plain u32). */
  maxSeconds?: number;
}

/** The largest value accepted under these limits. */
export function limitOf(limits: Limits): number {
  return limits.maxSeconds ?? maxSecondsFor(limits.hz ?? Math.max(...HZ_VALUES));
}

/** Seconds: an integer 0..⌊(2³²−1)/HZ⌋ (a number; BigInt, NaN, fractions and strings refused). */
export function checkSeconds(v: unknown, limits: Limits, field: string): number {
  if (typeof v !== 'number') throw invalidArgument(field, `seconds must be a number, got ${describeValue(v)}`);
  const max = limitOf(limits);
  if (!Number.isInteger(v) || v < 0 || v > max) {
    const why =
      limits.maxSeconds !== undefined
        ? 'the value is a u32'
        : limits.hz !== undefined
          ? `the kernel stores seconds × HZ in 32 bits (HZ ${limits.hz})`
          : `this kernel's CONFIG_HZ is unknown, so only values safe at every HZ are accepted; set the hz option or CTTIMEOUT_HZ (or the CLI's --hz) to allow up to ⌊(2³²−1)/HZ⌋`;
    throw invalid('ERR_VALUE_RANGE', field, `${v} is not an integer in 0..${max}: ${why}`);
  }
  return v;
}

/** Seconds from text: plain decimal digits only (no sign, space, 0x, exponent or fraction). */
export function parseSeconds(text: string, limits: Limits, field: string): number {
  if (!/^[0-9]+$/.test(text)) throw invalid('ERR_VALUE_RANGE', field, `${JSON.stringify(text)} is not a number of seconds (plain decimal digits)`);
  return checkSeconds(Number(text), limits, field);
}

/**
 * A timeouts object: state (any case) → seconds, canonical names out. Two spellings of one
 * state ('ESTABLISHED' and 'established') are ERR_DUPLICATE_STATE.
 */
export function checkTimeouts(protocol: ProtocolName, v: unknown, limits: Limits, field = 'timeouts'): Record<string, number> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    throw invalidArgument(field, `timeouts must be an object of state: seconds, got ${describeValue(v)}`);
  }
  // Checked inline, with the messages of checkState and checkSeconds built only on an error:
  // every add() comes through here.
  const number = findProtocol(protocol)!.number;
  const states = STATE_ATTRS[number]!;
  const max = limitOf(limits);
  const given: Record<string, number> = {};
  let lastAttr = 0;
  let ordered = true;
  for (const k of Object.keys(v)) {
    const value = (v as Record<string, unknown>)[k];
    const state = k.toUpperCase();
    const attr = states.get(state);
    if (attr === undefined) throw unknownState(protocol, number, k, field);
    if (state in given) throw invalid('ERR_DUPLICATE_STATE', `${field}.${state}`, `${state} is given twice (as ${JSON.stringify(k)} and another spelling)`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) checkSeconds(value, limits, `${field}.${state}`);
    given[state] = value as number;
    if (attr < lastAttr) ordered = false;
    lastAttr = attr;
  }
  // Attribute order, so a plan or JSON output does not depend on how the input was written.
  if (ordered) return given;
  const out: Record<string, number> = {};
  for (const s of STATE_NAMES[number]!) if (s in given) out[s] = given[s]!;
  return out;
}

/** A policy after checking: canonical family, protocol and state names, the name's bytes. */
export interface CheckedPolicy {
  name: PolicyName;
  family: Family;
  protocol: ProtocolName;
  timeouts: Record<string, number>;
  /** The name's comparison key (see {@link CheckedName}). */
  key: string;
}

/** Checks one policy object; errors name the field ('name', 'timeouts.ESTABLISHED', ...). */
export function checkPolicy(p: unknown, limits: Limits): CheckedPolicy {
  if (p === null || typeof p !== 'object' || Array.isArray(p))
    throw invalidArgument('policy', `a policy must be an object { name, family, protocol, timeouts }, got ${describeValue(p)}`);
  const x = p as Record<string, unknown>;
  const { name, key } = checkName(x.name);
  const family = checkFamily(x.family);
  const protocol = checkProtocol(x.protocol);
  return { name, key, family, protocol, timeouts: checkTimeouts(protocol, x.timeouts, limits) };
}

/** One bad entry of a policy list. */
export interface PolicyProblem {
  index: number;
  /** The entry's name when it had a valid one. */
  name?: PolicyName;
  code: ErrorCode;
  field: string;
  message: string;
}

/**
 * A policy list with bad entries. `code` and `field` are the first problem's; `problems` lists
 * every bad entry (the first error of each), with its index and name.
 */
export class PolicyListError extends CtTimeoutError {
  override name = 'PolicyListError';
  readonly problems: PolicyProblem[];
  readonly index: number;
  readonly policyName?: PolicyName;

  constructor(problems: PolicyProblem[], operation?: string) {
    const first = problems[0]!;
    const shown = problems.slice(0, 10).map(where).join('; ');
    const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
    super(
      first.code,
      `${operation ? operation + ': ' : ''}${problems.length === 1 ? 'a policy is' : `${problems.length} policies are`} invalid: ${shown}${more}`,
      {
        source: 'usage',
        field: first.field,
        ...(operation !== undefined ? { operation } : {}),
      },
    );
    this.problems = problems;
    this.index = first.index;
    if (first.name !== undefined) this.policyName = first.name;
  }
}

function where(p: PolicyProblem): string {
  return `policy ${p.index}${p.name !== undefined ? ` (${displayName(p.name)})` : ''}: ${p.message}`;
}

/**
 * Checks a whole list before anything is sent: every entry, and that no name (compared by
 * bytes) appears twice. Throws one PolicyListError listing every bad entry.
 */
export function checkPolicyList(list: unknown, limits: Limits, operation?: string): CheckedPolicy[] {
  const check = new PolicyListCheck(list, limits, operation);
  check.next(check.size);
  return check.finish();
}

/** `list` when it is an array, else the argument error checkPolicyList gives. */
function policyArray(list: unknown): unknown[] {
  if (!Array.isArray(list)) throw invalidArgument('policies', `expected an array of policies, got ${describeValue(list)}`);
  return list;
}

/**
 * checkPolicyList a slice at a time, for callers that yield to the event loop between slices
 * (apply of 100,000 policies: ~8 µs each). The list is copied first, so what is checked is the
 * list as given; finish() throws every problem at once, as checkPolicyList does.
 */
export class PolicyListCheck {
  readonly #list: unknown[];
  readonly #limits: Limits;
  readonly #operation: string | undefined;
  readonly #problems: PolicyProblem[] = [];
  readonly #out: CheckedPolicy[] = [];
  readonly #seen = new Map<string, number>();
  #at = 0;

  constructor(list: unknown, limits: Limits, operation?: string) {
    this.#list = policyArray(list).slice();
    this.#limits = limits;
    this.#operation = operation;
  }

  get size(): number {
    return this.#list.length;
  }

  get done(): boolean {
    return this.#at >= this.#list.length;
  }

  /** Checks the next `count` entries (holes of a sparse array are skipped, as forEach does). */
  next(count: number): void {
    const end = Math.min(this.#list.length, this.#at + count);
    for (; this.#at < end; this.#at++) if (this.#at in this.#list) this.#entry(this.#list[this.#at], this.#at);
  }

  #entry(p: unknown, index: number): void {
    let name: PolicyName | undefined;
    try {
      name = checkName((p as { name?: unknown } | null)?.name).name;
    } catch {
      // reported by checkPolicy below
    }
    try {
      const c = checkPolicy(p, this.#limits);
      const first = this.#seen.get(c.key);
      if (first !== undefined) {
        this.#problems.push({
          index,
          name: c.name,
          code: 'ERR_DUPLICATE_NAME',
          field: 'name',
          message: `name: ${displayName(c.name)} is also policy ${first}`,
        });
      } else this.#seen.set(c.key, index);
      this.#out.push(c);
    } catch (e) {
      if (!(e instanceof CtTimeoutError)) throw e;
      this.#problems.push({ index, ...(name !== undefined ? { name } : {}), code: e.code, field: e.field ?? 'policy', message: e.message });
    }
  }

  /** The checked policies; a PolicyListError with every problem when there was one. */
  finish(): CheckedPolicy[] {
    if (this.#problems.length > 0) throw new PolicyListError(this.#problems, this.#operation);
    return this.#out;
  }
}
