// Concurrency, timeouts, aborts, close, and resource use, against the real kernel in a private
// network namespace. To hold a request's reply back, a dump stream is left unconsumed: the
// transport then stops reading (backpressure), so later replies wait in the socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import {
  type Netns,
  TCP,
  deletePolicy,
  dumpPolicies,
  getPolicy,
  messages,
  nameOf,
  newPolicy,
  privateNetns,
  processCounts,
  timeouts,
} from '../helpers/netlink.js';

let ns: Netns;
let t: NetlinkTransport;
const N = 1000;
const FILL = 5000;

beforeAll(async () => {
  ns = await privateNetns();
  t = await NetlinkTransport.open({ netns: ns.path });
  // N policies, each with its own ESTABLISHED value, so every reply says whose it is.
  const res = await t.requestBatch(Array.from({ length: N }, (_, i) => newPolicy(`c${i}`, TCP, [[3, 1000 + i]])));
  expect(res.every((r) => r.status === 'fulfilled')).toBe(true);
  // Filler so a dump spans more than the native side reads ahead (~400 KiB).
  const fill = await t.requestBatch(Array.from({ length: FILL }, (_, i) => newPolicy(`f${i}`, TCP)));
  expect(fill.every((r) => r.status === 'fulfilled')).toBe(true);
});
afterAll(async () => {
  await t?.close();
  ns?.dispose();
});

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
};

/** Starts a dump and leaves it unconsumed until the transport stops reading. */
async function holdReading(x: NetlinkTransport) {
  const it = x.stream(dumpPolicies(), { highWaterMark: 1 })[Symbol.asyncIterator]();
  await it.next();
  await until(() => x.stats().readingPaused);
  return {
    it,
    async release() {
      for (let r = await it.next(); !r.done; r = await it.next());
    },
  };
}

describe('many requests on one socket', () => {
  it(`${N} concurrent GETs each resolve to their own reply (plus ENOENT for unknown names)`, async () => {
    const start = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: N + 100 }, (_, i) => (i < N ? t.request(getPolicy(`c${i}`)) : t.request(getPolicy(`missing${i}`)))),
    );
    const ms = performance.now() - start;
    const seqs = new Set<number>();
    results.forEach((r, i) => {
      if (i >= N) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason.code).toBe('ENOENT');
        return;
      }
      expect(r.status).toBe('fulfilled');
      const msgs = messages((r as PromiseFulfilledResult<Uint8Array[]>).value);
      expect(msgs.map((m) => m.type)).toEqual([0x0800, 2]);
      expect(nameOf(msgs[0]!)).toBe(`c${i}`);
      expect(timeouts(msgs[0]!).get(3)).toBe(1000 + i);
      expect(msgs[0]!.pid).toBe(t.portId);
      seqs.add(msgs[0]!.seq);
    });
    expect(seqs.size).toBe(N);
    expect(t.stats()).toMatchObject({ inFlight: 0, queued: 0, overruns: 0 });
    console.log(`${N + 100} concurrent GETs: ${ms.toFixed(1)} ms (${Math.round(((N + 100) / ms) * 1000)} requests/s)`);
  });

  it('requestBatch settles every request on its own, in order', async () => {
    const res = await t.requestBatch([getPolicy('c1'), getPolicy('nope'), getPolicy('c2')]);
    expect(res.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(nameOf(messages((res[2] as PromiseFulfilledResult<Uint8Array[]>).value)[0]!)).toBe('c2');
  });
});

