// pcap and pcapng with LINKTYPE_NETLINK: files the transport wrote (test/fixtures/capture,
// made by NetlinkTransport's `capture` in a private netns; the .pcapng is editcap's conversion),
// both byte orders, nanosecond magic, pcapng blocks, and errors that name what and where.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode } from '../../packages/cttimeout/src/codec/node.js';
import { readCapture, readPcap, readPcapng, writePcap, type Capture, type Datagram } from '../../packages/cttimeout/src/capture/index.js';
import type { CaptureProblem } from '../../packages/cttimeout/src/capture/types.js';
import { concatBytes } from '../../packages/cttimeout/src/transport/bytes.js';
import { bytes, captures, toHex } from '../helpers/fixtures.js';
import { thrown } from '../helpers/errors.js';

const file = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/capture/${name}`, import.meta.url)));

/** The problem that ended a capture read early (the datagrams before it are kept). */
function stopped(c: Capture): CaptureProblem {
  expect(c.error).toBeDefined();
  return c.error!;
}

const sample: Datagram[] = captures.map((c, i) => ({
  bytes: bytes(c.id),
  direction: c.direction === 'request' ? 'sent' : 'received',
  time: 1795548033 + i / 8,
}));

/** Rewrites a little-endian pcap as big-endian (every header field swapped). */
function toBigEndian(le: Uint8Array, nano = false): Uint8Array {
  const out = le.slice();
  const src = new DataView(le.buffer, le.byteOffset, le.byteLength);
  const dst = new DataView(out.buffer);
  dst.setUint32(0, nano ? 0xa1b23c4d : 0xa1b2c3d4, false);
  dst.setUint16(4, src.getUint16(4, true), false);
  dst.setUint16(6, src.getUint16(6, true), false);
  for (const o of [8, 12, 16, 20]) dst.setUint32(o, src.getUint32(o, true), false);
  for (let at = 24; at < le.length; ) {
    const incl = src.getUint32(at + 8, true);
    for (let k = 0; k < 16; k += 4) dst.setUint32(at + k, src.getUint32(at + k, true) * (nano && k === 4 ? 1000 : 1), false);
    at += 16 + incl;
  }
  return out;
}

// ---- a small pcapng writer for tests ----
function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const len = 12 + ((body.length + 3) & ~3);
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, len, le);
  out.set(body, 8);
  v.setUint32(len - 4, len, le);
  return out;
}
function shb(le: boolean): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x1a2b3c4d, le);
  v.setUint16(4, 1, le);
  v.setBigInt64(8, -1n, le);
  return block(0x0a0d0d0a, b, le);
}
function idb(linkType: number, le: boolean, tsresol?: number, name?: string): Uint8Array {
  const opts: number[] = [];
  const opt = (code: number, data: Uint8Array) => {
    const h = new Uint8Array(4);
    new DataView(h.buffer).setUint16(0, code, le);
    new DataView(h.buffer).setUint16(2, data.length, le);
    opts.push(...h, ...data, ...new Array((4 - (data.length % 4)) % 4).fill(0));
  };
  if (name) opt(2, new TextEncoder().encode(name));
  if (tsresol !== undefined) opt(9, Uint8Array.of(tsresol));
  if (opts.length) opts.push(0, 0, 0, 0);
  const b = new Uint8Array(8 + opts.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, linkType, le);
  v.setUint32(4, 65535, le);
  b.set(opts, 8);
  return block(1, b, le);
}
function cooked(d: Datagram, family = 12): Uint8Array {
  const out = new Uint8Array(16 + d.bytes.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, d.direction === 'sent' ? 4 : 0);
  v.setUint16(2, 824);
  v.setUint16(14, family);
  out.set(d.bytes, 16);
  return out;
}
function epb(iface: number, ts: bigint, data: Uint8Array, le: boolean, orig = data.length): Uint8Array {
  const b = new Uint8Array(20 + ((data.length + 3) & ~3));
  const v = new DataView(b.buffer);
  v.setUint32(0, iface, le);
  v.setUint32(4, Number(ts >> 32n), le);
  v.setUint32(8, Number(ts & 0xffffffffn), le);
  v.setUint32(12, data.length, le);
  v.setUint32(16, orig, le);
  b.set(data, 20);
  return block(6, b, le);
}
function spb(data: Uint8Array, le: boolean): Uint8Array {
  const b = new Uint8Array(4 + ((data.length + 3) & ~3));
  new DataView(b.buffer).setUint32(0, data.length, le);
  b.set(data, 4);
  return block(3, b, le);
}
const cat = (...parts: Uint8Array[]) => concatBytes(parts);

describe('pcap', () => {
  it('reads the file the transport wrote: directions, times, every datagram decodes', () => {
    const r = readCapture(file('transport-session.pcap'));
    expect(r.format).toBe('pcap');
    expect(r.datagrams.length).toBe(23);
    expect(r.datagrams[0]!.direction).toBe('sent');
    expect(r.datagrams[1]!.direction).toBe('received');
    for (const d of r.datagrams) expect(decode(d.bytes).error).toBeUndefined();
    const msgs = r.datagrams.flatMap((d) => decode(d.bytes).messages);
    expect(msgs.filter((m) => m.kind === 'error').map((m) => m.kind === 'error' && m.code)).toEqual(['ENOENT', 'EBUSY', 'ENOENT']); // the transport's probe, the duplicate, the missing name
    expect(msgs.some((m) => m.kind === 'timeout' && m.name === 'web' && m.timeouts?.ESTABLISHED === 7200)).toBe(true);
    const times = r.datagrams.map((d) => d.time!);
    expect(times[0]).toBeGreaterThan(1.7e9);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(r.datagrams[4]!.source).toBe('packet 5');
  });

  it('round-trips every §7 capture through writePcap, little- and big-endian, micro- and nanoseconds', () => {
    const le = writePcap(sample);
    for (const variant of [le, toBigEndian(le), toBigEndian(le, true)]) {
      const r = readPcap(variant);
      expect(r.datagrams.map((d) => toHex(d.bytes))).toEqual(captures.map((c) => c.hex));
      expect(r.datagrams.map((d) => d.direction)).toEqual(sample.map((d) => d.direction));
      r.datagrams.forEach((d, i) => {
        expect(d.time).toBeCloseTo(sample[i]!.time!, 5);
      });
    }
  });

  it('names a wrong link type', () => {
    const b = writePcap(sample.slice(0, 1));
    new DataView(b.buffer).setUint32(20, 1, true);
    const e = thrown(() => readCapture(b));
    expect(e.code).toBe('ERR_CAPTURE_LINKTYPE');
    expect(e.message).toBe('pcap link type is 1 (ETHERNET), not LINKTYPE_NETLINK (253): this is not a netlink capture');
  });

  it('reads the good records of a file cut short, then says which record is cut', () => {
    const b = writePcap(sample.slice(0, 3));
    const cut = readPcap(b.subarray(0, b.length - 5));
    expect(cut.datagrams.map((d) => toHex(d.bytes))).toEqual(sample.slice(0, 2).map((d) => toHex(d.bytes)));
    expect(cut.datagrams.map((d) => decode(d.bytes).error)).toEqual([undefined, undefined]);
    const e = stopped(cut);
    expect(e.code).toBe('ERR_CAPTURE_TRUNCATED');
    const third = 24 + (16 + 16 + sample[0]!.bytes.length) + (16 + 16 + sample[1]!.bytes.length);
    expect(e.offset).toBe(third);
    expect(e.message).toBe(
      `packet 3 at byte ${third}: record says ${16 + sample[2]!.bytes.length} bytes but only ${16 + sample[2]!.bytes.length - 5} are left (the file is cut short)`,
    );
    const e2 = stopped(readPcap(b.subarray(0, third + 7)));
    expect(e2.message).toBe(`packet 3 at byte ${third}: record header needs 16 bytes, only 7 left (the file is cut short)`);
    // Through readCapture too, and a whole file has no error.
    expect(readCapture(b.subarray(0, b.length - 5)).datagrams).toHaveLength(2);
    expect(readPcap(b).error).toBeUndefined();
  });

  it('notes records captured shorter than they were (snaplen)', () => {
    const b = writePcap(sample.slice(0, 1));
    new DataView(b.buffer).setUint32(24 + 12, 16 + 200, true);
    expect(readPcap(b).datagrams[0]!.source).toBe(`packet 1 (captured ${16 + sample[0]!.bytes.length} of 216 bytes)`);
  });

  it('skips other netlink families and refuses a header that is not ARPHRD_NETLINK', () => {
    const b = writePcap(sample.slice(0, 2));
    new DataView(b.buffer).setUint16(24 + 16 + 14, 0); // first record: NETLINK_ROUTE
    const r = readPcap(b);
    expect(r.datagrams).toHaveLength(1);
    expect(r.skipped).toEqual([{ reason: 'netlink family 0, not NETLINK_NETFILTER (12)', count: 1, first: 'packet 1' }]);
    new DataView(b.buffer).setUint16(24 + 16 + 2, 1);
    const bad = readPcap(b);
    expect(bad.datagrams).toEqual([]);
    expect(stopped(bad)).toEqual({
      code: 'ERR_CAPTURE_FORMAT',
      offset: 24,
      message: 'packet 1 at byte 24: cooked header has ARPHRD type 1, not 824 (ARPHRD_NETLINK)',
    });
  });

  it('refuses a binary file that is no capture, naming its first bytes', () => {
    const e = thrown(() => readCapture(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0)));
    expect(e.code).toBe('ERR_CAPTURE_FORMAT');
    expect(e.message).toMatch(/^not a capture: the file starts with 7f 45 4c 46 02 01 01 00/);
  });
});

describe('pcapng', () => {
  it("reads editcap's pcapng conversion of the transport's pcap identically", () => {
    const a = readCapture(file('transport-session.pcap'));
    const b = readCapture(file('transport-session.pcapng'));
    expect(b.format).toBe('pcapng');
    expect(b.datagrams.map((d) => [toHex(d.bytes), d.direction])).toEqual(a.datagrams.map((d) => [toHex(d.bytes), d.direction]));
    b.datagrams.forEach((d, i) => {
      expect(d.time).toBeCloseTo(a.datagrams[i]!.time!, 5);
    });
  });

  for (const le of [true, false]) {
    it(`reads SHB/IDB/EPB/SPB ${le ? 'little' : 'big'}-endian, if_tsresol, if_name, several interfaces`, () => {
      const d0 = sample[0]!;
      const d1 = sample[1]!;
      const f = cat(
        shb(le),
        idb(1, le, undefined, 'eth0'), // interface 0: Ethernet, skipped
        idb(253, le, 9, 'nlmon0'), // interface 1: netlink, nanoseconds
        epb(0, 5n, new Uint8Array(60), le),
        epb(1, 1795548033_123456789n, cooked(d0), le),
        epb(1, 1795548034_000000000n, cooked(d1), le, cooked(d1).length + 8),
        shb(le), // a new section: interfaces restart
        idb(253, le),
        spb(cooked(d0), le),
      );
      const r = readPcapng(f);
      expect(r.datagrams.map((d) => toHex(d.bytes))).toEqual([toHex(d0.bytes), toHex(d1.bytes), toHex(d0.bytes)]);
      expect(r.datagrams.map((d) => d.direction)).toEqual(['sent', 'received', 'sent']);
      expect(r.datagrams[0]!.time).toBeCloseTo(1795548033.1234567, 5);
      expect(r.datagrams[2]!.time).toBeUndefined();
      expect(r.datagrams.map((d) => d.source)).toEqual([
        'packet 2 on nlmon0',
        `packet 3 on nlmon0 (captured ${cooked(d1).length} of ${cooked(d1).length + 8} bytes)`,
        'packet 4',
      ]);
      expect(r.skipped).toEqual([{ reason: 'interface 0 (eth0) has link type 1 (ETHERNET)', count: 1, first: 'packet 1' }]);
    });
  }

  it('names the link type when no interface is netlink', () => {
    const e = thrown(() => readCapture(cat(shb(true), idb(276, true), epb(0, 0n, new Uint8Array(20), true))));
    expect(e.code).toBe('ERR_CAPTURE_LINKTYPE');
    expect(e.message).toBe('no LINKTYPE_NETLINK (253) interface: the packets are of link type 276 (LINUX_SLL2 (Linux cooked v2))');
  });

  it('says which block is cut short or broken', () => {
    const f = cat(shb(true), idb(253, true), epb(0, 0n, cooked(sample[0]!), true));
    const at = f.length - epb(0, 0n, cooked(sample[0]!), true).length;
    const two = cat(f, epb(0, 0n, cooked(sample[1]!), true));
    const cut = readPcapng(two.subarray(0, two.length - 4));
    expect(cut.datagrams.map((d) => toHex(d.bytes))).toEqual([toHex(sample[0]!.bytes)]);
    expect(stopped(cut).offset).toBe(f.length);
    const e = stopped(readPcapng(f.subarray(0, f.length - 4)));
    expect(e.code).toBe('ERR_CAPTURE_TRUNCATED');
    expect(e.message).toBe(`block at byte ${at} (type 0x6): says ${f.length - at} bytes but only ${f.length - at - 4} are left (the file is cut short)`);
    const bad = f.slice();
    new DataView(bad.buffer).setUint32(at + 4, 13, true);
    expect(stopped(readPcapng(bad)).message).toBe(`block at byte ${at} (type 0x6): block length 13 is not a multiple of 4 of at least 12`);
    const noIdb = cat(shb(true), epb(0, 0n, cooked(sample[0]!), true));
    expect(stopped(readPcapng(noIdb)).message).toBe(`packet 1 at byte ${shb(true).length}: interface 0 was never described (no IDB)`);
    // A broken first block is no capture at all.
    const badShb = shb(true).slice();
    new DataView(badShb.buffer).setUint32(8, 0x01020304, true);
    expect(thrown(() => readPcapng(badShb)).message).toBe('section header at byte 0: bad byte-order magic');
  });
});
