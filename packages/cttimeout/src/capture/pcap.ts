// pcap and pcapng files with LINKTYPE_NETLINK (253) records: a 16-byte cooked header (all
// big-endian: packet type, ARPHRD type 824, address length, 8 address bytes, netlink family)
// before the netlink bytes of one datagram (PROTOCOL.md §9).
import type { Capture, Datagram, ReadOptions } from './types.js';
import { captureError, readRecords, SkipLog } from './util.js';

export const LINKTYPE_NETLINK = 253;
const ARPHRD_NETLINK = 824;
const NETLINK_NETFILTER = 12;
const COOKED = 16;

/** Names of the link types people most often hand in by mistake. */
const LINKTYPE_NAMES: Record<number, string> = {
  0: 'NULL (BSD loopback)',
  1: 'ETHERNET',
  101: 'RAW (IP)',
  105: 'IEEE802_11 (Wi-Fi)',
  113: 'LINUX_SLL (Linux cooked)',
  127: 'IEEE802_11_RADIOTAP',
  228: 'IPV4',
  229: 'IPV6',
  253: 'NETLINK',
  276: 'LINUX_SLL2 (Linux cooked v2)',
};

export function linkTypeName(t: number): string {
  return `${t} (${LINKTYPE_NAMES[t] ?? 'unknown'})`;
}

/**
 * Cooked-header packet types: 4 OUTGOING (cttimeout --capture: sent), 0 HOST (received);
 * nlmon uses 7 PACKET_KERNEL (to kernel space: sent) and 6 PACKET_USER (to user space: received).
 */
function directionOf(packetType: number): Datagram['direction'] {
  switch (packetType) {
    case 4:
    case 7:
      return 'sent';
    case 0:
    case 6:
      return 'received';
    default:
      return undefined;
  }
}

/**
 * Checks the cooked header of the record at `at` (length `len`) and returns the datagram, or
 * undefined (and a skip note) for records of other netlink families unless `all` keeps them.
 */
function cooked(b: Uint8Array, at: number, len: number, where: string, recordAt: number, skip: SkipLog, all = false): Datagram | undefined {
  if (len < COOKED) {
    throw captureError('ERR_CAPTURE_TRUNCATED', `${where} at byte ${recordAt}: ${len} bytes, shorter than the 16-byte netlink cooked header`, recordAt);
  }
  const arphrd = (b[at + 2]! << 8) | b[at + 3]!;
  if (arphrd !== ARPHRD_NETLINK) {
    throw captureError(
      'ERR_CAPTURE_FORMAT',
      `${where} at byte ${recordAt}: cooked header has ARPHRD type ${arphrd}, not ${ARPHRD_NETLINK} (ARPHRD_NETLINK)`,
      recordAt,
    );
  }
  const family = (b[at + 14]! << 8) | b[at + 15]!;
  if (family !== NETLINK_NETFILTER && !all) {
    skip.add(`netlink family ${family}, not NETLINK_NETFILTER (12)`, where);
    return undefined;
  }
  const d: Datagram = { bytes: b.subarray(at + COOKED, at + len) };
  if (family !== NETLINK_NETFILTER) d.family = family;
  const direction = directionOf((b[at]! << 8) | b[at + 1]!);
  if (direction !== undefined) d.direction = direction;
  return d;
}

function describeLength(incl: number, orig: number): string {
  return incl < orig ? ` (captured ${incl} of ${orig} bytes)` : '';
}

