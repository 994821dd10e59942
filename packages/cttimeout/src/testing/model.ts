// An in-memory model of the kernel's cttimeout semantics for one network namespace
// (PROTOCOL.md §2, kernel 6.11 - 6.18). It works on requests as the codec decodes them and
// answers what the kernel answers: an errno, the object/default messages, and how the reply
// ends. A byte-level fake kernel wraps it (codec decode in, encode out); the model-based tests
// check the real kernel against it step by step.
// Every netlink number comes from the generated table (one place for each fact).
import { NLM_F } from '../generated/c-names.js';
import { COMMANDS, E, NAME_MAX_BYTES, PROTOCOLS } from '../generated/table.js';

/** nlmsg_flags bits (the kernel looks at ACK, DUMP, REPLACE, EXCL, CREATE). */
export { NLM_F, NAME_MAX_BYTES };

/** Positive errno values the model returns. */
export const ERRNO = E;

export type ModelCommand = (typeof COMMANDS)[number];
const COMMAND_NUMBERS = Object.fromEntries(COMMANDS.map((c, n) => [c, n])) as Record<ModelCommand, number>;

/** A request past nfnetlink's attribute checks, as every command handler gets it. */
interface Checked {
  req: ModelRequest;
  name: Uint8Array | undefined;
  hasData: boolean;
  /** Success: the messages, then an ACK when the request asked for one. */
  ok: (messages?: ModelReply['messages']) => ModelReply;
}

const failed = (errno: number): ModelReply => ({ errno, messages: [], end: 'error' });

/**
 * A request as the codec decodes it. `command` is the name or the low byte of nlmsg_type;
 * `name` is a string (UTF-8 encoded) or the exact bytes; `nameHex` (the codec's field for
 * non-UTF-8 names) wins over `name`. `timeouts` (by state name) or `rawTimeouts` (by attribute
 * number) present means the DATA attribute was present, even when empty.
 */
export interface ModelRequest {
  command: ModelCommand | number | null;
  flags: number;
  name?: string | Uint8Array;
  nameHex?: string;
  l3proto?: number;
  l4proto?: number;
  timeouts?: Readonly<Record<string, number>>;
  rawTimeouts?: ReadonlyArray<readonly [attr: number, seconds: number]>;
  /** Attributes of DATA above the protocol's max (the codec's `unknownTimeouts`): ignored, but they mean DATA was present. */
  unknownTimeouts?: readonly unknown[];
}

/** A policy as the kernel reports it (GET, dump). */
export interface ModelPolicy {
  name: Uint8Array;
  l3proto: number;
  l4proto: number;
  use: number;
  /** Seconds per state, every state of the protocol, attribute order. */
  timeouts: Record<string, number>;
}

/** What the kernel sends back for one request. */
export interface ModelReply {
  /** 0, or the positive errno of the NLMSG_ERROR. */
  errno: number;
  /** NEW-type policy messages (GET, dump) or one DEFAULT_SET-type message (DEFAULT_GET); all flagged NLM_F_MULTI. */
  messages: Array<{ kind: 'policy'; policy: ModelPolicy } | { kind: 'defaults'; l3proto: number; l4proto: number; timeouts: Record<string, number> }>;
  /** How the reply ends: NLMSG_ERROR with errno, an ACK, NLMSG_DONE (dumps), or nothing (success without NLM_F_ACK). */
  end: 'error' | 'ack' | 'done' | 'none';
}

export interface ModelOptions {
  /** The kernel's CONFIG_HZ: values are stored as seconds × HZ in 32 bits. Default 250. */
  hz?: number;
  /** IP protocol numbers with a conntrack tracker. Default: every protocol of the table except dccp (removed in 6.17). */
  trackers?: Iterable<number>;
}

/** A CT rule reference from attach(); pass it to detach(). */
export interface RuleHandle {
  readonly id: number;
}

