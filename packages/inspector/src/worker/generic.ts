// Messages that are not cttimeout (other nfnetlink subsystems, other netlink families): the
// codec shows their header and raw payload; here the payload gets its generic shape, the
// nfgenmsg header of nfnetlink and the attribute TLVs (nested ones opened when they parse).
import { NLA_F, type InspectNode } from 'cttimeout/codec';
import { hex } from './describe.js';

/** nla_type without its flag bits. */
const TYPE_MASK = ~(NLA_F.NESTED | NLA_F.NET_BYTEORDER) & 0xffff;

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
    const nested = (type & NLA_F.NESTED) !== 0 && depth < 8 ? tlvs(b, at + 4, at + len, base, depth + 1) : undefined;
    const flags = `${type & NLA_F.NESTED ? ' | NLA_F_NESTED' : ''}${type & NLA_F.NET_BYTEORDER ? ' | NLA_F_NET_BYTEORDER' : ''}`;
    const node: InspectNode = {
      label: `attribute ${type & TYPE_MASK}`,
      offset: base + at,
      length: len,
      children: [
        { label: 'nla_len', offset: base + at, length: 2, value: String(len) },
        { label: 'nla_type', offset: base + at + 2, length: 2, value: `0x${type.toString(16).padStart(4, '0')} type ${type & TYPE_MASK}${flags}` },
        ...(nested ?? []),
      ],
    };
    if (!nested && p.length) node.value = guess(p, (type & NLA_F.NET_BYTEORDER) !== 0);
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
    parts.push({
      label: 'nfgenmsg',
      offset: payload.offset,
      length: 4,
      children: [
        { label: 'nfgen_family', offset: payload.offset, length: 1, value: String(bytes[from]) },
        { label: 'version', offset: payload.offset + 1, length: 1, value: String(bytes[from + 1]) },
        { label: 'res_id', offset: payload.offset + 2, length: 2, value: String(v.getUint16(from + 2, false)) },
      ],
    });
    at += 4;
  }
  const attrs = tlvs(bytes, at, to, base, 0);
  if (attrs) parts.push(...attrs);
  else parts.push({ label: 'payload (not attribute TLVs)', offset: base + at, length: to - at, value: hex(bytes.subarray(at, to)) });
  return { ...message, children: message.children!.flatMap((c) => (c === payload ? parts : [c])) };
}

/** Netlink families by number (linux/netlink.h), for captures of every family (nlmon). */
const FAMILIES: Record<number, string> = {
  0: 'NETLINK_ROUTE',
  2: 'NETLINK_USERSOCK',
  4: 'NETLINK_SOCK_DIAG',
  5: 'NETLINK_NFLOG',
  6: 'NETLINK_XFRM',
  7: 'NETLINK_SELINUX',
  8: 'NETLINK_ISCSI',
  9: 'NETLINK_AUDIT',
  10: 'NETLINK_FIB_LOOKUP',
  11: 'NETLINK_CONNECTOR',
  12: 'NETLINK_NETFILTER',
  13: 'NETLINK_IP6_FW',
  14: 'NETLINK_DNRTMSG',
  15: 'NETLINK_KOBJECT_UEVENT',
  16: 'NETLINK_GENERIC',
  18: 'NETLINK_SCSITRANSPORT',
  19: 'NETLINK_ECRYPTFS',
  20: 'NETLINK_RDMA',
  21: 'NETLINK_CRYPTO',
  22: 'NETLINK_SMC',
};
export const familyName = (f: number) => FAMILIES[f] ?? `netlink family ${f}`;
/** The list's type of such a message: 'route 18'. */
export const otherLabel = (family: number, type: number) =>
  `${familyName(family)
    .replace(/^NETLINK_/, '')
    .toLowerCase()} ${type}`;

/** One message of another netlink family: where it is and its header. */
export interface OtherMessage {
  offset: number;
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** Splits a datagram of another family into messages by their nlmsghdr (stops at a bad length). */
export function splitOther(b: Uint8Array): { messages: OtherMessage[]; stop?: number } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const messages: OtherMessage[] = [];
  let at = 0;
  while (at + 16 <= b.length) {
    const len = v.getUint32(at, true);
    if (len < 16 || at + len > b.length) return { messages, stop: at };
    messages.push({
      offset: at,
      len,
      type: v.getUint16(at + 4, true),
      flags: v.getUint16(at + 6, true),
      seq: v.getUint32(at + 8, true),
      pid: v.getUint32(at + 12, true),
    });
    at += (len + 3) & ~3;
  }
  return at < b.length ? { messages, stop: at } : { messages };
}

/** The field tree of such a message: nlmsghdr, then its payload as TLVs when it parses so. */
export function otherTree(b: Uint8Array, m: OtherMessage, family: number): InspectNode {
  const o = m.offset;
  const hdr: InspectNode = {
    label: 'nlmsghdr',
    offset: o,
    length: 16,
    children: [
      { label: 'nlmsg_len', offset: o, length: 4, value: String(m.len) },
      { label: 'nlmsg_type', offset: o + 4, length: 2, value: `0x${m.type.toString(16).padStart(4, '0')}` },
      { label: 'nlmsg_flags', offset: o + 6, length: 2, value: `0x${m.flags.toString(16).padStart(4, '0')}` },
      { label: 'nlmsg_seq', offset: o + 8, length: 4, value: String(m.seq) },
      { label: 'nlmsg_pid', offset: o + 12, length: 4, value: String(m.pid) },
    ],
  };
  const attrs = m.len > 16 ? tlvs(b, o + 16, o + m.len, 0, 0) : [];
  const payload: InspectNode[] = attrs ?? [
    { label: 'payload (family header and attributes, not decoded)', offset: o + 16, length: m.len - 16, value: hex(b.subarray(o + 16, o + m.len)) },
  ];
  return { label: `${familyName(family)} message type ${m.type}`, offset: o, length: m.len, children: [hdr, ...payload] };
}