/** A classic pcap file: both byte orders, microsecond and nanosecond magic. */
export function readPcap(b: Uint8Array, options: ReadOptions = {}): Capture {
  if (b.length < 24) throw captureError('ERR_CAPTURE_TRUNCATED', `pcap global header needs 24 bytes, the file has ${b.length}`, 0);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magicLE = v.getUint32(0, true);
  let le: boolean;
  let nano: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nano = magicLE === 0xa1b23c4d;
  } else {
    const magicBE = v.getUint32(0, false);
    if (magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) throw captureError('ERR_CAPTURE_FORMAT', 'not a pcap file (bad magic)', 0);
    le = false;
    nano = magicBE === 0xa1b23c4d;
  }
  const linkType = v.getUint32(20, le) & 0x0fffffff;
  if (linkType !== LINKTYPE_NETLINK) {
    throw captureError('ERR_CAPTURE_LINKTYPE', `pcap link type is ${linkTypeName(linkType)}, not LINKTYPE_NETLINK (253): this is not a netlink capture`, 20);
  }
  const frac = nano ? 1e9 : 1e6;
  const skip = new SkipLog();
  const datagrams: Datagram[] = [];
  return readRecords('pcap', datagrams, skip, () => {
    let at = 24;
    for (let n = 1; at < b.length; n++) {
      const where = `packet ${n}`;
      if (at + 16 > b.length) {
        throw captureError(
          'ERR_CAPTURE_TRUNCATED',
          `${where} at byte ${at}: record header needs 16 bytes, only ${b.length - at} left (the file is cut short)`,
          at,
        );
      }
      const sec = v.getUint32(at, le);
      const sub = v.getUint32(at + 4, le);
      const incl = v.getUint32(at + 8, le);
      const orig = v.getUint32(at + 12, le);
      if (at + 16 + incl > b.length) {
        throw captureError(
          'ERR_CAPTURE_TRUNCATED',
          `${where} at byte ${at}: record says ${incl} bytes but only ${b.length - at - 16} are left (the file is cut short)`,
          at,
        );
      }
      const d = cooked(b, at + 16, incl, where, at, skip, options.allFamilies);
      if (d) {
        d.time = sec + sub / frac;
        d.source = incl < orig ? where + describeLength(incl, orig) : where;
        datagrams.push(d);
      }
      at += 16 + incl;
    }
  });
}

interface Iface {
  linkType: number;
  /** Timestamp units per second. */
  units: number;
  name?: string;
}

/** A pcapng file: SHB, IDB (per-interface link type, if_tsresol, if_name), EPB, SPB, OPB. */
export function readPcapng(b: Uint8Array, options: ReadOptions = {}): Capture {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const skip = new SkipLog();
  const datagrams: Datagram[] = [];
  const section: Section = { le: true, ifaces: [] };
  const otherLinkTypes = new Set<number>();
  let packets = 0;
  let at = 0;
  if (b.length < 12 || v.getUint32(0, true) !== 0x0a0d0d0a) throw captureError('ERR_CAPTURE_FORMAT', 'not a pcapng file (no section header block)', 0);
  const capture = readRecords('pcapng', datagrams, skip, () => {
    while (at < b.length) {
      const { type, len } = blockAt(v, at, section);
      const body = at + 8;
      const end = at + len - 4;
      if (type === 1) section.ifaces.push(interfaceBlock(v, b, body, end, section.le));
      else if (type === 6 || type === 3 || type === 2) {
        const where = `packet ${++packets}`;
        const p = packetBlock(v, type, body, end, section.le);
        if (p.data + p.incl > end) {
          throw captureError('ERR_CAPTURE_TRUNCATED', `${where} at byte ${at}: says ${p.incl} captured bytes but the block holds only ${end - p.data}`, at);
        }
        const iface = section.ifaces[p.ifIndex];
        if (!iface) throw captureError('ERR_CAPTURE_FORMAT', `${where} at byte ${at}: interface ${p.ifIndex} was never described (no IDB)`, at);
        if (iface.linkType !== LINKTYPE_NETLINK) {
          otherLinkTypes.add(iface.linkType);
          skip.add(`interface ${p.ifIndex}${iface.name ? ` (${iface.name})` : ''} has link type ${linkTypeName(iface.linkType)}`, where);
        } else {
          const d = cooked(b, p.data, p.incl, where, at, skip, options.allFamilies);
          if (d) {
            if (p.ticks !== undefined) d.time = p.ticks / iface.units;
            d.source = `${where}${iface.name ? ` on ${iface.name}` : ''}${describeLength(p.incl, p.orig)}`;
            datagrams.push(d);
          }
        }
      }
      at += len;
    }
  });
  if (datagrams.length === 0 && otherLinkTypes.size > 0) {
    throw captureError(
      'ERR_CAPTURE_LINKTYPE',
      `no LINKTYPE_NETLINK (253) interface: the packets are of link type ${[...otherLinkTypes].map(linkTypeName).join(', ')}`,
    );
  }
  return capture;
}

/** What a pcapng section decides for the blocks after its header: byte order and interfaces. */
interface Section {
  le: boolean;
  ifaces: Iface[];
}

