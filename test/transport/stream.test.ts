// Dumps as streams: the event loop stays responsive while a large dump flows, and a slow
// consumer keeps memory bounded (the transport stops reading, so the kernel stops dumping).
// 20,000 policies fit npm test; bench/transport/dump-100k.mjs runs the 100,000-policy version.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TURN_UNITS } from '../../packages/cttimeout/src/transport/budget.js';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { type Netns, TCP, dumpPolicies, messages, nameOf, newPolicy, privateNetns } from '../helpers/netlink.js';

const COUNT = 20_000;
let ns: Netns;
let t: NetlinkTransport;

beforeAll(async () => {
  ns = await privateNetns();
  t = await NetlinkTransport.open({ netns: ns.path });
  const start = performance.now();
  for (let i = 0; i < COUNT; i += 2000) {
    const res = await t.requestBatch(Array.from({ length: 2000 }, (_, k) => newPolicy(`s${i + k}`, TCP, [[3, i + k]])));
    expect(res.every((r) => r.status === 'fulfilled')).toBe(true);
  }
  const ms = performance.now() - start;
  console.log(`created ${COUNT} policies in ${ms.toFixed(0)} ms (${Math.round((COUNT / ms) * 1000)} requests/s)`);
}, 300_000);

afterAll(async () => {
  await t?.close();
  ns?.dispose();
});

describe('streaming a large dump', () => {
  it(`keeps the event loop turning while ${COUNT} policies stream`, async () => {
    // Counted, not timed (a loaded machine stretches any time): a setImmediate ticker marks the
    // event loop's turns, and the reader's datagrams between two ticks stay within the
    // transport's budget per turn (transport/budget.ts: a datagram costs 1 unit + 1 per KiB).
    const h = monitorEventLoopDelay({ resolution: 1 });
    let ticks = 0;
    let unitsThisTurn = 0;
    let worstTurn = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      worstTurn = Math.max(worstTurn, unitsThisTurn);
      unitsThisTurn = 0;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    h.enable();
    const start = performance.now();
    let policies = 0;
    let chunks = 0;
    let biggest = 0;
    let lastChunk = new Uint8Array();
    for await (const chunk of t.stream(dumpPolicies(), { operation: 'list' })) {
      chunks++;
      unitsThisTurn += 1 + (chunk.length >> 10);
      biggest = Math.max(biggest, 1 + (chunk.length >> 10));
      // walk the headers only: this measures the transport, not a test-side decoder
      const v = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const before = policies;
      for (let at = 0; at < chunk.length; at += v.getUint32(at, true)) if (v.getUint16(at + 4, true) === 0x0800) policies++;
      if (policies > before) lastChunk = chunk;
    }
    ticking = false;
    worstTurn = Math.max(worstTurn, unitsThisTurn);
    const ms = performance.now() - start;
    const last = messages([lastChunk])
      .filter((m) => m.type === 0x0800)
      .map(nameOf)
      .at(-1);
    h.disable();
    console.log(
      `dump of ${policies} policies: ${ms.toFixed(1)} ms (${((ms * 1e6) / policies).toFixed(0)} ns/policy), ${chunks} chunks; ` +
        `event loop delay max ${(h.max / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms; ${ticks} turns, at most ${worstTurn} units of datagrams in one`,
    );
    expect(policies).toBe(COUNT);
    expect(last).toBe(`s${COUNT - 1}`);
    expect(chunks).toBeGreaterThan(10);
    // The reader never gets the whole dump in one go: at most two turns' budget (a tick can
    // fall just after a turn's start) and one datagram more between two ticks.
    expect(worstTurn).toBeLessThanOrEqual(2 * TURN_UNITS + biggest);
    expect(ticks).toBeGreaterThan(1);
  });

  it('a slow consumer keeps memory bounded: reading pauses, the buffered bytes stay small', async () => {
    let maxBuffered = 0;
    let paused = false;
    let bytes = 0;
    for await (const chunk of t.stream(dumpPolicies(), { highWaterMark: 4 })) {
      bytes += chunk.length;
      const s = t.stats();
      maxBuffered = Math.max(maxBuffered, s.streamBufferedBytes);
      paused ||= s.readingPaused;
      await new Promise((r) => setTimeout(r, 1));
    }
    console.log(`slow consumer: ${bytes} bytes dumped, at most ${maxBuffered} buffered in JS`);
    expect(paused).toBe(true);
    expect(bytes).toBeGreaterThan(2_500_000);
    // hwm 4 chunks of <= 32 KiB, plus what was already on its way from the I/O thread (the
    // callback queue holds 2 batches, one more is being handed over; a batch stops after the
    // datagram that passes 128 KiB): about 600 KiB at most, a fifth of the dump.
    expect(maxBuffered).toBeLessThan(700 * 1024);
    expect(t.stats()).toMatchObject({ readingPaused: false, streamBufferedBytes: 0, inFlight: 0 });
  });

  it('request() of the same dump returns it whole, ending with NLMSG_DONE', async () => {
    const chunks = await t.request(dumpPolicies());
    const ms = messages(chunks);
    expect(ms.length).toBe(COUNT + 1);
    expect(ms.at(-1)!.type).toBe(3);
  });
});
