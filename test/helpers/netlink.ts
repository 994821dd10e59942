// The netlink part of the test kit: a private namespace with a transport opened in it, and
// cttimeout messages built and read back by hand, independently of the codec (literal on
// purpose: the transport's tests hold the product to PROTOCOL.md, not to its own tables).
import { readdirSync } from 'node:fs';
import { concatBytes } from '../../packages/cttimeout/src/transport/bytes.js';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { captures } from './fixtures.js';
import { privateNetns, useNetns, useOpenedIn, type Netns } from './netns.js';

export { privateNetns, type Netns };

const openTransport = (ns: Netns): Promise<NetlinkTransport> => NetlinkTransport.open({ netns: ns.path });

/**
 * A private network namespace and a transport opened in it, for a whole test file (consts
 * from the top of the file; the transport is closed and the namespace removed after it).
 */
export function useTransport(): { ns: Netns; t: NetlinkTransport } {
  const ns = useNetns();
  const t = useOpenedIn(ns, 'the transport', openTransport, (tr) => tr.close());
  return { ns, t };
}

export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_DUMP = 0x300;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;

export const NEW = 0x0800;
export const GET = 0x0801;
export const DELETE = 0x0802;
export const DEFAULT_SET = 0x0803;
export const DEFAULT_GET = 0x0804;

export function attr(type: number, payload: Uint8Array): Uint8Array {
  const len = 4 + payload.length;
  const out = new Uint8Array((len + 3) & ~3);
  const v = new DataView(out.buffer);
  v.setUint16(0, len, true);
  v.setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}

export const strz = (s: string) => Uint8Array.from([...Buffer.from(s), 0]);
export const u8 = (n: number) => Uint8Array.of(n);
export const be16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
export function be32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** nlmsghdr (seq 0: the transport assigns it) + nfgenmsg + attributes. */
export function message(type: number, flags: number, attrs: Uint8Array[] = [], nfgen = true): Uint8Array {
  const body = concatBytes([...(nfgen ? [new Uint8Array(4)] : []), ...attrs]);
  const out = new Uint8Array(16 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, out.length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  out.set(body, 16);
  return out;
}

export const TCP = 6;
export const UDP = 17;

/** NEW for a policy; `timeouts` are [attribute, seconds] pairs inside CTA_TIMEOUT_DATA. */
export function newPolicy(name: string, l4: number, timeouts: [number, number][] = [], flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, l3 = 2): Uint8Array {
  const data = attr(0x8004, concatBytes(timeouts.map(([a, s]) => attr(a, be32(s)))));
  return message(NEW, flags, [attr(1, strz(name)), attr(2, be16(l3)), attr(3, u8(l4)), data]);
}
export const getPolicy = (name: string) => message(GET, NLM_F_REQUEST | NLM_F_ACK, [attr(1, strz(name))]);
export const dumpPolicies = () => message(GET, NLM_F_REQUEST | NLM_F_DUMP);
export const deletePolicy = (name: string) => message(DELETE, NLM_F_REQUEST | NLM_F_ACK, [attr(1, strz(name))]);
export const flushPolicies = () => message(DELETE, NLM_F_REQUEST | NLM_F_ACK);
export const defaultGet = (l4: number, l3 = 2) => message(DEFAULT_GET, NLM_F_REQUEST | NLM_F_ACK, [attr(2, be16(l3)), attr(3, u8(l4))]);
export function defaultSet(l4: number, timeouts: [number, number][], l3 = 2): Uint8Array {
  return message(DEFAULT_SET, NLM_F_REQUEST | NLM_F_ACK, [
    attr(2, be16(l3)),
    attr(3, u8(l4)),
    attr(0x8004, concatBytes(timeouts.map(([a, s]) => attr(a, be32(s))))),
  ]);
}

/** A captured request from PROTOCOL.md §7 (test/fixtures/protocol-md-captures.json). */
export function captured(id: string): Uint8Array {
  const c = captures.find((x) => x.id === id);
  if (!c) throw new Error(`no capture ${id}`);
  return Uint8Array.from(Buffer.from(c.hex, 'hex'));
}

export interface Msg {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
}

/** Every message of every chunk, with framing checks. */
export function messages(chunks: Uint8Array[]): Msg[] {
  const out: Msg[] = [];
  for (const c of chunks) {
    const v = new DataView(c.buffer, c.byteOffset, c.byteLength);
    let at = 0;
    while (at < c.length) {
      const len = v.getUint32(at, true);
      if (len < 16 || at + len > c.length) throw new Error(`bad nlmsg_len ${len} at ${at}`);
      out.push({
        len,
        type: v.getUint16(at + 4, true),
        flags: v.getUint16(at + 6, true),
        seq: v.getUint32(at + 8, true),
        pid: v.getUint32(at + 12, true),
        payload: c.subarray(at + 16, at + len),
      });
      at += (len + 3) & ~3;
    }
  }
  return out;
}

/** Top-level attributes of a cttimeout message (after nfgenmsg): type -> payload. */
export function attrs(m: Msg): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  const p = m.payload;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  let at = 4;
  while (at + 4 <= p.length) {
    const len = v.getUint16(at, true);
    out.set(v.getUint16(at + 2, true) & 0x3fff, p.subarray(at + 4, at + len));
    at += (len + 3) & ~3;
  }
  return out;
}

/** Nested u32 big-endian timeouts of CTA_TIMEOUT_DATA: attribute -> seconds. */
export function timeouts(m: Msg): Map<number, number> {
  const data = attrs(m).get(4);
  const out = new Map<number, number>();
  if (!data) return out;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at + 8 <= data.length; at += 8) out.set(v.getUint16(at + 2, true), v.getUint32(at + 4));
  return out;
}

export function nameOf(m: Msg): string | undefined {
  const n = attrs(m).get(1);
  return n ? Buffer.from(n.subarray(0, n.indexOf(0))).toString() : undefined;
}

/** Number of open fds and threads of this process. */
export function processCounts(): { fds: number; threads: number } {
  return { fds: readdirSync('/proc/self/fd').length, threads: readdirSync('/proc/self/task').length };
}