/** The block at `at`, its lengths checked; a section header first sets the byte order. */
function blockAt(v: DataView, at: number, section: Section): { type: number; len: number } {
  const size = v.byteLength;
  if (at + 12 > size) throw captureError('ERR_CAPTURE_TRUNCATED', `block at byte ${at}: a block needs at least 12 bytes, only ${size - at} left`, at);
  if (v.getUint32(at, true) === 0x0a0d0d0a) {
    // Section header: its byte-order magic decides how to read the section.
    const bom = v.getUint32(at + 8, true);
    if (bom === 0x1a2b3c4d) section.le = true;
    else if (bom === 0x4d3c2b1a) section.le = false;
    else throw captureError('ERR_CAPTURE_FORMAT', `section header at byte ${at}: bad byte-order magic`, at);
    section.ifaces = [];
  }
  const le = section.le;
  const type = v.getUint32(at, le);
  const len = v.getUint32(at + 4, le);
  if (len < 12 || len % 4 !== 0) {
    throw captureError(
      'ERR_CAPTURE_FORMAT',
      `block at byte ${at} (type 0x${type.toString(16)}): block length ${len} is not a multiple of 4 of at least 12`,
      at,
    );
  }
  if (at + len > size) {
    throw captureError(
      'ERR_CAPTURE_TRUNCATED',
      `block at byte ${at} (type 0x${type.toString(16)}): says ${len} bytes but only ${size - at} are left (the file is cut short)`,
      at,
    );
  }
  if (v.getUint32(at + len - 4, le) !== len) {
    throw captureError('ERR_CAPTURE_FORMAT', `block at byte ${at}: trailing block length does not match ${len}`, at + len - 4);
  }
  return { type, len };
}

/** An interface description block: link type, then the options if_tsresol (9) and if_name (2). */
function interfaceBlock(v: DataView, b: Uint8Array, body: number, end: number, le: boolean): Iface {
  const iface: Iface = { linkType: v.getUint16(body, le), units: 1e6 };
  for (let o = body + 8; o + 4 <= end; ) {
    const code = v.getUint16(o, le);
    const olen = v.getUint16(o + 2, le);
    if (code === 0 || o + 4 + olen > end) break;
    if (code === 9 && olen >= 1) {
      const r = b[o + 4]!;
      iface.units = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
    } else if (code === 2) {
      iface.name = new TextDecoder().decode(b.subarray(o + 4, o + 4 + olen)).replace(/\0+$/, '');
    }
    o += 4 + ((olen + 3) & ~3);
  }
  return iface;
}

/** An enhanced (6), simple (3) or obsolete (2) packet block: where its data is, and its timestamp in interface units. */
function packetBlock(
  v: DataView,
  type: number,
  body: number,
  end: number,
  le: boolean,
): { ifIndex: number; ticks?: number; data: number; incl: number; orig: number } {
  if (type === 3) {
    // Simple packet block: interface 0, no timestamp; captured length = what fits.
    const orig = v.getUint32(body, le);
    return { ifIndex: 0, data: body + 4, incl: Math.min(orig, end - body - 4), orig };
  }
  return {
    ifIndex: type === 6 ? v.getUint32(body, le) : v.getUint16(body, le),
    ticks: v.getUint32(body + 4, le) * 4294967296 + v.getUint32(body + 8, le),
    data: body + 20,
    incl: v.getUint32(body + 12, le),
    orig: v.getUint32(body + 16, le),
  };
}

/** The file's kind from its first 4 bytes. */
export function sniffBinary(b: Uint8Array): 'pcap' | 'pcapng' | undefined {
  if (b.length < 4) return undefined;
  const m = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  if (m === 0x0a0d0d0a) return 'pcapng';
  if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return 'pcap';
  return undefined;
}

/**
 * Writes datagrams as a LINKTYPE_NETLINK pcap file (little-endian, microseconds), the shape
 * `cttimeout --capture` writes. For tests and for saving what the inspector shows.
 */
export function writePcap(datagrams: readonly Datagram[]): Uint8Array {
  let size = 24;
  for (const d of datagrams) size += 16 + COOKED + d.bytes.length;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 262144, true);
  v.setUint32(20, LINKTYPE_NETLINK, true);
  let at = 24;
  for (const d of datagrams) {
    const t = d.time ?? 0;
    const sec = Math.floor(t);
    const len = COOKED + d.bytes.length;
    v.setUint32(at, sec, true);
    v.setUint32(at + 4, Math.round((t - sec) * 1e6) % 1e6, true);
    v.setUint32(at + 8, len, true);
    v.setUint32(at + 12, len, true);
    v.setUint16(at + 16, d.direction === 'sent' ? 4 : 0);
    v.setUint16(at + 18, ARPHRD_NETLINK);
    v.setUint16(at + 30, NETLINK_NETFILTER);
    out.set(d.bytes, at + 32);
    at += 16 + len;
  }
  return out;
}
