// Reads the decode tape written by crates/codec/src/tape.rs (layout documented there), in
// place in WebAssembly memory, into the objects of types.ts. Policies come as fixed u32
// records built here without JSON (kernel replies, which carry every field and state, in a
// single object literal); rarer messages come as JSON text from the Rust side. A test checks
// that both paths give the objects Rust's JSON gives, over every fixture and random input.
import { COMMANDS, REC, TAPE, fullTimeouts } from '../generated/table.js';
import { FAMILY_NAMES, PROTOCOL_BY_NUMBER, STATE_NAMES } from './tables.js';
import type { DecodedMessage, DecodeResult, Family, Header, ProtocolName, TimeoutMessage } from './types.js';

const utf8 = new TextDecoder();

const fromCodes = String.fromCharCode;

/**
 * Bytes below 0x80 as a string. Eight and four characters per `fromCharCode`: one call per
 * character was 40 ns for an 8-character name, 15 ns this way (a string per call either way;
 * TextDecoder costs ~75 ns for so few bytes).
 */
function asciiString(b: Uint8Array, off: number, len: number): string {
  let s = '';
  let i = off;
  const end = off + len;
  for (; i + 8 <= end; i += 8) s += fromCodes(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);
  if (i + 4 <= end) {
    s += fromCodes(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
    i += 4;
  }
  for (; i < end; i++) s += fromCodes(b[i]!);
  return s;
}

/**
 * `w[base]` starts the tape; `mem` views the same memory as bytes (for the text); names are
 * read from `datagram`.
 */
export function readTape(w: Uint32Array, base: number, mem: Uint8Array, datagram: Uint8Array): DecodeResult {
  const end = base + w[base]!;
  const textAt = end * 4;
  const text = (r: number): unknown =>
    JSON.parse(utf8.decode(mem.subarray(textAt + w[r + REC.TEXT_OFFSET]!, textAt + w[r + REC.TEXT_OFFSET]! + w[r + REC.TEXT_LEN]!)));
  const messages: DecodedMessage[] = [];
  const out: DecodeResult = { messages };
  let i = base + 2;
  while (i < end) {
    const kind = w[i]!;
    if (kind === TAPE.KIND_TIMEOUT) {
      const m = timeoutRecord(w, i, datagram);
      i += TAPE.TIMEOUT_FIXED_WORDS + popcount(w[i + REC.STATE_MASK]!);
      // then the extras (JSON text: unknown attributes), usually empty
      const extrasLen = w[i + 1]!;
      if (extrasLen !== 0) Object.assign(m, JSON.parse(utf8.decode(mem.subarray(textAt + w[i]!, textAt + w[i]! + extrasLen))));
      i += 2;
      messages.push(m);
    } else if (kind === TAPE.KIND_JSON) {
      messages.push(text(i) as DecodedMessage);
      i += REC.TEXT_WORDS;
    } else if (kind === TAPE.KIND_ERROR) {
      out.error = text(i) as DecodeResult['error'];
      i += REC.TEXT_WORDS;
    } else {
      throw new Error(`corrupt decode tape: record kind ${kind} at word ${i - base}`);
    }
  }
  return out;
}

/** Set bits of a u32 (SWAR: no loop over the usual 11 of a TCP policy). */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** The message of the TIMEOUT record at `r` (without its extras). */
function timeoutRecord(w: Uint32Array, r: number, datagram: Uint8Array): TimeoutMessage {
  const typeFlags = w[r + REC.TYPE_FLAGS]!;
  const nf = w[r + REC.CMD_NFGEN]!;
  const header: Header = { len: w[r + REC.LEN]!, type: typeFlags & 0xffff, flags: typeFlags >>> 16, seq: w[r + REC.SEQ]!, pid: w[r + REC.PID]! };
  const command = COMMANDS[nf & 0xff] ?? null;
  const nfgen = { family: (nf >>> 8) & 0xff, version: (nf >>> 16) & 0xff, resId: w[r + REC.RES_ID]! };
  const present = w[r + REC.PRESENT]!;
  const l3 = w[r + REC.L3PROTO]!;
  const l4 = w[r + REC.L4PROTO]!;
  const mask = w[r + REC.STATE_MASK]!;
  const family = FAMILY_NAMES[l3];
  const protocol = PROTOCOL_BY_NUMBER[l4];
  const offset = w[r + REC.OFFSET]!;
  const values = r + TAPE.TIMEOUT_FIXED_WORDS;
  const full = protocol !== undefined && mask === (1 << protocol.states.length) - 1;
  if (present === TAPE.PRESENT_ALL && family !== undefined && full) {
    // A kernel reply: every field, every state, a known family: one object literal.
    return {
      kind: 'timeout',
      offset,
      header,
      command,
      nfgen,
      name: asciiString(datagram, w[r + REC.NAME_OFFSET]!, w[r + REC.NAME_LEN]!),
      l3proto: l3,
      family: family as Family,
      l4proto: l4,
      protocol: protocol.name as ProtocolName,
      use: w[r + REC.USE]!,
      timeouts: fullTimeouts(l4, w, values)!,
    };
  }
  const m: TimeoutMessage = { kind: 'timeout', offset, header, command, nfgen };
  if (present & TAPE.PRESENT_NAME) m.name = recordName(datagram, present, w[r + REC.NAME_OFFSET]!, w[r + REC.NAME_LEN]!);
  if (present & TAPE.PRESENT_L3PROTO) {
    m.l3proto = l3;
    if (family !== undefined) m.family = family as Family;
  }
  if (present & TAPE.PRESENT_L4PROTO) {
    m.l4proto = l4;
    if (protocol !== undefined) m.protocol = protocol.name as ProtocolName;
  }
  if (present & TAPE.PRESENT_USE) m.use = w[r + REC.USE]!;
  if (present & TAPE.PRESENT_DATA) m.timeouts = full ? fullTimeouts(l4, w, values)! : someTimeouts(STATE_NAMES[l4]!, mask, w, values);
  return m;
}

/** A name: ASCII read directly, other UTF-8 decoded, anything else kept as its bytes. */
function recordName(datagram: Uint8Array, present: number, off: number, len: number): string | Uint8Array {
  if (present & TAPE.PRESENT_NAME_ASCII) return asciiString(datagram, off, len);
  if (present & TAPE.PRESENT_NAME_BYTES) return datagram.slice(off, off + len);
  return utf8.decode(datagram.subarray(off, off + len));
}

/** The states whose bits are set in `mask`, from consecutive words at `i`. */
function someTimeouts(names: readonly string[], mask: number, w: Uint32Array, i: number): Record<string, number> {
  const t: Record<string, number> = {};
  for (let attr = 0, bits = mask; bits !== 0; attr++, bits >>>= 1) {
    if (bits & 1) t[names[attr]!] = w[i++]!;
  }
  return t;
}