type Row = (typeof PROTOCOLS)[number];
const ROWS = new Map<number, Row>(PROTOCOLS.map((p) => [p.number, p]));
const numberOf = (name: Row['name']): number => PROTOCOLS.find((p) => p.name === name)!.number;
const GENERIC = numberOf('generic');
const UDP = numberOf('udp');
const UDPLITE = numberOf('udplite');

interface Stored {
  name: Uint8Array;
  l3proto: number;
  l4proto: number;
  use: number;
  /** Jiffies per state (attribute order), as the kernel stores them: u32. */
  jiffies: number[];
}

const utf8 = new TextEncoder();

/** The name's bytes up to the first NUL (the kernel compares with strncmp). */
export function nameBytes(name: string | Uint8Array): Uint8Array {
  const b = typeof name === 'string' ? utf8.encode(name) : name;
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One network namespace's cttimeout state: the policy list and the per-tracker defaults. */
export class KernelModel {
  readonly hz: number;
  readonly #trackers: Set<number>;
  readonly #policies: Stored[] = [];
  /** Per tracker (UDP-Lite shares UDP's table). */
  readonly #defaults = new Map<number, number[]>();
  readonly #rules = new Map<number, Stored | undefined>();
  #nextRule = 1;

  constructor(options: ModelOptions = {}) {
    this.hz = options.hz ?? 250;
    this.#trackers = new Set(options.trackers ?? PROTOCOLS.filter((p) => p.name !== 'dccp').map((p) => p.number));
    for (const p of PROTOCOLS) {
      if (this.#trackers.has(p.number) && this.#key(p.number) === p.number)
        this.#defaults.set(
          p.number,
          p.states.map((s) => this.#store(s.default)),
        );
    }
  }

  /** The largest value stored exactly: ⌊(2³²−1)/HZ⌋. */
  get maxSeconds(): number {
    return Math.floor(0xffffffff / this.hz);
  }

  /** What the kernel reports after being sent `seconds` (u32): (seconds × HZ mod 2³²) / HZ. */
  reported(seconds: number): number {
    return Math.floor(this.#store(seconds) / this.hz);
  }

  #store(seconds: number): number {
    return ((seconds >>> 0) * this.hz) % 0x1_0000_0000;
  }

  /** The defaults table a tracker uses: UDP-Lite shares UDP's. */
  #key(l4proto: number): number {
    return l4proto === UDPLITE && this.#trackers.has(UDP) ? UDP : l4proto;
  }

  #table(l4proto: number): number[] {
    return this.#defaults.get(this.#key(l4proto))!;
  }

  /** Current defaults, overwritten by the request's DATA (the kernel's per-protocol nlattr_to_obj). */
  #parseData(l4proto: number, req: ModelRequest, base: readonly number[]): number[] {
    const row = ROWS.get(l4proto)!;
    const out = [...base];
    for (const [state, v] of Object.entries(req.timeouts ?? {})) {
      const i = row.states.findIndex((s) => s.name === state.toUpperCase());
      if (i >= 0) out[i] = this.#store(v);
    }
    for (const [attr, v] of req.rawTimeouts ?? []) if (attr >= 1 && attr <= row.states.length) out[attr - 1] = this.#store(v);
    return out;
  }

  #seconds(l4proto: number, jiffies: readonly number[]): Record<string, number> {
    const row = ROWS.get(l4proto)!;
    return Object.fromEntries(row.states.map((s, i) => [s.name, Math.floor(jiffies[i]! / this.hz)]));
  }

  #find(name: Uint8Array): Stored | undefined {
    return this.#policies.find((p) => sameBytes(p.name, name));
  }

  #view(p: Stored): ModelPolicy {
    return { name: p.name.slice(), l3proto: p.l3proto, l4proto: p.l4proto, use: p.use, timeouts: this.#seconds(p.l4proto, p.jiffies) };
  }

  /** Handles one request as the kernel does. */
  handle(req: ModelRequest): ModelReply {
    const cmd = typeof req.command === 'string' ? COMMAND_NUMBERS[req.command] : req.command;
    if (cmd === null || cmd === undefined || !(cmd >= 0 && cmd < COMMANDS.length)) return failed(ERRNO.EINVAL);
    // nfnetlink validates every attribute against the policy before any handler runs.
    let name: Uint8Array | undefined;
    if (req.nameHex !== undefined) name = nameBytes(hexBytes(req.nameHex));
    else if (req.name !== undefined) name = nameBytes(req.name);
    if (name !== undefined && name.length > NAME_MAX_BYTES) return failed(ERRNO.EINVAL);
    const r: Checked = {
      req,
      name,
      hasData: req.timeouts !== undefined || req.rawTimeouts !== undefined || req.unknownTimeouts !== undefined,
      ok: (messages = []) => ({ errno: 0, messages, end: req.flags & NLM_F.ACK ? 'ack' : 'none' }),
    };
    switch (COMMANDS[cmd]!) {
      case 'NEW':
        return this.#new(r);
      case 'GET':
        return this.#get(r);
      case 'DELETE':
        return this.#delete(r);
      case 'DEFAULT_SET':
        return this.#defaultSet(r);
      case 'DEFAULT_GET':
        return this.#defaultGet(r);
    }
  }

  #new({ req, name, hasData, ok }: Checked): ModelReply {
    const { l3proto, l4proto } = req;
    if (name === undefined || l3proto === undefined || l4proto === undefined || !hasData) return failed(ERRNO.EINVAL);
    const found = this.#find(name);
    if (found) {
      if (req.flags & NLM_F.EXCL) return failed(ERRNO.EEXIST);
      if (!(req.flags & NLM_F.REPLACE)) return failed(ERRNO.EBUSY);
      if (found.l3proto !== l3proto || found.l4proto !== l4proto) return failed(ERRNO.EINVAL);
      // Not a merge: omitted states go back to the current defaults.
      found.jiffies = this.#parseData(l4proto, req, this.#table(l4proto));
      return ok();
    }
    if (!this.#trackers.has(l4proto)) return failed(ERRNO.EOPNOTSUPP);
    this.#policies.push({ name: name.slice(), l3proto, l4proto, use: 1, jiffies: this.#parseData(l4proto, req, this.#table(l4proto)) });
    return ok();
  }

  #get({ req, name, ok }: Checked): ModelReply {
    // Any of the two DUMP bits makes it a dump; a name in it is ignored. No ACK after a dump.
    if (req.flags & NLM_F.DUMP) return { errno: 0, messages: this.#policies.map((p) => ({ kind: 'policy', policy: this.#view(p) })), end: 'done' };
    if (name === undefined) return failed(ERRNO.EINVAL);
    const found = this.#find(name);
    return found ? ok([{ kind: 'policy', policy: this.#view(found) }]) : failed(ERRNO.ENOENT);
  }

  #delete({ name, ok }: Checked): ModelReply {
    if (name === undefined) {
      // Flush: everything not in use goes; always succeeds.
      for (let i = this.#policies.length - 1; i >= 0; i--) if (this.#policies[i]!.use === 1) this.#policies.splice(i, 1);
      return ok();
    }
    const i = this.#policies.findIndex((p) => sameBytes(p.name, name));
    if (i < 0) return failed(ERRNO.ENOENT);
    if (this.#policies[i]!.use !== 1) return failed(ERRNO.EBUSY);
    this.#policies.splice(i, 1);
    return ok();
  }

  #defaultSet({ req, hasData, ok }: Checked): ModelReply {
    // >= 6.11: L3PROTO is optional and ignored. Omitted states keep their values.
    const { l4proto } = req;
    if (l4proto === undefined || !hasData) return failed(ERRNO.EINVAL);
    if (!this.#trackers.has(l4proto)) return failed(ERRNO.EOPNOTSUPP);
    this.#defaults.set(this.#key(l4proto), this.#parseData(l4proto, req, this.#table(l4proto)));
    return ok();
  }

  #defaultGet({ req, ok }: Checked): ModelReply {
    const { l3proto, l4proto } = req;
    if (l3proto === undefined || l4proto === undefined) return failed(ERRNO.EINVAL);
    if (!this.#trackers.has(l4proto)) return failed(ERRNO.EOPNOTSUPP);
    return ok([{ kind: 'defaults', l3proto, l4proto, timeouts: this.#seconds(l4proto, this.#table(l4proto)) }]);
  }

  /**
   * An iptables/ip6tables rule `-p PROTO -j CT --timeout NAME` being added (family 2 or 10).
   * The policy must exist (ENOENT), have that family and the rule protocol's tracker (EINVAL;
   * a protocol without a tracker needs the generic policy). An empty name means "no timeout":
   * the rule holds no reference. Returns the errno or a handle.
   */
  attach(name: string | Uint8Array, family: number, l4proto: number): { errno: number; rule?: RuleHandle } {
    const n = nameBytes(name);
    if (n.length > NAME_MAX_BYTES) return { errno: ERRNO.EINVAL };
    let target: Stored | undefined;
    if (n.length > 0) {
      target = this.#find(n);
      if (!target) return { errno: ERRNO.ENOENT };
      const tracker = this.#trackers.has(l4proto) ? l4proto : GENERIC;
      if (target.l3proto !== family || target.l4proto !== tracker) return { errno: ERRNO.EINVAL };
      target.use++;
    }
    const id = this.#nextRule++;
    this.#rules.set(id, target);
    return { errno: 0, rule: { id } };
  }

  /** The rule from attach() being deleted: its reference goes. */
  detach(rule: RuleHandle): void {
    if (!this.#rules.has(rule.id)) throw new Error(`rule ${rule.id} is not attached`);
    const target = this.#rules.get(rule.id);
    this.#rules.delete(rule.id);
    if (target) target.use--;
  }

  /** Every policy, in insertion order (what a dump returns). */
  policies(): ModelPolicy[] {
    return this.#policies.map((p) => this.#view(p));
  }

  /** One policy by name, or undefined. */
  policy(name: string | Uint8Array): ModelPolicy | undefined {
    const p = this.#find(nameBytes(name));
    return p && this.#view(p);
  }

  /** The current defaults of a protocol in seconds, or undefined without a tracker. */
  defaults(l4proto: number): Record<string, number> | undefined {
    return this.#trackers.has(l4proto) ? this.#seconds(l4proto, this.#table(l4proto)) : undefined;
  }

  /** Whether the kernel has a tracker for this protocol number. */
  hasTracker(l4proto: number): boolean {
    return this.#trackers.has(l4proto);
  }
}

/** The model's request for a message as the codec decodes it (`decode(bytes).messages[i]`). */
export function fromDecoded(m: {
  command: string | null;
  header: { flags: number };
  name?: string | Uint8Array;
  nameHex?: string;
  l3proto?: number;
  l4proto?: number;
  timeouts?: Readonly<Record<string, number>>;
  unknownTimeouts?: readonly unknown[];
}): ModelRequest {
  const req: ModelRequest = { command: (m.command ?? null) as ModelCommand | null, flags: m.header.flags };
  if (m.nameHex !== undefined) req.nameHex = m.nameHex;
  else if (m.name !== undefined) req.name = m.name;
  if (m.l3proto !== undefined) req.l3proto = m.l3proto;
  if (m.l4proto !== undefined) req.l4proto = m.l4proto;
  if (m.timeouts !== undefined) req.timeouts = m.timeouts;
  if (m.unknownTimeouts !== undefined) req.unknownTimeouts = m.unknownTimeouts;
  return req;
}
