// Bounded everything: opening never blocks (a FIFO as namespace or capture), bad options are
// typed errors naming the field, a never-sent request says so, errors that end a request early
// say whether it was sent, one abort listener per signal, and the trace hook sees every
// request and reply. Kernel parts run in a private namespace; the rest on the fake kernel.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { fakeKernel, type FakeReply } from '../../packages/cttimeout/src/testing/index.js';
import { dumpPolicies, getPolicy, messages } from '../helpers/netlink.js';
import { useNetns, useTmpDir } from '../helpers/netns.js';

const ns = useNetns();
const dir = useTmpDir('cttimeout-bounded-');

/** Resolves with the rejection of `p`, or fails the test if it takes longer than `ms`. */
async function rejectsWithin(p: Promise<unknown>, ms: number): Promise<CtTimeoutError> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)));
  try {
    await Promise.race([p.then(() => Promise.reject(new Error('resolved; expected a rejection'))), slow]);
    throw new Error('unreachable');
  } catch (e) {
    if (!(e instanceof CtTimeoutError)) throw e;
    return e;
  } finally {
    clearTimeout(timer);
  }
}

describe('opening never blocks', () => {
  it('a FIFO as --netns is refused at once with ERR_NETNS', async () => {
    const fifo = join(dir, 'ns.fifo');
    execFileSync('mkfifo', [fifo]);
    const e = await rejectsWithin(NetlinkTransport.open({ netns: fifo }), 3000);
    expect(e).toMatchObject({ code: 'ERR_NETNS', errno: 22 });
    expect(e.message).toContain('not a namespace file');
  });

  it('a FIFO, a directory or /dev/null as --capture is refused at once with ERR_CAPTURE', async () => {
    const fifo = join(dir, 'cap.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const capture of [fifo, dir, '/dev/null']) {
      const e = await rejectsWithin(NetlinkTransport.open({ netns: ns.path, capture }), 3000);
      expect(e.code, capture).toBe('ERR_CAPTURE');
      expect(e.message).toContain(capture);
    }
  });

  it('a process whose open met a FIFO exits promptly', () => {
    const fifo = join(dir, 'exit.fifo');
    execFileSync('mkfifo', [fifo]);
    const script = join(dir, 'exit.mjs');
    const url = new URL('../../packages/cttimeout/dist/transport/index.js', import.meta.url).href;
    writeFileSync(
      script,
      `const { NetlinkTransport } = await import(${JSON.stringify(url)});\nawait NetlinkTransport.open({ netns: ${JSON.stringify(fifo)} }).catch((e) => console.log(e.code));\nprocess.exit(0);\n`,
    );
    const out = execFileSync(process.execPath, [script], { timeout: 10_000 }).toString();
    expect(out.trim()).toBe('ERR_NETNS');
  });
});

describe('option checks', () => {
  const bad: [string, unknown, string][] = [
    ['netns empty', { netns: '' }, 'netns'],
    ['netns number', { netns: 123 }, 'netns'],
    ['netns relative', { netns: '../../proc/self/ns/net' }, 'netns'],
    ['netns dot', { netns: '..' }, 'netns'],
    ['receiveBufferBytes -1', { receiveBufferBytes: -1 }, 'receiveBufferBytes'],
    ['receiveBufferBytes 2**32+5', { receiveBufferBytes: 2 ** 32 + 5 }, 'receiveBufferBytes'],
    ['receiveBufferBytes 1.5', { receiveBufferBytes: 1.5 }, 'receiveBufferBytes'],
    ['receiveBufferBytes BigInt', { receiveBufferBytes: 10n }, 'receiveBufferBytes'],
    ['timeoutMs -1', { timeoutMs: -1 }, 'timeoutMs'],
    ['timeoutMs NaN', { timeoutMs: Number.NaN }, 'timeoutMs'],
    ['capture empty', { capture: '' }, 'capture'],
    ['capture number', { capture: 7 }, 'capture'],
    ['probe string', { probe: 'yes' }, 'probe'],
    ['null', null, 'options'],
    ['string', 'x', 'options'],
  ];
  it.each(bad)('open(%s) is ERR_INVALID_ARGUMENT naming the field', async (_, options, field) => {
    const e = await rejectsWithin(NetlinkTransport.open(options as never), 1000);
    expect(e).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field, source: 'usage' });
    expect(e.message).toContain(field);
  });

  it('a relative namespace is refused with a message saying how to write it', async () => {
    const e = await rejectsWithin(NetlinkTransport.open({ netns: '../../proc/self/ns/net' }), 1000);
    expect(e.message).toContain('/run/netns/NAME');
  });

  it('bad request options reject with the field: timeoutMs, signal, highWaterMark', async () => {
    const k = fakeKernel({ handler: () => ({}) });
    const t = await NetlinkTransport.open({ socket: k.socket, probe: false });
    await expect(t.request(getPolicy('x'), { timeoutMs: -5 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'timeoutMs' });
    await expect(t.request(getPolicy('x'), { signal: 'x' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'signal' });
    await expect(t.stream(dumpPolicies(), { highWaterMark: 0 })[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      field: 'highWaterMark',
    });
    await expect(t.requestBatch(null as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'messages' });
    expect(k.requests).toHaveLength(0);
    expect(t.stats().pending).toBe(0);
    await t.close();
  });
});

