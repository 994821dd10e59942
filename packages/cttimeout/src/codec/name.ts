// Policy names are bytes (the kernel compares them with strcmp). A name given as a string must
// be well-formed UTF-16 and is sent as UTF-8; decoded names are strings when their bytes are
// valid UTF-8, else the exact bytes. The byte rules (at most 31 bytes, no NUL) are the Rust
// encoder's (crates/codec/src/encode.rs `check_name`), asked through WebAssembly so there is
// one copy of them.
import { CtTimeoutError, type ErrorCode } from '../errors.js';
import { binding, memoryViews } from './binding.js';

/** A policy name: text (sent as UTF-8) or the exact bytes. */
export type PolicyName = string | Uint8Array;

/** The lossless JSON form of a name: the string, or `{ hex: 'ff' }` when the bytes are not UTF-8. */
export type PolicyNameJson = string | { hex: string };

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function invalid(field: string, message: string): CtTimeoutError {
  return new CtTimeoutError('ERR_INVALID_NAME', `${field}: ${message}`, { source: 'usage', field });
}

/**
 * Why a string cannot be a name, or undefined: a lone surrogate (as slicing a JS string by
 * code unit makes) has no UTF-8 form, and replacing it with U+FFFD would name another policy.
 */
export function loneSurrogate(s: string): string | undefined {
  const m = LONE_SURROGATE.exec(s);
  if (m === null) return undefined;
  return `lone surrogate U+${m[0].charCodeAt(0).toString(16).toUpperCase()} at index ${m.index}: a string name must be well-formed UTF-16 (give the bytes as a Uint8Array instead)`;
}

/**
 * Writes a string name's UTF-8 form into `u8` from `at` (room up to `end`: 3 bytes per UTF-16
 * code unit always fit) and returns its length, or -1 when it has a lone surrogate (no UTF-8
 * form; see {@link loneSurrogate}). ASCII, nearly every name, is copied code unit by code unit;
 * the rest goes through TextEncoder.encodeInto. The encoder and the name check both write this way.
 */
export function writeNameUtf8(name: string, u8: Uint8Array, at: number, end: number): number {
  let len = 0;
  for (; len < name.length; len++) {
    const c = name.charCodeAt(len);
    if (c >= 0x80) break;
    u8[at + len] = c;
  }
  if (len === name.length) return len;
  if (loneSurrogate(name) !== undefined) return -1;
  return utf8.encodeInto(name, u8.subarray(at, end)).written;
}

/**
 * Checks a name by every rule the encoder applies; throws a CtTimeoutError (ERR_INVALID_NAME,
 * ERR_NAME_TOO_LONG, ERR_NAME_NUL) naming `field`. The bytes are written straight into the
 * codec's input buffer (an ASCII string code unit by code unit, as the encoder does), so a
 * valid name costs no allocation: TextEncoder.encode alone took longer than the kernel's DELETE.
 */
export function checkPolicyName(name: unknown, field = 'name'): void {
  const { glue, memory } = binding();
  let len: number;
  if (typeof name === 'string') {
    const at = glue.inputBuffer(name.length * 3);
    len = writeNameUtf8(name, memoryViews(memory).u8, at, at + name.length * 3);
    if (len < 0) throw invalid(field, loneSurrogate(name)!);
  } else if (name instanceof Uint8Array) {
    const at = glue.inputBuffer(name.length);
    memoryViews(memory).u8.set(name, at);
    len = name.length;
  } else {
    throw invalid(field, `must be a string or a Uint8Array, not ${name === null ? 'null' : typeof name}`);
  }
  if (glue.checkInputName(len) < 0) {
    const { code, message } = JSON.parse(glue.lastError()) as { code: ErrorCode; message: string };
    throw new CtTimeoutError(code, `${field}: ${message}`, { source: 'usage', field });
  }
}

/** The bytes of a name, checked by {@link checkPolicyName}. */
export function policyNameBytes(name: unknown, field = 'name'): Uint8Array {
  checkPolicyName(name, field);
  return typeof name === 'string' ? utf8.encode(name) : (name as Uint8Array);
}

/** The decoded form of name bytes: a string when they are valid UTF-8, else a copy of them. */
export function policyNameFromBytes(bytes: Uint8Array): PolicyName {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return bytes.slice();
  }
}

/** Whether two names are the same bytes (a Uint8Array that is valid UTF-8 equals its string). */
export function policyNameEquals(a: PolicyName, b: PolicyName): boolean {
  return policyNameKey(a) === policyNameKey(b);
}

/**
 * A string that identifies a name's bytes, for Map keys: the text itself when the bytes are
 * UTF-8, else a NUL (which no name contains) and the hex.
 */
export function policyNameKey(name: PolicyName): string {
  const n = typeof name === 'string' ? name : policyNameFromBytes(name);
  return typeof n === 'string' ? n : `\0${toHex(n)}`;
}

/** The lossless JSON form (`--json`, policy files). */
export function policyNameToJson(name: PolicyName): PolicyNameJson {
  const n = typeof name === 'string' ? name : policyNameFromBytes(name);
  return typeof n === 'string' ? n : { hex: toHex(n) };
}

/**
 * A name from its JSON form (a string, or `{ hex }` with an even number of hex digits), checked
 * like {@link policyNameBytes}; returns the decoded form (a string when the bytes are UTF-8).
 */
export function policyNameFromJson(v: unknown, field = 'name'): PolicyName {
  if (typeof v === 'string') {
    checkPolicyName(v, field);
    return v;
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const hex = (v as { hex?: unknown }).hex;
    if (keys.length === 1 && typeof hex === 'string') {
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw invalid(field, `hex ${JSON.stringify(hex)} is not an even number of hex digits`);
      const bytes = new Uint8Array(hex.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      checkPolicyName(bytes, field);
      return policyNameFromBytes(bytes);
    }
  }
  throw invalid(field, `must be a string or {"hex": "..."}, not ${JSON.stringify(v) ?? typeof v}`);
}

/** A name for messages: JSON-quoted text, or its `{"hex":"ff"}` form. */
export function policyNameDisplay(name: PolicyName): string {
  return JSON.stringify(policyNameToJson(name));
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
