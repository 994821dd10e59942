// pcap capture: every datagram sent and received lands in a LINKTYPE_NETLINK file that tshark
// reads as netlink-netfilter, and tshark and the codec decode it to the same messages.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode } from '../../packages/cttimeout/src/codec/node.js';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { TCP, captured, defaultGet, dumpPolicies, getPolicy, newPolicy } from '../helpers/netlink.js';
import { useNetns, useTmpDir } from '../helpers/netns.js';

const ns = useNetns();
const dir = useTmpDir('cttimeout-capture-');

interface Record {
  direction: number;
  arphrd: number;
  protocol: number;
  bytes: Uint8Array;
}

/** Reads a pcap file: checks the global header, returns the records. */
function readPcap(file: string): Record[] {
  const b = readFileSync(file);
  expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
  expect(b.readUInt32LE(20)).toBe(253); // LINKTYPE_NETLINK
  const out: Record[] = [];
  for (let at = 24; at < b.length; ) {
    const incl = b.readUInt32LE(at + 8);
    const rec = b.subarray(at + 16, at + 16 + incl);
    out.push({ direction: rec.readUInt16BE(0), arphrd: rec.readUInt16BE(2), protocol: rec.readUInt16BE(14), bytes: new Uint8Array(rec.subarray(16)) });
    at += 16 + incl;
  }
  return out;
}

async function session(file: string, name: string) {
  const t = await NetlinkTransport.open({ netns: ns.path, capture: file });
  await t.request(newPolicy(name, TCP, [[3, 100]]));
  await t.request(getPolicy(name));
  await t.request(captured('G.request')).catch(() => {}); // ENOENT
  await t.request(defaultGet(TCP));
  await t.request(dumpPolicies());
  await t.request(captured('M.einval.request')).catch(() => {}); // EINVAL + extended ACK
  const port = t.portId;
  await t.close();
  return port;
}

describe('pcap capture', () => {
  it('records every datagram with the cooked header, in both directions', async () => {
    const file = join(dir, 'session.pcap');
    const port = await session(file, 'cap-tcp');
    const recs = readPcap(file);
    // probe + 6 requests out; each answered by 1-2 datagrams
    expect(recs.filter((r) => r.direction === 4)).toHaveLength(7);
    expect(recs.filter((r) => r.direction === 0).length).toBeGreaterThanOrEqual(7);
    for (const r of recs) expect([r.arphrd, r.protocol]).toEqual([824, 12]);
    const replies = recs.filter((r) => r.direction === 0).flatMap((r) => decode(r.bytes).messages);
    expect(replies.every((m) => m.header.pid === port)).toBe(true);
    expect(replies.map((m) => m.kind)).toContain('error');
  });

  it('tshark reads it as netlink-netfilter and agrees with the codec on every message', async () => {
    const file = join(dir, 'tshark.pcap');
    await session(file, 'cap-tcp2');
    const recs = readPcap(file);
    const out = execFileSync(
      'tshark',
      [
        '-r',
        file,
        '-T',
        'fields',
        '-E',
        'separator=|',
        '-e',
        'frame.protocols',
        '-e',
        'netlink.hdr_len',
        '-e',
        'netlink.hdr_type',
        '-e',
        'netlink.hdr_seq',
        '-e',
        'netlink.hdr_pid',
        '-e',
        'netlink.error',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    ).toString();
    const frames = out
      .trimEnd()
      .split('\n')
      .map((l) => l.split('|'));
    expect(frames).toHaveLength(recs.length);
    frames.forEach(([protocols, len, type, seq, pid, error], i) => {
      const d = decode(recs[i]!.bytes);
      if (d.error) {
        // the one request the codec refuses on purpose: §7.M's 32-character name
        expect([d.error.code, recs[i]!.direction]).toEqual(['ERR_NAME_TOO_LONG', 4]);
        return;
      }
      // tshark lists each message's header, then for ACK/ERROR the echoed request header
      const headers = d.messages.flatMap((m) => (m.kind === 'ack' || m.kind === 'error' ? [m.header, m.request] : [m.header]));
      expect(len).toBe(headers.map((h) => h.len).join(','));
      expect(type).toBe(headers.map((h) => `0x${h.type.toString(16).padStart(4, '0')}`).join(','));
      expect(seq).toBe(headers.map((h) => h.seq).join(','));
      expect(pid).toBe(headers.map((h) => h.pid).join(','));
      const errors = d.messages.flatMap((m) => (m.kind === 'ack' ? [0] : m.kind === 'error' ? [-m.errno] : []));
      expect(error ?? '').toBe(errors.join(','));
      if (d.messages.some((m) => m.kind === 'timeout')) expect(protocols).toContain('netlink-netfilter');
    });
    expect(frames.some(([p]) => p!.includes('netlink-netfilter'))).toBe(true);
  });

  it('CTTIMEOUT_CAPTURE turns capture on; sockets naming the same file share it', async () => {
    const file = join(dir, 'env.pcap');
    process.env.CTTIMEOUT_CAPTURE = file;
    let a: NetlinkTransport | undefined;
    let b: NetlinkTransport | undefined;
    try {
      a = await NetlinkTransport.open({ netns: ns.path });
      b = await NetlinkTransport.open({ netns: ns.path });
      await a.request(getPolicy('cap-tcp'));
      await b.request(getPolicy('cap-tcp'));
    } finally {
      delete process.env.CTTIMEOUT_CAPTURE;
      await a?.close();
      await b?.close();
    }
    const ports = new Set(
      readPcap(file)
        .filter((r) => r.direction === 0)
        .flatMap((r) => decode(r.bytes).messages.map((m) => m.header.pid)),
    );
    expect(ports).toEqual(new Set([a!.portId, b!.portId]));
  });

  it('an unwritable capture path is a clear ERR_CAPTURE', async () => {
    await expect(NetlinkTransport.open({ netns: ns.path, capture: '/nonexistent-dir/x.pcap' })).rejects.toMatchObject({ code: 'ERR_CAPTURE' });
  });
});