/** A fake kernel whose dump of `n` objects (each different, as policies are) is paged one per datagram. */
function dumpingKernel(n: number) {
  return fakeKernel({
    dumpBatch: 1,
    handler: (r): FakeReply =>
      r.flags & 0x300 ? { messages: Array.from({ length: n }, (_, i) => ({ type: 0x0800, payload: Uint8Array.of(0, 0, 0, i) })) } : {},
  });
}

describe('requests that end early say whether they were sent', () => {
  it('a request queued behind a dump whose consumer is slow times out as never sent', async () => {
    const k = dumpingKernel(50);
    const t = await NetlinkTransport.open({ socket: k.socket, probe: false });
    const it = t.stream(dumpPolicies(), { highWaterMark: 1 })[Symbol.asyncIterator]();
    await it.next(); // the dump runs; its consumer now sleeps
    const e = await rejectsWithin(t.request(dumpPolicies(), { timeoutMs: 30, operation: 'list' }), 1000);
    expect(e).toMatchObject({ code: 'ERR_TIMEOUT', sent: false, operation: 'list' });
    expect(e.message).toContain('not sent');
    expect(e.message).toContain('never saw it');
    await it.return!();
    expect(t.stats()).toMatchObject({ pending: 0, queued: 0 });
    await t.close();
  });

  it('a sent request that gets no reply times out as sent, "may have been executed"', async () => {
    const k = fakeKernel({ handler: () => undefined });
    const t = await NetlinkTransport.open({ socket: k.socket, probe: false });
    const e = await rejectsWithin(t.request(getPolicy('x'), { timeoutMs: 20, operation: 'get' }), 1000);
    expect(e).toMatchObject({ code: 'ERR_TIMEOUT', sent: true });
    expect(e.message).toContain('may have been executed');
    await t.close();
  });

  it('abort: sent -> sent: true; queued -> sent: false; close likewise', async () => {
    const k = dumpingKernel(50);
    const t = await NetlinkTransport.open({ socket: k.socket, probe: false });
    const silent = fakeKernel({ handler: () => undefined });
    const u = await NetlinkTransport.open({ socket: silent.socket, probe: false });
    const ac = new AbortController();
    const sent = u.request(getPolicy('x'), { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    expect(await rejectsWithin(sent, 500)).toMatchObject({ code: 'ERR_ABORTED', sent: true });

    const it = t.stream(dumpPolicies(), { highWaterMark: 1 })[Symbol.asyncIterator]();
    await it.next();
    const ac2 = new AbortController();
    const queued = t.request(dumpPolicies(), { signal: ac2.signal });
    ac2.abort();
    expect(await rejectsWithin(queued, 500)).toMatchObject({ code: 'ERR_ABORTED', sent: false });
    const queued2 = t.request(dumpPolicies());
    const inflight = u.request(getPolicy('y'));
    await new Promise((r) => setTimeout(r, 5));
    const closing = [rejectsWithin(queued2, 500), rejectsWithin(inflight, 500)];
    await t.close();
    await u.close();
    const [q, s] = await Promise.all(closing);
    expect(q).toMatchObject({ code: 'ERR_CLOSED', sent: false });
    expect(s).toMatchObject({ code: 'ERR_CLOSED', sent: true });
  });

  it('100 requests sharing one AbortSignal: one listener, no MaxListenersExceededWarning, all aborted', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const k = fakeKernel({ handler: () => undefined });
      const t = await NetlinkTransport.open({ socket: k.socket, probe: false });
      const ac = new AbortController();
      const all = Array.from({ length: 100 }, (_, i) => t.request(getPolicy(`p${i}`), { signal: ac.signal }).catch((e: CtTimeoutError) => e));
      // A finished request gives its place back: a signal reused after completion stays quiet too.
      await new Promise((r) => setTimeout(r, 5));
      ac.abort();
      const errors = await Promise.all(all);
      expect(errors.every((e) => e instanceof CtTimeoutError && e.code === 'ERR_ABORTED')).toBe(true);
      expect(t.stats().pending).toBe(0);
      await t.close();
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a signal shared by many completed requests holds no listeners afterwards', async () => {
    const k = fakeKernel({ handler: () => ({}) });
    const t = await NetlinkTransport.open({ socket: k.socket, probe: false });
    const ac = new AbortController();
    let added = 0;
    let removed = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...a: Parameters<typeof add>) => (added++, add(...a))) as typeof add;
    ac.signal.removeEventListener = ((...a: Parameters<typeof remove>) => (removed++, remove(...a))) as typeof remove;
    await Promise.all(Array.from({ length: 50 }, (_, i) => t.request(getPolicy(`p${i}`), { signal: ac.signal })));
    expect(added).toBe(1);
    expect(removed).toBe(1);
    await t.close();
  });
});

