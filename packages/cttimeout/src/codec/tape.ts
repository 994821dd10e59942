// Reads the decode tape written by crates/codec/src/tape.rs (layout documented there), in
// place in WebAssembly memory, into the objects of types.ts. Policies come as fixed u32
// records built here without JSON (kernel replies, which carry every field and state, in a
// single object literal); rarer messages come as JSON text from the Rust side. A test checks
// that both paths give the objects Rust's JSON gives, over every fixture and random input.
import { COMMANDS, TAPE, fullTimeouts } from '../generated/table.js';
import { FAMILY_BY_NUMBER, PROTOCOL_BY_NUMBER, STATE_NAMES } from './tables.js';
import type { DecodedMessage, DecodeResult, Family, Header, ProtocolName, TimeoutMessage } from './types.js';

const utf8 = new TextDecoder();
const ALL = TAPE.PRESENT_NAME | TAPE.PRESENT_L3PROTO | TAPE.PRESENT_L4PROTO | TAPE.PRESENT_USE | TAPE.PRESENT_DATA | TAPE.PRESENT_NAME_ASCII;

function asciiString(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * `w[base]` starts the tape; `mem` views the same memory as bytes (for the text); names are
 * read from `datagram`.
 */
export function readTape(w: Uint32Array, base: number, mem: Uint8Array, datagram: Uint8Array): DecodeResult {
  const end = base + w[base]!;
  const textAt = end * 4;
  const text = (off: number, len: number): string => utf8.decode(mem.subarray(textAt + off, textAt + off + len));
  const messages: DecodedMessage[] = [];
  const out: DecodeResult = { messages };
  let i = base + 2;
  while (i < end) {
    const kind = w[i]!;
    if (kind === TAPE.KIND_TIMEOUT) {
      const typeFlags = w[i + 3]!;
      const nf = w[i + 6]!;
      const header: Header = { len: w[i + 2]!, type: typeFlags & 0xffff, flags: typeFlags >>> 16, seq: w[i + 4]!, pid: w[i + 5]! };
      const command = COMMANDS[nf & 0xff] ?? null;
      const nfgen = { family: (nf >>> 8) & 0xff, version: (nf >>> 16) & 0xff, resId: w[i + 7]! };
      const present = w[i + 8]!;
      const l3 = w[i + 11]!;
      const l4 = w[i + 12]!;
      const mask = w[i + 14]!;
      const family = FAMILY_BY_NUMBER.get(l3);
      const protocol = PROTOCOL_BY_NUMBER[l4];
      const offset = w[i + 1]!;
      i += TAPE.TIMEOUT_FIXED_WORDS;
      let m: TimeoutMessage;
      const full = protocol !== undefined && mask === (1 << protocol.states.length) - 1;
      if (present === ALL && family !== undefined && full) {
        // A kernel reply: every field, every state, a known family.
        m = {
          kind: 'timeout',
          offset,
          header,
          command,
          nfgen,
          name: asciiString(datagram, w[i - 6]!, w[i - 5]!),
          l3proto: l3,
          family: family as Family,
          l4proto: l4,
          protocol: protocol.name as ProtocolName,
          use: w[i - 2]!,
          timeouts: fullTimeouts(l4, w, i)!,
        };
        i += protocol.states.length;
      } else {
        m = { kind: 'timeout', offset, header, command, nfgen };
        if (present & TAPE.PRESENT_NAME) {
          const off = w[i - 6]!;
          const len = w[i - 5]!;
          m.name = present & TAPE.PRESENT_NAME_ASCII ? asciiString(datagram, off, len) : utf8.decode(datagram.subarray(off, off + len));
        }
        if (present & TAPE.PRESENT_L3PROTO) {
          m.l3proto = l3;
          if (family !== undefined) m.family = family as Family;
        }
        if (present & TAPE.PRESENT_L4PROTO) {
          m.l4proto = l4;
          if (protocol !== undefined) m.protocol = protocol.name as ProtocolName;
        }
        if (present & TAPE.PRESENT_USE) m.use = w[i - 2]!;
        if (present & TAPE.PRESENT_DATA) {
          if (full) {
            m.timeouts = fullTimeouts(l4, w, i)!;
            i += protocol.states.length;
          } else {
            const names = STATE_NAMES[l4]!;
            const t: Record<string, number> = {};
            for (let attr = 0, bits = mask; bits !== 0; attr++, bits >>>= 1) {
              if (bits & 1) t[names[attr]!] = w[i++]!;
            }
            m.timeouts = t;
          }
        }
      }
      const extrasLen = w[i + 1]!;
      if (extrasLen !== 0) Object.assign(m, JSON.parse(text(w[i]!, extrasLen)));
      i += 2;
      messages.push(m);
    } else if (kind === TAPE.KIND_JSON) {
      messages.push(JSON.parse(text(w[i + 1]!, w[i + 2]!)) as DecodedMessage);
      i += 3;
    } else if (kind === TAPE.KIND_ERROR) {
      out.error = JSON.parse(text(w[i + 1]!, w[i + 2]!));
      i += 3;
    } else {
      throw new Error(`corrupt decode tape: record kind ${kind} at word ${i - base}`);
    }
  }
  return out;
}
