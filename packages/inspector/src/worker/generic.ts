// Messages that are not cttimeout (other nfnetlink subsystems, other netlink families): the
// codec shows their header and raw payload; here the payload gets its generic shape, the
// nfgenmsg header of nfnetlink and the attribute TLVs (nested ones opened when they parse).
import type { InspectNode } from 'cttimeout/codec';
import { hex } from './describe.js';

const NLA_F_NESTED = 0x8000;
const NLA_F_NET_BYTEORDER = 0x4000;

/** A value for an attribute payload of unknown meaning: text, a number or hex. */
function guess(p: Uint8Array, netOrder: boolean): string {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const text = p.length > 1 && p[p.length - 1] === 0 && p.subarray(0, -1).every((c) => c >= 0x20 && c < 0x7f);
  if (text) return JSON.stringify(String.fromCharCode(...p.subarray(0, -1)));
  if (p.length === 1) return String(p[0]);
  if (p.length === 2) return `${v.getUint16(0, !netOrder)}${netOrder ? ' (network order)' : ''}`;
  if (p.length === 4) return `${v.getUint32(0, !netOrder)}${netOrder ? ' (network order)' : ''}`;
  return hex(p);
}

/** Attribute TLVs in b[from, to) (offsets relative to `base`), or undefined when they do not parse. */
function tlvs(b: Uint8Array, from: number, to: number, base: number, depth: number): InspectNode[] | undefined {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: InspectNode[] = [];
  let at = from;
  while (at < to) {
    if (at + 4 > to) return undefined;
    const len = v.getUint16(at, true);
    const type = v.getUint16(at + 2, true);
    if (len < 4 || at + len > to) return undefined;
    const p = b.subarray(at + 4, at + len);
    const nested = (type & NLA_F_NESTED) !== 0 && depth < 8 ? tlvs(b, at + 4, at + len, base, depth + 1) : undefined;
    const flags = `${type & NLA_F_NESTED ? ' | NLA_F_NESTED' : ''}${type & NLA_F_NET_BYTEORDER ? ' | NLA_F_NET_BYTEORDER' : ''}`;
    const node: InspectNode = { label: `attribute ${type & 0x3fff}`, offset: base + at, length: len, children: [
      { label: 'nla_len', offset: base + at, length: 2, value: String(len) },
      { label: 'nla_type', offset: base + at + 2, length: 2, value: `0x${type.toString(16).padStart(4, '0')} type ${type & 0x3fff}${flags}` },
      ...(nested ?? []),
    ] };
    if (!nested && p.length) node.value = guess(p, (type & NLA_F_NET_BYTEORDER) !== 0);
    out.push(node);
    at += (len + 3) & ~3;
  }
  return out;
}

/** Replaces the codec's raw `payload` leaf of a non-cttimeout message with its generic shape. */
export function generic(message: InspectNode, bytes: Uint8Array, base: number): InspectNode {
  const payload = message.children?.find((c) => c.label === 'payload');
  if (!payload) return message;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = v.getUint16(message.offset - base + 4, true);
  const from = payload.offset - base;
  const to = from + payload.length;
  const parts: InspectNode[] = [];
  let at = from;
  if (type >= 0x100 && payload.length >= 4) {
    parts.push({ label: 'nfgenmsg', offset: payload.offset, length: 4, children: [
      { label: 'nfgen_family', offset: payload.offset, length: 1, value: String(bytes[from]) },
      { label: 'version', offset: payload.offset + 1, length: 1, value: String(bytes[from + 1]) },
      { label: 'res_id', offset: payload.offset + 2, length: 2, value: String(v.getUint16(from + 2, false)) },
    ] });
    at += 4;
  }
  const attrs = tlvs(bytes, at, to, base, 0);
  if (attrs) parts.push(...attrs);
  else parts.push({ label: 'payload (not attribute TLVs)', offset: base + at, length: to - at, value: hex(bytes.subarray(at, to)) });
  return { ...message, children: message.children!.flatMap((c) => (c === payload ? parts : [c])) };
}
