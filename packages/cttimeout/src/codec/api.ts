import { CtTimeoutError, type ErrorCode } from '../errors.js';
import { OPS, TAPE } from '../generated/table.js';
import { binding, memoryViews } from './binding.js';
import { familyNumber, findProtocol, MAX_STATES, protocolNames, STATE_ATTRS, STATE_NAMES } from './tables.js';
import { loneSurrogate, writeNameUtf8 } from './name.js';
import { readTape } from './tape.js';
import type { DecodeResult, EncodeOptions, Family, InspectTree, RequestSpec } from './types.js';

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
 * The names the inspector tree gives a message type and its flags, e.g.
 * `headerNames(0x0800, 0x0405)` → `{ type: 'IPCTNL_MSG_TIMEOUT_NEW', flags: ['REQUEST', 'ACK', 'CREATE'] }`.
 * Flag names depend on the type (GET requests: ROOT/MATCH; NEW: REPLACE/EXCL/CREATE; errors: CAPPED/ACK_TLVS).
 */
export function headerNames(type: number, flags: number): { type: string; flags: string[] } {
  return JSON.parse(binding().glue.headerNames(type, flags)) as { type: string; flags: string[] };
}

/**
 * nfct's text for every policy or defaults message in the datagram, one block each, as `nfct`
 * prints them (without the newline nfct adds after each). A name that is not UTF-8 shows as
 * U+FFFD here: output that must be nfct's bytes uses {@link formatNfctBytes}.
 */
export function formatNfct(bytes: Uint8Array): { blocks: string[]; error?: DecodeResult['error'] } {
  return JSON.parse(binding().glue.formatNfct(bytes)) as { blocks: string[]; error?: DecodeResult['error'] };
}

const utf8Decoder = new TextDecoder();

/**
 * Exactly the bytes nfct writes for the datagram's policy and defaults messages: each block and
 * its newline, names as their raw bytes. `error` says where decoding stopped, if it did.
 */
export function formatNfctBytes(bytes: Uint8Array): { text: Uint8Array; error?: DecodeResult['error'] } {
  const out = binding().glue.formatNfctBytes(bytes);
  const len = new DataView(out.buffer, out.byteOffset, 4).getUint32(0, true);
  const text = out.subarray(4, 4 + len);
  if (out.length === 4 + len) return { text };
  return { text, error: JSON.parse(utf8Decoder.decode(out.subarray(4 + len))) as DecodeResult['error'] };
}

