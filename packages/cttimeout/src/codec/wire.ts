// What goes on the wire (crates/codec/src/wire.rs): the flag rule, dump detection, one-message
// checks, splitting, the probe and the barrier. The transport frames messages only through
// these, so the rule lives in Rust alone.
import { CtTimeoutError } from '../errors.js';
import { NETLINK } from '../generated/table.js';
import { binding, memoryViews } from './binding.js';
import type { DecodeProblem } from './types.js';

function lastProblem(): DecodeProblem {
  return JSON.parse(binding().glue.lastError()) as DecodeProblem;
}

/**
 * Whether the kernel answers this request as a dump (messages ending with NLMSG_DONE, no ACK):
 * a cttimeout GET with NLM_F_ROOT or NLM_F_MATCH set. A NEW with REPLACE|EXCL is not one.
 */
export function isDump(type: number, flags: number): boolean {
  return binding().glue.isDump(type, flags);
}

/** The flags a request goes out with: NLM_F_REQUEST, and NLM_F_ACK unless it is a dump (as nfct). */
export function wireFlags(type: number, flags: number): number {
  return binding().glue.wireFlags(type, flags);
}

/** Why `bytes` is not exactly one netlink message, or undefined when it is. */
export function checkOneMessage(bytes: Uint8Array): DecodeProblem | undefined {
  const e = binding().glue.checkOneMessage(bytes);
  return e === '' ? undefined : (JSON.parse(e) as DecodeProblem);
}

/**
 * A copy of one request as it goes on the wire: flags by {@link wireFlags}, sequence number
 * `seq`; and whether it is a dump. Throws a CtTimeoutError (source 'usage', code ERR_LENGTH or
 * ERR_TRUNCATED) when `message` is not exactly one message. `inPlace` writes into `message`
 * itself instead (for bytes nobody else holds: a copy is an allocation V8 makes outside its heap).
 */
export function prepareForSend(message: Uint8Array, seq: number, inPlace = false): { bytes: Uint8Array; dump: boolean } {
  const bytes = inPlace ? message : message.slice();
  // Only the header takes part (wire.rs prepare_header): 16 bytes cross, not the message.
  const { glue, memory } = binding();
  const head = Math.min(bytes.length, NETLINK.NLMSG_HDRLEN);
  const at = glue.inputBuffer(NETLINK.NLMSG_HDRLEN);
  const mem = memoryViews(memory).u8;
  for (let i = 0; i < head; i++) mem[at + i] = bytes[i]!;
  const r = glue.prepareInputHeader(bytes.length, seq >>> 0);
  if (r >= 0) for (let i = 0; i < head; i++) bytes[i] = mem[at + i]!;
  else {
    const p = lastProblem();
    throw new CtTimeoutError(p.code, `request: ${p.message}`, { source: 'usage', offset: p.offset });
  }
  return { bytes, dump: r === 1 };
}

/**
 * The messages of a buffer of back-to-back messages (views, no copy), and the problem that
 * stopped the walk, if any (the messages before it are still returned).
 */
export function splitMessages(buf: Uint8Array): { messages: Uint8Array[]; error?: DecodeProblem } {
  const { spans, count, error } = messageSpans(buf);
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) messages.push(buf.subarray(spans[2 * i]!, spans[2 * i]! + spans[2 * i + 1]!));
  return error ? { messages, error } : { messages };
}

/**
 * Where the messages of `buf` are, as (offset, length) pairs: message `i` is
 * `buf.subarray(spans[2i], spans[2i] + spans[2i + 1])`, for `i < count`. For callers that make
 * the views a slice at a time (10,000 views at once are milliseconds of one task).
 */
export function messageSpans(buf: Uint8Array): { spans: Uint32Array; count: number; error?: DecodeProblem } {
  const spans = binding().glue.splitMessages(buf);
  const count = spans.length >> 1;
  return spans.length & 1 ? { spans, count, error: lastProblem() } : { spans, count };
}

/** The probe a transport sends when it opens: a GET of the policy "" to nfnetlink `subsystem` (default 8, cttimeout). */
export function probeRequest(subsystem = 8): Uint8Array {
  return binding().glue.probeRequest(subsystem);
}

/** NLMSG_NOOP, which the kernel always ACKs: its ACK means every earlier request was answered. */
export function barrier(): Uint8Array {
  return binding().glue.barrier();
}
