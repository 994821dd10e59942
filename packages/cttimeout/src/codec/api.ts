import { CtTimeoutError } from '../errors.js';
import { OPS } from '../generated/table.js';
import { binding, memoryViews } from './binding.js';
import { familyNumber, findProtocol, MAX_STATES, protocolNames, STATE_ATTRS, STATE_NAMES } from './tables.js';
import { readTape } from './tape.js';
import type { DecodeResult, EncodeOptions, InspectTree, RequestSpec } from './types.js';

/**
 * Decodes a datagram (one or more netlink messages). Never throws on bad bytes: the messages
 * before the problem come back, and `error` says at which byte and why decoding stopped.
 */
export function decode(bytes: Uint8Array): DecodeResult {
  const { glue, memory } = binding();
  const at = glue.inputBuffer(bytes.length);
  memoryViews(memory).u8.set(bytes, at);
  const tape = glue.decodeInput(bytes.length);
  const { u8, u32 } = memoryViews(memory);
  return readTape(u32, tape >>> 2, u8, bytes);
}

/** Like {@link decode}, but throws a CtTimeoutError (code ERR_*, `offset`) on malformed bytes. */
export function decodeStrict(bytes: Uint8Array, operation = 'decode'): DecodeResult['messages'] {
  const r = decode(bytes);
  if (r.error) {
    throw new CtTimeoutError(r.error.code, r.error.message, { source: 'codec', offset: r.error.offset, operation });
  }
  return r.messages;
}

/** The datagram as JSON text (the same shape as {@link decode}'s result). */
export function decodeJson(bytes: Uint8Array): string {
  return binding().glue.decodeJson(bytes);
}

/** The inspector's field tree: every header field and attribute with its byte span. */
export function inspect(bytes: Uint8Array): InspectTree {
  return JSON.parse(binding().glue.inspectJson(bytes)) as InspectTree;
}

/**
 * nfct's text for every policy or defaults message in the datagram, one block each, byte for
 * byte as `nfct` prints them (without the newline nfct adds after each).
 */
export function formatNfct(bytes: Uint8Array): { blocks: string[]; error?: DecodeResult['error'] } {
  return JSON.parse(binding().glue.formatNfct(bytes)) as { blocks: string[]; error?: DecodeResult['error'] };
}

const utf8 = new TextEncoder();

function usage(code: string, field: string, message: string, index: number, count: number): CtTimeoutError {
  const where = count > 1 ? `request ${index}: ` : '';
  return new CtTimeoutError(code, `${where}${field}: ${message}`, { source: 'codec', field, operation: 'encode' });
}

// Encoded messages are handed out as views into shared 64 KiB slabs, as Node does for small
// Buffers: in Node a fresh typed array above 64 bytes costs more than encoding the message.
// `.slice()` a result if you need it to own its ArrayBuffer (e.g. to transfer it).
const SLAB = 64 * 1024;
let slab = new Uint8Array(SLAB);
let slabAt = 0;

function take(len: number): Uint8Array {
  if (len > SLAB / 8) return new Uint8Array(len);
  if (slabAt + len > SLAB) {
    slab = new Uint8Array(SLAB);
    slabAt = 0;
  }
  const v = slab.subarray(slabAt, slabAt + len);
  slabAt += (len + 7) & ~7;
  return v;
}

/**
 * Encodes requests back to back into one buffer, ready for a single sendmsg. All or nothing:
 * a bad request throws a CtTimeoutError naming the request and field, and nothing is returned.
 * The spec and names are written straight into WebAssembly memory (layout in tape.rs); the
 * numbers are range-checked there, on exactly what was passed.
 */
