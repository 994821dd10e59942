// The C library's object API (libnetfilter_cttimeout 1.0.1), for people porting C code:
// the same functions in camelCase (nfct_timeout_attr_set → nfctTimeoutAttrSet), plus the
// getters the C library lacks, and none of its defects (PROTOCOL.md §8.2): names are checked
// instead of cut to 31 characters, state indexes are bounds-checked, unsetting a state clears
// that state, parsing throws on bad input instead of returning 0, snprintf returns the whole
// length and never writes past the buffer, every protocol the kernel knows is covered.
import { CtTimeoutError, type ErrorCode } from '../errors.js';
import { decodeStrict, encodeRequest, formatNfct, formatNfctBytes } from '../codec/api.js';
import type { PolicyName } from '../codec/name.js';
import { inOperation } from '../policy.js';
import { checkName, checkSeconds, describeValue } from '../validate.js';
import { findProtocol, STATE_NAMES } from '../codec/tables.js';
import { COMMANDS } from '../generated/table.js';
import type { Op } from '../codec/types.js';

export * from '../generated/c-names.js';

export const NFCT_TIMEOUT_ATTR_NAME = 0;
export const NFCT_TIMEOUT_ATTR_L3PROTO = 1;
export const NFCT_TIMEOUT_ATTR_L4PROTO = 2;
export const NFCT_TIMEOUT_ATTR_POLICY = 3;
export const NFCT_TIMEOUT_ATTR_MAX = 4;
export const NFCT_TIMEOUT_O_DEFAULT = 0;
/** libmnl's MNL_SOCKET_BUFFER_SIZE on x86-64, the buffer size the C examples use. */
export const MNL_SOCKET_BUFFER_SIZE = 8192;

/** NFCT_TIMEOUT_ATTR_NAME | _L3PROTO | _L4PROTO | _POLICY */
export type TimeoutAttr = 0 | 1 | 2 | 3;

const ATTR_NAMES = ['NFCT_TIMEOUT_ATTR_NAME', 'NFCT_TIMEOUT_ATTR_L3PROTO', 'NFCT_TIMEOUT_ATTR_L4PROTO', 'NFCT_TIMEOUT_ATTR_POLICY'];
/** IPCTNL_MSG_TIMEOUT_* number → encode op: the operations table's command names are its first rows' ops. */
const CMD_OPS: readonly Op[] = COMMANDS;

function usage(code: ErrorCode, operation: string, message: string, field?: string): CtTimeoutError {
  return new CtTimeoutError(code, `${operation}: ${message}`, { source: 'usage', operation, ...(field ? { field } : {}) });
}

function checkInt(operation: string, what: string, v: unknown, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
    throw usage('ERR_VALUE_RANGE', operation, `${what} ${describeValue(v)} is not an integer in 0..${max}`, what);
}

/** A timeout policy object: `struct nfct_timeout`. */
export class TimeoutPolicy {
  #name: PolicyName | undefined;
  #l3proto: number | undefined;
  #l4proto: number | undefined;
  /** state index → seconds */
  readonly #states = new Map<number, number>();
  #freed = false;

  /** nfct_timeout_alloc() */
  static alloc(): TimeoutPolicy {
    return new TimeoutPolicy();
  }

  #live(op: string): void {
    if (this.#freed) throw usage('ERR_FREED', op, 'this policy object was freed');
  }

  /** nfct_timeout_free(): later use of the object is an error (not undefined behaviour). */
  free(): void {
    this.#freed = true;
  }

  /**
   * nfct_timeout_attr_set(): NAME takes a string (at most 31 bytes, no NUL: an error, where
   * the C library cut it silently), L3PROTO and L4PROTO numbers. POLICY is derived from the
   * states and cannot be set on its own (the C library then read a NULL array).
   */
  attrSet(type: TimeoutAttr, value: PolicyName | number): void {
    const op = 'nfctTimeoutAttrSet';
    this.#live(op);
    switch (type) {
      case NFCT_TIMEOUT_ATTR_NAME:
        // validate.ts (the codec's rules): at most 31 bytes, no NUL, a string well-formed UTF-16
        this.#name = inOperation(op, () => checkName(value).name);
        return;
      case NFCT_TIMEOUT_ATTR_L3PROTO:
        if (typeof value !== 'number') throw usage('ERR_INVALID_ARGUMENT', op, 'L3PROTO takes a number', 'l3proto');
        return this.attrSetU16(type, value);
      case NFCT_TIMEOUT_ATTR_L4PROTO:
        if (typeof value !== 'number') throw usage('ERR_INVALID_ARGUMENT', op, 'L4PROTO takes a number', 'l4proto');
        return this.attrSetU8(type, value);
      case NFCT_TIMEOUT_ATTR_POLICY:
        throw usage('ERR_INVALID_ARGUMENT', op, 'POLICY is set by nfctTimeoutPolicyAttrSetU32, not directly', 'policy');
      default:
        throw usage('ERR_INVALID_ARGUMENT', op, `unknown attribute ${String(type)}`);
    }
  }