describe('timeouts, aborts, close', () => {
  it('a request times out with ERR_TIMEOUT; its late reply is dropped, never given to another request', async () => {
    const hold = await holdReading(t);
    const late = await t.request(getPolicy('c7'), { timeoutMs: 30, operation: 'get' }).catch((e: CtTimeoutError) => e);
    expect(late).toMatchObject({ code: 'ERR_TIMEOUT', operation: 'get', source: 'transport' });
    expect((late as CtTimeoutError).seq).toBeGreaterThan(0);
    const next = t.request(getPolicy('c8'));
    const lateBefore = t.stats().lateReplies;
    await hold.release();
    const [m] = messages(await next);
    expect(nameOf(m!)).toBe('c8');
    expect(m!.seq).not.toBe((late as CtTimeoutError).seq);
    expect(t.stats().lateReplies).toBeGreaterThan(lateBefore);
    expect(t.stats().inFlight).toBe(0);
  });

  it('AbortSignal: aborting a sent request rejects at once with ERR_ABORTED and the reason as cause', async () => {
    const hold = await holdReading(t);
    const ac = new AbortController();
    const p = t.request(getPolicy('c9'), { signal: ac.signal, operation: 'get' });
    const reason = new Error('user gave up');
    ac.abort(reason);
    await expect(p).rejects.toMatchObject({ code: 'ERR_ABORTED', operation: 'get', cause: reason });
    await hold.release();
    await until(() => t.stats().inFlight === 0);
  });

  it('an already aborted signal, or aborting while queued, never sends the request', async () => {
    const ac = new AbortController();
    ac.abort();
    const sent = t.stats().datagramsSent;
    await expect(t.request(getPolicy('c1'), { signal: ac.signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    const hold = await holdReading(t);
    // A second dump waits for the first (one dump per socket): it is still queued.
    const ac2 = new AbortController();
    const queued = t.request(dumpPolicies(), { signal: ac2.signal });
    await new Promise((r) => setTimeout(r, 5));
    expect(t.stats().queued).toBe(1);
    ac2.abort();
    await expect(queued).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(t.stats().queued).toBe(0);
    await hold.release();
    expect(t.stats().datagramsSent).toBe(sent + 1); // only the held dump went out
  });

  it('breaking out of a dump stream drains it; the next dump works (no EBUSY)', async () => {
    for await (const chunk of t.stream(dumpPolicies())) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    const all = messages(await t.request(dumpPolicies()));
    expect(all.filter((m) => m.type === 0x0800)).toHaveLength(N + FILL);
  });

  it('close() rejects everything pending (sent, queued, streaming) with ERR_CLOSED; later use is ERR_CLOSED', async () => {
    const x = await NetlinkTransport.open({ netns: ns.path });
    const hold = await holdReading(x);
    const sent = x.request(getPolicy('c1'), { operation: 'get' });
    const queued = x.request(dumpPolicies(), { operation: 'list' });
    await new Promise((r) => setTimeout(r, 5));
    expect(x.stats()).toMatchObject({ inFlight: 2, queued: 1 });
    const checks = [
      expect(sent).rejects.toMatchObject({ code: 'ERR_CLOSED', operation: 'get' }),
      expect(queued).rejects.toMatchObject({ code: 'ERR_CLOSED', operation: 'list' }),
    ];
    await x.close();
    await Promise.all(checks);
    await expect(hold.it.next()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    await expect(x.request(getPolicy('c1'))).rejects.toMatchObject({ code: 'ERR_CLOSED', message: expect.stringContaining('closed') });
    await expect(x.stream(dumpPolicies())[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(x.closed).toBe(true);
    await x.close(); // idempotent
  });

  it('no file descriptors or threads leak over 10,000 open/close cycles (each with a request)', { timeout: 300_000 }, async () => {
    // warm up pools (libuv threads start lazily) before counting
    for (let i = 0; i < 20; i++) await (await NetlinkTransport.open({ netns: ns.path })).close();
    const before = processCounts();
    const start = performance.now();
    for (let i = 0; i < 10_000; i++) {
      const x = await NetlinkTransport.open({ netns: ns.path });
      if (i % 100 === 0) await expect(x.request(getPolicy('nope'))).rejects.toMatchObject({ code: 'ENOENT' });
      await x.close();
    }
    const ms = performance.now() - start;
    const after = processCounts();
    console.log(`10,000 open/close cycles: ${(ms / 1000).toFixed(1)} s; fds ${before.fds} -> ${after.fds}, threads ${before.threads} -> ${after.threads}`);
    expect(after).toEqual(before);
  });
});

it('deletes what it created', async () => {
  const names = [...Array.from({ length: N }, (_, i) => `c${i}`), ...Array.from({ length: FILL }, (_, i) => `f${i}`)];
  const res = await t.requestBatch(names.map(deletePolicy));
  expect(res.every((r) => r.status === 'fulfilled')).toBe(true);
});