function usage(code: ErrorCode, field: string, message: string, index: number, count: number): CtTimeoutError {
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

let lastOp: unknown;
let lastOpNumber: number | undefined;
let lastFamily: unknown;
let lastFamilyNumber: number | undefined;
let lastProtocol: unknown;
let lastProtocolRow: ReturnType<typeof findProtocol>;

/** A u32, or a CtTimeoutError naming the field: JS numbers cross into WebAssembly as u32. */
function u32(v: unknown, field: string, index: number, count: number): number {
  if (typeof v !== 'number' || v >>> 0 !== v) {
    throw usage('ERR_VALUE_RANGE', field, `${typeof v === 'number' ? v : JSON.stringify(v)} is not an integer in 0..4294967295`, index, count);
  }
  return v;
}

// Where encodeBatch is writing: the spec words and the name bytes in WebAssembly memory.
// Module state, as one encode runs at a time (JS is single-threaded and encode never awaits).
let w: Uint32Array = new Uint32Array(0);
let u8: Uint8Array = new Uint8Array(0);
let s = 0;
let namesAt = 0;
let namesEnd = 0;
let n = 0;

/**
 * Encodes requests back to back into one buffer, ready for a single sendmsg. All or nothing:
 * a bad request throws a CtTimeoutError naming the request and field, and nothing is returned.
 * The spec and names are written straight into WebAssembly memory (layout in tape.rs), where
 * every check but "is it a u32" happens.
 */
export function encodeBatch(requests: readonly RequestSpec[], options: EncodeOptions = {}): Uint8Array {
  const count = requests.length;
  // Room for the spec without walking the timeouts: a protocol has at most MAX_STATES states,
  // so a valid timeouts object has at most that many keys (more is an error below).
  let need = 1;
  let nameBytes = 0;
  for (const r of requests) {
    need += TAPE.ENC_FIXED_WORDS + (r.timeouts !== undefined ? 2 * MAX_STATES : 0) + (r.rawTimeouts !== undefined ? 2 * r.rawTimeouts.length : 0);
    const name = r.name;
    if (typeof name === 'string') nameBytes += name.length * 3;
    else if (name instanceof Uint8Array) nameBytes += name.length;
  }
  const { glue, memory } = binding();
  const specAt = glue.specBuffer(need) >>> 2;
  namesAt = glue.inputBuffer(nameBytes);
  namesEnd = namesAt + nameBytes;
  ({ u32: w, u8 } = memoryViews(memory));
  s = specAt;
  n = 0;
  w[s++] = u32(options.maxSeconds ?? 0xffffffff, 'maxSeconds', 0, 1);
  for (let index = 0; index < count; index++) writeRequest(requests[index]!, index, count);
  const len = glue.encodeInput(s - specAt, n);
  if (len < 0) {
    const e = JSON.parse(glue.lastError()) as { code: ErrorCode; index: number; field: string; message: string };
    throw usage(e.code, e.field, e.message, e.index, count);
  }
  const at = glue.outputPtr();
  const out = take(len);
  out.set(memoryViews(memory).u8.subarray(at, at + len));
  return out;
}

/** Writes one request's spec words (layout in tape.rs). */
function writeRequest(r: RequestSpec, index: number, count: number): void {
  // Requests of a batch mostly share op, family and protocol: remember the last lookups.
  if (r.op !== lastOp) {
    lastOpNumber = OPS[r.op];
    if (lastOpNumber === undefined) throw usage('ERR_UNKNOWN_OP', 'op', `${String(r.op)} is not one of ${Object.keys(OPS).join(', ')}`, index, count);
    lastOp = r.op;
  }
  const at = s;
  let present = 0;
  w[s++] = lastOpNumber!;
  s++; // present, below
  if (r.flags !== undefined) {
    present |= TAPE.ENC_FLAGS;
    w[s++] = u32(r.flags, 'flags', index, count);
  } else w[s++] = 0;
  w[s++] = r.seq === undefined ? 0 : u32(r.seq, 'seq', index, count);
  if (r.name !== undefined) {
    present |= TAPE.ENC_NAME;
    writeName(r.name, index, count);
  } else {
    w[s++] = 0;
    w[s++] = 0;
  }
  if (r.l3proto !== undefined) {
    present |= TAPE.ENC_L3PROTO;
    w[s++] = familyWord(r.l3proto, index, count);
  } else w[s++] = 0;
  if (r.l4proto !== lastProtocol) {
    lastProtocolRow = r.l4proto === undefined ? undefined : findProtocol(r.l4proto);
    lastProtocol = r.l4proto;
  }
  const proto = lastProtocolRow;
  if (r.l4proto !== undefined) {
    present |= TAPE.ENC_L4PROTO;
    if (typeof r.l4proto === 'string' && proto === undefined) {
      throw usage('ERR_UNKNOWN_PROTOCOL', 'protocol', `${r.l4proto} has no conntrack timeout table; known: ${protocolNames().join(', ')}`, index, count);
    }
    w[s++] = proto?.number ?? u32(r.l4proto, 'l4proto', index, count);
  } else w[s++] = 0;
  if (r.timeouts !== undefined || r.rawTimeouts !== undefined) present |= TAPE.ENC_DATA;
  writeTimeouts(r, proto, index, count);
  w[at + 1] = present;
}

/** A name's (offset, length) words, its bytes into the names buffer. */
function writeName(name: unknown, index: number, count: number): void {
  let written = 0;
  if (typeof name === 'string') {
    // A lone surrogate has no UTF-8 form (TextEncoder would make it U+FFFD: another name).
    written = writeNameUtf8(name, u8, namesAt + n, namesEnd);
    if (written < 0) throw usage('ERR_INVALID_NAME', 'name', loneSurrogate(name)!, index, count);
  } else if (name instanceof Uint8Array) {
    u8.set(name, namesAt + n);
    written = name.length;
  } else {
    throw usage('ERR_INVALID_NAME', 'name', `must be a string or a Uint8Array, not ${name === null ? 'null' : typeof name}`, index, count);
  }
  w[s++] = n;
  w[s++] = written;
  n += written;
}

/** The l3proto word for a family name or number. */
function familyWord(l3: Family | number, index: number, count: number): number {
  if (l3 !== lastFamily) {
    lastFamilyNumber = typeof l3 === 'string' ? familyNumber(l3) : l3;
    lastFamily = l3;
  }
  const f = lastFamilyNumber;
  if (f === undefined) throw usage('ERR_UNKNOWN_FAMILY', 'family', `${String(l3)} is not inet or inet6`, index, count);
  return u32(f, 'l3proto', index, count);
}

/** The pair count, then (attr, seconds) per state: named states, then raw ones. */
function writeTimeouts(r: RequestSpec, proto: ReturnType<typeof findProtocol>, index: number, count: number): void {
  // A local cursor in the loop: the module's `s` is a context slot, slower to bump.
  let at = s;
  const countAt = at++;
  let pairs = 0;
  const timeouts = r.timeouts;
  if (timeouts !== undefined) {
    const names = proto === undefined ? undefined : STATE_NAMES[proto.number];
    const attrs = proto === undefined ? undefined : STATE_ATTRS[proto.number];
    let next = 0;
    for (const state in timeouts) {
      if (pairs === MAX_STATES) {
        throw usage('ERR_UNKNOWN_STATE', 'timeouts', `more than the ${MAX_STATES} states any protocol has`, index, count);
      }
      // States usually come in table order: try the next one before a lookup.
      const attr = names?.[next] === state ? next + 1 : (attrs?.get(state) ?? attrs?.get(state.toUpperCase()));
      if (attr === undefined) {
        const valid = proto ? proto.states.map((x) => x.name).join(', ') : 'none without a protocol';
        throw usage('ERR_UNKNOWN_STATE', `timeouts.${state}`, `not a state of ${proto?.name ?? 'this request'} (valid: ${valid})`, index, count);
      }
      next = attr;
      const v = timeouts[state];
      // The check is inlined so the field name is built only for an error.
      if (typeof v !== 'number' || v >>> 0 !== v) u32(v, `timeouts.${names![attr - 1]}`, index, count);
      w[at++] = attr;
      w[at++] = v as number;
      pairs++;
    }
  }
  if (r.rawTimeouts !== undefined) {
    for (const [attr, value] of r.rawTimeouts) {
      w[at++] = u32(attr, 'timeouts', index, count);
      w[at++] = u32(value, 'timeouts', index, count);
      pairs++;
    }
  }
  w[countAt] = pairs;
  s = at;
}

// One reusable array for encodeRequest, so a single request allocates no array; its slot is
// reset to a placeholder afterwards (not emptied: changing an array's length is slow).
const one: RequestSpec[] = [{ op: 'GET' }];
const placeholder: RequestSpec = { op: 'GET' };

/** Encodes one request. */
export function encodeRequest(request: RequestSpec, options: EncodeOptions = {}): Uint8Array {
  one[0] = request;
  try {
    return encodeBatch(one, options);
  } finally {
    one[0] = placeholder;
  }
}