export function encodeBatch(requests: readonly RequestSpec[], options: EncodeOptions = {}): Uint8Array {
  // Room for the spec, without walking the timeouts: a protocol has at most MAX_STATES
  // states, so a valid timeouts object has at most that many keys (more is an error below).
  let need = 1;
  let nameBytes = 0;
  for (const r of requests) {
    need += 8 + (r.timeouts !== undefined ? 2 * MAX_STATES : 0) + (r.rawTimeouts !== undefined ? 2 * r.rawTimeouts.length : 0);
    if (typeof r.name === 'string') nameBytes += r.name.length * 3;
  }
  const { glue, memory } = binding();
  const specAt = glue.specBuffer(need) >>> 3;
  const namesAt = glue.inputBuffer(nameBytes);
  const { f64, u8 } = memoryViews(memory);
  let s = specAt;
  let n = 0;
  f64[s++] = options.maxSeconds ?? 0xffffffff;
  for (let index = 0; index < requests.length; index++) {
    const r = requests[index]!;
    const op = OPS[r.op];
    if (op === undefined) throw usage('ERR_UNKNOWN_OP', 'op', `${String(r.op)} is not one of ${Object.keys(OPS).join(', ')}`, index, requests.length);
    f64[s++] = op;
    f64[s++] = r.flags ?? -1;
    f64[s++] = r.seq ?? 0;
    const name = r.name;
    if (name !== undefined) {
      if (typeof name !== 'string') throw usage('ERR_BAD_ARGUMENT', 'name', 'must be a string', index, requests.length);
      // ASCII names (nearly all) are copied directly; others go through TextEncoder.
      let written = 0;
      for (; written < name.length; written++) {
        const c = name.charCodeAt(written);
        if (c >= 0x80) break;
        u8[namesAt + n + written] = c;
      }
      if (written < name.length) written = utf8.encodeInto(name, u8.subarray(namesAt + n, namesAt + nameBytes)).written;
      f64[s++] = n;
      f64[s++] = written;
      n += written;
    } else {
      f64[s++] = -1;
      f64[s++] = 0;
    }
    let l3 = r.l3proto ?? -1;
    if (typeof l3 === 'string') {
      const f = familyNumber(l3);
      if (f === undefined) throw usage('ERR_UNKNOWN_FAMILY', 'family', `${l3} is not inet or inet6`, index, requests.length);
      l3 = f;
    }
    f64[s++] = l3;
    const proto = r.l4proto === undefined ? undefined : findProtocol(r.l4proto);
    if (typeof r.l4proto === 'string' && proto === undefined) {
      throw usage('ERR_UNKNOWN_PROTOCOL', 'protocol', `${r.l4proto} has no conntrack timeout table; known: ${protocolNames().join(', ')}`, index, requests.length);
    }
    f64[s++] = proto?.number ?? (typeof r.l4proto === 'number' ? r.l4proto : -1);
    if (r.timeouts === undefined && r.rawTimeouts === undefined) {
      f64[s++] = -1;
      continue;
    }
    const countAt = s++;
    let count = 0;
    const timeouts = r.timeouts;
    if (timeouts !== undefined) {
      const names = proto === undefined ? undefined : STATE_NAMES[proto.number];
      const attrs = proto === undefined ? undefined : STATE_ATTRS[proto.number];
      let next = 0;
      for (const state in timeouts) {
        if (count === MAX_STATES) {
          throw usage('ERR_UNKNOWN_STATE', 'timeouts', `more than the ${MAX_STATES} states any protocol has`, index, requests.length);
        }
        const value = timeouts[state];
        // States usually come in table order: try the next one before a lookup.
        const attr = names?.[next] === state ? next + 1 : (attrs?.get(state) ?? attrs?.get(state.toUpperCase()));
        if (attr === undefined) {
          const valid = proto ? proto.states.map((x) => x.name).join(', ') : 'none without a protocol';
          throw usage('ERR_UNKNOWN_STATE', `timeouts.${state}`, `not a state of ${proto?.name ?? 'this request'} (valid: ${valid})`, index, requests.length);
        }
        if (typeof value !== 'number') {
          throw usage('ERR_VALUE_RANGE', `timeouts.${state.toUpperCase()}`, `${String(value)} is not a number of seconds`, index, requests.length);
        }
        next = attr;
        f64[s++] = attr;
        f64[s++] = value;
        count++;
      }
    }
    for (const [attr, value] of r.rawTimeouts ?? []) {
      f64[s++] = attr;
      f64[s++] = value;
      count++;
    }
    f64[countAt] = count;
  }
  const len = glue.encodeInput(s - specAt, n);
  if (len < 0) {
    const e = JSON.parse(glue.lastError()) as { code: string; index: number; field: string; message: string };
    throw usage(e.code, e.field, e.message, e.index, requests.length);
  }
  const at = glue.outputPtr();
  const out = take(len);
  out.set(memoryViews(memory).u8.subarray(at, at + len));
  return out;
}

/** Encodes one request. */
export function encodeRequest(request: RequestSpec, options: EncodeOptions = {}): Uint8Array {
  return encodeBatch([request], options);
}
