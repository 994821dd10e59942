// The little netlink framing the transport needs. These belong in the codec (issue 9); they
// live here, in one place, until the codec exports them.
const NLM_F_REQUEST = 0x01;
const NLM_F_ACK = 0x04;
/** NLM_F_ROOT | NLM_F_MATCH: the kernel dumps when either is set on a GET. */
const NLM_F_DUMP = 0x300;
const NLMSG_NOOP = 1;
const NFNL_SUBSYS_CTNETLINK_TIMEOUT = 8;
const IPCTNL_MSG_TIMEOUT_GET = 1;
export const ENOBUFS = 105;
export const EINVAL = 22;
export const EPERM = 1;

function readU32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/**
 * Cuts a buffer of back-to-back messages at their nlmsg_len (views, no copy). A malformed tail
 * becomes one last piece, which checkMessage() then rejects.
 */
export function splitMessages(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < buf.length) {
    const len = buf.length - at >= 16 ? readU32(buf, at) : 0;
    if (len < 16 || at + len > buf.length) {
      out.push(buf.subarray(at));
      break;
    }
    out.push(buf.subarray(at, at + len));
    at += (len + 3) & ~3;
  }
  return out;
}

/** Why `message` is not exactly one netlink message, or undefined if it is. */
export function checkMessage(message: unknown): string | undefined {
  if (!(message instanceof Uint8Array)) return 'the message must be a Uint8Array';
  if (message.length >= 16 && readU32(message, 0) === message.length) return undefined;
  return `expected exactly one netlink message (nlmsg_len = byte length, at least 16); got ${message.length} bytes with nlmsg_len ${message.length >= 4 ? readU32(message, 0) : 'missing'}`;
}

export const messageType = (m: Uint8Array): number => m[4]! | (m[5]! << 8);
const messageFlags = (m: Uint8Array): number => m[6]! | (m[7]! << 8);

/** A cttimeout GET with NLM_F_ROOT or NLM_F_MATCH: answered by a dump ending in NLMSG_DONE. */
export function isDump(m: Uint8Array): boolean {
  return messageType(m) === ((NFNL_SUBSYS_CTNETLINK_TIMEOUT << 8) | IPCTNL_MSG_TIMEOUT_GET) && (messageFlags(m) & NLM_F_DUMP) !== 0;
}

/**
 * A copy of `m` ready for the wire: sequence number `seq`, NLM_F_REQUEST, and NLM_F_ACK unless
 * it is a dump (the kernel ends a dump with DONE and ignores ACK there, and nfct sends none), so
 * every request has a recognisable last reply.
 */
export function prepareForSend(m: Uint8Array, seq: number): Uint8Array {
  const bytes = m.slice();
  const v = new DataView(bytes.buffer);
  v.setUint16(6, messageFlags(m) | NLM_F_REQUEST | (isDump(m) ? 0 : NLM_F_ACK), true);
  v.setUint32(8, seq, true);
  return bytes;
}

/** A GET of the policy named "" to `subsystem`: ENOENT (or the policy) if cttimeout is there. */
export function probeRequest(subsystem = NFNL_SUBSYS_CTNETLINK_TIMEOUT): Uint8Array {
  const b = new Uint8Array(28);
  const v = new DataView(b.buffer);
  v.setUint32(0, 28, true);
  v.setUint16(4, (subsystem << 8) | IPCTNL_MSG_TIMEOUT_GET, true);
  v.setUint16(6, NLM_F_REQUEST | NLM_F_ACK, true);
  v.setUint16(20, 5, true); // CTA_TIMEOUT_NAME, len 5: "\0" + 3 bytes padding
  v.setUint16(22, 1, true);
  return b;
}

/** An NLMSG_NOOP, which the kernel always ACKs in order: it marks a point in the reply stream. */
export function barrier(): Uint8Array {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint32(0, 16, true);
  b[4] = NLMSG_NOOP;
  return b;
}

/** The parts back to back in one new buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