describe('trace hook', () => {
  it('sees every request as sent (seq set, ACK on non-dumps only) and every reply chunk; a throwing hook is ignored', async () => {
    const seen: ['out' | 'in', Uint8Array][] = [];
    const t = await NetlinkTransport.open({
      netns: ns.path,
      trace: (d, b) => {
        seen.push([d, b.slice()]);
        throw new Error('a logger bug');
      },
    });
    await t.request(dumpPolicies());
    await t.request(getPolicy('nope')).catch(() => {});
    await t.close();
    const out = seen.filter(([d]) => d === 'out').map(([, b]) => messages([b])[0]!);
    expect(out).toHaveLength(3); // the probe, the dump, the GET
    const [, dump, get] = out;
    expect(dump!.flags).toBe(0x301); // REQUEST|ROOT|MATCH: no ACK on a dump, as nfct sends it
    expect(get!.flags).toBe(0x05);
    expect(new Set(out.map((m) => m.seq)).size).toBe(3);
    const replies = seen.filter(([d]) => d === 'in').flatMap(([, b]) => messages([b]));
    expect(replies.map((m) => m.type)).toEqual([2, 3, 2]); // ENOENT, DONE, ENOENT
    expect(replies.map((m) => m.seq)).toEqual(out.map((m) => m.seq));
  });
});

describe('a socket implementation that throws', () => {
  it('an opener that throws a plain Error: open rejects ERR_SOCKET; a send that throws: the requests fail ERR_SOCKET, sent: false', async () => {
    await expect(NetlinkTransport.open({ socket: async () => Promise.reject(new Error('boom')) })).rejects.toMatchObject({
      code: 'ERR_SOCKET',
      message: expect.stringContaining('boom'),
    });
    const k = fakeKernel({ handler: () => ({}) });
    const throwing: typeof k.socket = async (o, on) => {
      const s = await k.socket(o, on);
      return {
        portId: s.portId,
        send: () => {
          throw new Error('socket gone');
        },
        setPaused: (p: boolean) => s.setPaused(p),
        setReceiveBuffer: (b: number) => s.setReceiveBuffer(b),
        receiveBuffer: () => s.receiveBuffer(),
        counters: () => s.counters(),
        close: () => s.close(),
      };
    };
    const t = await NetlinkTransport.open({ socket: throwing, probe: false });
    const res = await t.requestBatch([getPolicy('a'), getPolicy('b')]);
    expect(res.map((r) => r.status === 'rejected' && (r.reason as CtTimeoutError).code)).toEqual(['ERR_SOCKET', 'ERR_SOCKET']);
    expect((res[0] as PromiseRejectedResult).reason).toMatchObject({ sent: false, message: expect.stringContaining('socket gone') });
    expect(t.stats()).toMatchObject({ pending: 0, inFlight: 0 });
    await t.close();
  });
});