  /** nfct_timeout_attr_set_u8(): only L4PROTO is a u8. */
  attrSetU8(type: TimeoutAttr, value: number): void {
    const op = 'nfctTimeoutAttrSetU8';
    this.#live(op);
    if (type !== NFCT_TIMEOUT_ATTR_L4PROTO) throw usage('ERR_INVALID_ARGUMENT', op, `${ATTR_NAMES[type] ?? type} is not a u8 attribute`);
    checkInt(op, 'l4proto', value, 255);
    if (value !== this.#l4proto && this.#states.size > 0) {
      throw usage('ERR_INVALID_ARGUMENT', op, 'unset the policy states before changing the protocol they belong to', 'l4proto');
    }
    if (findProtocol(value) === undefined) throw usage('ERR_UNKNOWN_PROTOCOL', op, `L4 protocol ${value} has no timeout table`, 'l4proto');
    this.#l4proto = value;
  }

  /** nfct_timeout_attr_set_u16(): only L3PROTO is a u16. */
  attrSetU16(type: TimeoutAttr, value: number): void {
    const op = 'nfctTimeoutAttrSetU16';
    this.#live(op);
    if (type !== NFCT_TIMEOUT_ATTR_L3PROTO) throw usage('ERR_INVALID_ARGUMENT', op, `${ATTR_NAMES[type] ?? type} is not a u16 attribute`);
    checkInt(op, 'l3proto', value, 0xffff);
    this.#l3proto = value;
  }

