// The I/O thread's sendmsg pacing (crates/socket/src/pace.rs): the kernel runs every request of
// a sendmsg before it returns, without giving up the CPU, so a datagram whose requests would take
// it long goes out as several sendmsg calls of whole messages, in order. Against the real kernel:
// in a namespace of 10,000 policies each NEW walks the list (tens of µs), so a batch of 256 is
// several sendmsg calls; the capture shows each one, and every request still gets its own reply.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { NEW, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, TCP, getPolicy, messages, newPolicy } from '../helpers/netlink.js';
import { useNetns, useTmpDir } from '../helpers/netns.js';

const ns = useNetns();
const dir = useTmpDir('cttimeout-pacing-');
const POLICIES = 10_000;
const name = (i: number) => `pace${String(i).padStart(5, '0')}`;

/** The datagrams sent (pcap direction 4, outgoing), from a LINKTYPE_NETLINK capture. */
function sentDatagrams(file: string): Uint8Array[] {
  const b = readFileSync(file);
  const out: Uint8Array[] = [];
  for (let at = 24; at < b.length; ) {
    const incl = b.readUInt32LE(at + 8);
    const rec = b.subarray(at + 16, at + 16 + incl);
    if (rec.readUInt16BE(0) === 4) out.push(new Uint8Array(rec.subarray(16)));
    at += 16 + incl;
  }
  return out;
}

it('a batch the kernel is slow to run goes out as several whole-message sendmsg calls, replies matched', { timeout: 120_000 }, async () => {
  const setup = await NetlinkTransport.open({ netns: ns.path });
  try {
    for (let i = 0; i < POLICIES; i += 500) {
      const made = await setup.requestBatch(Array.from({ length: 500 }, (_, j) => newPolicy(name(i + j), TCP, [[3, 100 + j]])));
      expect(made.every((r) => r.status === 'fulfilled')).toBe(true);
    }
  } finally {
    await setup.close();
  }
  const file = join(dir, 'paced.pcap');
  const t = await NetlinkTransport.open({ netns: ns.path, capture: file });
  // Every fourth a name that exists: EEXIST, so each reply must be the one of its own request.
  const batchNames = Array.from({ length: 256 }, (_, i) => (i % 4 === 3 ? name(i * 31) : `more${i}`));
  const flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE;
  let results: Awaited<ReturnType<typeof t.requestBatch>>;
  try {
    results = await t.requestBatch(batchNames.map((n) => newPolicy(n, TCP, [[3, 300]], flags)));
    const back = await t.request(getPolicy('more254'));
    expect(messages(back).filter((m) => m.type === NEW)).toHaveLength(1);
  } finally {
    await t.close();
  }
  expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code))).toEqual(
    batchNames.map((_, i) => (i % 4 === 3 ? 'EEXIST' : 'ok')),
  );
  // The probe at open, then the batch, then the GET: more than one sendmsg, each whole messages, together
  // the 256 requests in order, the first no larger than the pacer's probe (16).
  const [probe, ...batch] = sentDatagrams(file);
  expect(messages([probe!])).toHaveLength(1);
  expect(messages([batch.pop()!])).toHaveLength(1);
  const perSend = batch.map((d) => messages([d]));
  expect(perSend.length).toBeGreaterThan(2);
  expect(perSend[0]!.length).toBeLessThanOrEqual(16);
  const seqs = perSend.flat().map((m) => m.seq);
  expect(seqs).toHaveLength(256);
  expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
});