  /** nfct_timeout_attr_unset(). Unsetting POLICY clears every state. */
  attrUnset(type: TimeoutAttr): void {
    this.#live('nfctTimeoutAttrUnset');
    if (type === NFCT_TIMEOUT_ATTR_NAME) this.#name = undefined;
    else if (type === NFCT_TIMEOUT_ATTR_L3PROTO) this.#l3proto = undefined;
    else if (type === NFCT_TIMEOUT_ATTR_L4PROTO) {
      if (this.#states.size > 0) throw usage('ERR_INVALID_ARGUMENT', 'nfctTimeoutAttrUnset', 'unset the policy states before the protocol');
      this.#l4proto = undefined;
    } else if (type === NFCT_TIMEOUT_ATTR_POLICY) this.#states.clear();
  }

  /** Whether an attribute is set (the C library has no getter). */
  attrIsSet(type: TimeoutAttr): boolean {
    this.#live('nfctTimeoutAttrIsSet');
    return [this.#name, this.#l3proto, this.#l4proto][type] !== undefined || (type === NFCT_TIMEOUT_ATTR_POLICY && this.#states.size > 0);
  }

  /** The value of NAME, L3PROTO or L4PROTO, or undefined when unset. */
  attrGet(type: TimeoutAttr): PolicyName | number | undefined {
    this.#live('nfctTimeoutAttrGet');
    return [this.#name, this.#l3proto, this.#l4proto][type];
  }

  /**
   * nfct_timeout_policy_attr_set_u32(): `state` is the C library's index (attribute − 1, e.g.
   * NFCT_TIMEOUT_ATTR_TCP_ESTABLISHED); it must be below the protocol's state count (the C
   * library accepted the count itself and wrote past its array).
   */
  policyAttrSetU32(state: number, seconds: number): void {
    const op = 'nfctTimeoutPolicyAttrSetU32';
    this.#live(op);
    const names = this.#stateNames(op);
    checkInt(op, 'state', state, names.length - 1);
    // The C library's u32: the object API encodes for any kernel, so no HZ limit here.
    inOperation(op, () => checkSeconds(seconds, { maxSeconds: 0xffffffff }, `timeouts.${names[state]}`));
    this.#states.set(state, seconds);
  }

  /** nfct_timeout_policy_attr_unset(): clears that state (the C library cleared another bit). */
  policyAttrUnset(state: number): void {
    this.#live('nfctTimeoutPolicyAttrUnset');
    this.#states.delete(state);
  }

  /** The seconds set for a state, or undefined (the C library has no getter). */
  policyAttrGetU32(state: number): number | undefined {
    this.#live('nfctTimeoutPolicyAttrGetU32');
    return this.#states.get(state);
  }

  policyAttrIsSet(state: number): boolean {
    this.#live('nfctTimeoutPolicyAttrIsSet');
    return this.#states.has(state);
  }

  #stateNames(op: string): readonly string[] {
    if (this.#l4proto === undefined) throw usage('ERR_MISSING', op, 'set NFCT_TIMEOUT_ATTR_L4PROTO before policy states', 'l4proto');
    const names = STATE_NAMES[this.#l4proto];
    if (names === undefined) throw usage('ERR_UNKNOWN_PROTOCOL', op, `L4 protocol ${this.#l4proto} has no timeout table`, 'l4proto');
    return names;
  }

  /** The attributes as the encoder takes them. */
  #spec(op: Op, flags: number, seq: number) {
    return {
      op,
      flags,
      seq,
      ...(this.#name !== undefined ? { name: this.#name } : {}),
      ...(this.#l3proto !== undefined ? { l3proto: this.#l3proto } : {}),
      ...(this.#l4proto !== undefined ? { l4proto: this.#l4proto } : {}),
      ...(this.#states.size > 0 ? { rawTimeouts: [...this.#states].map(([i, v]) => [i + 1, v] as const) } : {}),
    };
  }

  /** Encodes a message with the attributes that are set. */
  toMessage(cmd: number, flags: number, seq: number): Uint8Array {
    const op = CMD_OPS[cmd];
    if (op === undefined)
      throw usage('ERR_INVALID_ARGUMENT', 'nfctTimeoutNlmsgBuildHdr', `unknown command ${cmd} (IPCTNL_MSG_TIMEOUT_NEW..DEFAULT_GET are 0..4)`);
    this.#live('nfctTimeoutNlmsgBuildPayload');
    return encodeRequest(this.#spec(op, flags, seq));
  }

  /** Fills this object from a parsed message (see {@link nfctTimeoutNlmsgParsePayload}). */
  parse(message: Uint8Array): void {
    const op = 'nfctTimeoutNlmsgParsePayload';
    this.#live(op);
    const [m] = decodeStrict(message, op);
    if (m?.kind !== 'timeout')
      throw new CtTimeoutError('ERR_NOT_A_POLICY', `${op}: the message is ${m ? `a ${m.kind} message` : 'empty'}, not a cttimeout message`, {
        source: 'codec',
        operation: op,
      });
    if (m.l4proto !== undefined && m.l4proto !== this.#l4proto) this.#states.clear();
    if (m.name !== undefined) this.#name = m.name;
    if (m.l3proto !== undefined) this.#l3proto = m.l3proto;
    if (m.l4proto !== undefined) this.#l4proto = m.l4proto;
    if (m.timeouts) {
      const names = this.#stateNames(op);
      for (const [state, v] of Object.entries(m.timeouts)) this.#states.set(names.indexOf(state), v);
    }
  }

  /** nfct_timeout_snprintf() bytes: exactly what nfct prints for this object (the name's raw bytes). */
  nfctBytes(): Uint8Array {
    this.#live('nfctTimeoutSnprintf');
    const { text } = formatNfctBytes(encodeRequest(this.#spec('NEW', 0, 0)));
    return text.subarray(0, text.length - 1); // the block, without the newline nfct adds
  }

  /** nfct_timeout_snprintf() text: exactly what nfct prints for this object. */
  toString(): string {
    this.#live('nfctTimeoutSnprintf');
    const text = formatNfct(encodeRequest(this.#spec('NEW', 0, 0))).blocks[0];
    if (text === undefined) throw new Error('formatting produced no block');
    return text;
  }
}

/** nfct_timeout_alloc() */
export const nfctTimeoutAlloc = (): TimeoutPolicy => TimeoutPolicy.alloc();
/** nfct_timeout_free() (null is fine, unlike the C library). */
export const nfctTimeoutFree = (t: TimeoutPolicy | null | undefined): void => t?.free();
/** nfct_timeout_attr_set() */
export const nfctTimeoutAttrSet = (t: TimeoutPolicy, type: TimeoutAttr, value: string | number): void => t.attrSet(type, value);
/** nfct_timeout_attr_set_u8() */
export const nfctTimeoutAttrSetU8 = (t: TimeoutPolicy, type: TimeoutAttr, value: number): void => t.attrSetU8(type, value);
/** nfct_timeout_attr_set_u16() */
export const nfctTimeoutAttrSetU16 = (t: TimeoutPolicy, type: TimeoutAttr, value: number): void => t.attrSetU16(type, value);
/** nfct_timeout_attr_unset() */
export const nfctTimeoutAttrUnset = (t: TimeoutPolicy, type: TimeoutAttr): void => t.attrUnset(type);
/** New: read NAME / L3PROTO / L4PROTO back. */
export const nfctTimeoutAttrGet = (t: TimeoutPolicy, type: TimeoutAttr): PolicyName | number | undefined => t.attrGet(type);
/** New: whether an attribute is set. */
export const nfctTimeoutAttrIsSet = (t: TimeoutPolicy, type: TimeoutAttr): boolean => t.attrIsSet(type);
/** nfct_timeout_policy_attr_set_u32() */
export const nfctTimeoutPolicyAttrSetU32 = (t: TimeoutPolicy, state: number, seconds: number): void => t.policyAttrSetU32(state, seconds);
/** nfct_timeout_policy_attr_unset() (exported and correct, unlike the C library's) */
export const nfctTimeoutPolicyAttrUnset = (t: TimeoutPolicy, state: number): void => t.policyAttrUnset(state);
/** New: read one state's seconds back. */
export const nfctTimeoutPolicyAttrGetU32 = (t: TimeoutPolicy, state: number): number | undefined => t.policyAttrGetU32(state);

/**
 * nfct_timeout_policy_attr_to_name(): the name nfct prints for a state, or undefined for an
 * unknown protocol or state (the C library printed to stdout and read past its table).
 */
export function nfctTimeoutPolicyAttrToName(l4proto: number, state: number): string | undefined {
  return STATE_NAMES[l4proto]?.[state];
}

/** The message under construction: `struct nlmsghdr *` in the C API. */
export interface Nlmsghdr {
  readonly buf: Uint8Array;
  readonly cmd: number;
  readonly flags: number;
  readonly seq: number;
  /** Bytes written so far (header + nfgenmsg, then the payload). */
  nlmsgLen: number;
  /** The message: `buf.subarray(0, nlmsgLen)`. */
  bytes(): Uint8Array;
}

function write(nlh: Nlmsghdr, msg: Uint8Array, op: string): void {
  if (msg.length > nlh.buf.length) {
    throw usage('ERR_BUFFER_TOO_SMALL', op, `the message needs ${msg.length} bytes, the buffer has ${nlh.buf.length}`);
  }
  nlh.buf.set(msg);
  nlh.nlmsgLen = msg.length;
}

/**
 * nfct_timeout_nlmsg_build_hdr(): writes the header (type (8 << 8) | cmd, flags | NLM_F_REQUEST,
 * seq, pid 0) and nfgenmsg into `buf`. The buffer's size is checked (the C function has none).
 */
export function nfctTimeoutNlmsgBuildHdr(buf: Uint8Array, cmd: number, flags: number, seq: number): Nlmsghdr {
  const nlh: Nlmsghdr = { buf, cmd, flags, seq, nlmsgLen: 0, bytes: () => buf.subarray(0, nlh.nlmsgLen) };
  write(nlh, new TimeoutPolicy().toMessage(cmd, flags, seq), 'nfctTimeoutNlmsgBuildHdr');
  return nlh;
}

/**
 * nfct_timeout_nlmsg_build_payload(): appends NAME, L3PROTO, L4PROTO and the set states (in a
 * CTA_TIMEOUT_DATA nest), each only if set.
 */
export function nfctTimeoutNlmsgBuildPayload(nlh: Nlmsghdr, t: TimeoutPolicy): void {
  write(nlh, t.toMessage(nlh.cmd, nlh.flags, nlh.seq), 'nfctTimeoutNlmsgBuildPayload');
}

/**
 * nfct_timeout_nlmsg_parse_payload(): fills `t` from a policy or defaults message. Throws a
 * CtTimeoutError saying at which byte and why when the bytes are malformed (the C function
 * returned 0 whatever happened).
 */
export function nfctTimeoutNlmsgParsePayload(nlh: Uint8Array | Nlmsghdr, t: TimeoutPolicy): void {
  t.parse(nlh instanceof Uint8Array ? nlh : nlh.bytes());
}

/**
 * nfct_timeout_snprintf(): writes the nfct text into `buf` as UTF-8, at most `buf.length - 1`
 * bytes and a NUL, and returns the length of the whole text like C99 snprintf (the C library
 * returned 2 and overflowed small buffers). Only NFCT_TIMEOUT_O_DEFAULT exists.
 */
export function nfctTimeoutSnprintf(buf: Uint8Array, t: TimeoutPolicy, type = NFCT_TIMEOUT_O_DEFAULT, _flags = 0): number {
  if (type !== NFCT_TIMEOUT_O_DEFAULT) return 0;
  const text = t.nfctBytes();
  if (buf.length > 0) {
    const n = Math.min(text.length, buf.length - 1);
    buf.set(text.subarray(0, n));
    buf[n] = 0;
  }
  return text.length;
}
