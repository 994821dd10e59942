// The direct path: a request alone on the socket is sent on the JS thread and its reply read
// there too (the kernel answers inside sendmsg), with no hop to the I/O thread. Dumps and
// requests sent together still go through the I/O thread; both paths give the same replies.
import { describe, expect, it, vi } from 'vitest';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { loadNative, type NativeBatch, type NativeEvent } from '../../packages/cttimeout/src/transport/native.js';
import { nativeSocket, type OpenSocket } from '../../packages/cttimeout/src/transport/socket.js';
import { fakeKernel } from '../../packages/cttimeout/src/testing/index.js';
import { NEW, NLM_F_ACK, NLM_F_REQUEST, TCP, deletePolicy, dumpPolicies, getPolicy, messages, newPolicy } from '../helpers/netlink.js';
import { useNetns } from '../helpers/netns.js';

const ns = useNetns();

const fail = (why: string): never => {
  throw new Error(why);
};

/** The native socket, counting what went which way and what sendNow delivered before it returned. */
function counted(open: OpenSocket = nativeSocket()) {
  const n = { direct: 0, answeredInside: 0, queued: 0 };
  const socket: OpenSocket = async (options, onEvents) => {
    let inside = false;
    const s = await open(options, (events) => {
      if (inside) n.answeredInside += events.filter((e) => e.kind === 'chunk' && e.terminal).length;
      onEvents(events);
    });
    return {
      ...s,
      portId: s.portId,
      send: (d) => (n.queued++, s.send(d)),
      sendNow: (d) => {
        inside = true;
        try {
          const ok = s.sendNow!(d);
          if (ok) n.direct++;
          return ok;
        } finally {
          inside = false;
        }
      },
      idle: () => s.idle?.(),
      setPaused: (p) => s.setPaused(p),
      setReceiveBuffer: (b) => s.setReceiveBuffer(b),
      receiveBuffer: () => s.receiveBuffer(),
      counters: () => s.counters(),
      close: () => s.close(),
    };
  };
  return { n, socket };
}

/** The request with NLM_F_ACK and sequence number `seq`, as the transport sends it (for the bare addon). */
function asSent(m: Uint8Array, seq: number): Uint8Array {
  const b = m.slice();
  const v = new DataView(b.buffer);
  v.setUint16(6, v.getUint16(6, true) | NLM_F_REQUEST | NLM_F_ACK, true);
  v.setUint32(8, seq, true);
  return b;
}

describe('direct path', () => {
  it('answers requests made one at a time inside sendNow, and leaves dumps and batches to the I/O thread', async () => {
    const { n, socket } = counted();
    const t = await NetlinkTransport.open({ netns: ns.path, socket });
    try {
      expect(n).toEqual({ direct: 1, answeredInside: 1, queued: 0 }); // the probe
      for (let i = 0; i < 20; i++) await t.request(newPolicy(`d${i}`, TCP, [[3, 100 + i]]));
      const got = await t.request(getPolicy('d7'));
      expect(messages(got).map((m) => m.type)).toEqual([NEW, 2]);
      expect(n).toEqual({ direct: 22, answeredInside: 22, queued: 0 });
      // A dump continues in recvmsg: the I/O thread reads it.
      const dump = await t.request(dumpPolicies());
      expect(messages(dump).filter((m) => m.type === NEW)).toHaveLength(20);
      expect(n.queued).toBe(1);
      // Requests made together go out in one sendmsg through the I/O thread.
      const all = await t.requestBatch(Array.from({ length: 20 }, (_, i) => deletePolicy(`d${i}`)));
      expect(all.every((r) => r.status === 'fulfilled')).toBe(true);
      expect(n.queued).toBe(2);
      // A kernel error read on the direct path is the same typed error.
      await expect(t.request(getPolicy('d3'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(n.direct).toBe(23);
      expect(t.stats()).toMatchObject({ pending: 0, inFlight: 0, queued: 0 });
    } finally {
      await t.close();
    }
  });

  it('a request made while a dump runs waits its turn on the I/O thread, replies matched', async () => {
    const { n, socket } = counted();
    const t = await NetlinkTransport.open({ netns: ns.path, socket });
    try {
      await t.request(newPolicy('w', TCP, [[3, 42]]));
      const [dump, one] = await Promise.all([t.request(dumpPolicies()), t.request(getPolicy('w'))]);
      expect(messages(dump).filter((m) => m.type === NEW)).toHaveLength(1);
      expect(messages(one).map((m) => m.type)).toEqual([NEW, 2]);
      expect(n.direct).toBe(2); // probe and NEW only
      await t.request(deletePolicy('w'));
      expect(n.direct).toBe(3); // alone again
    } finally {
      await t.close();
    }
  });

  it('the addon writes plain replies into the memory it is given, the same bytes as its event objects', async () => {
    const native = loadNative();
    const sock = await native.open({ netns: ns.path }, () => {});
    if (!('portId' in sock)) throw new Error(sock.message);
    try {
      const out = new Uint8Array(4096);
      const meta = new Int32Array(16);
      // Just after open the I/O thread may hold the read buffer: sendNow then sends nothing (null).
      let first = sock.sendNow(asSent(newPolicy('m', TCP, [[3, 77]]), 1), out, meta);
      while (first === null) {
        await new Promise((r) => setImmediate(r));
        first = sock.sendNow(asSent(newPolicy('m', TCP, [[3, 77]]), 1), out, meta);
      }
      expect(first).toBe(1);
      expect([...meta.subarray(0, 4)]).toEqual([1, 36, 1, 0]); // seq, bytes, terminal, errno
      // A GET: its object and ACK, packed, and the same as objects (no memory given).
      const packed = sock.sendNow(asSent(getPolicy('m'), 2), out, meta) as number;
      const chunks: Uint8Array[] = [];
      for (let i = 0, at = 0; i < packed; at += meta[i * 4 + 1]!, i++) chunks.push(out.slice(at, at + meta[i * 4 + 1]!));
      const objects = sock.sendNow(asSent(getPolicy('m'), 2), null, null) as NativeEvent[];
      expect(objects.map((e) => (e.kind === 'chunk' ? [e.seq, e.data.length, e.terminal, e.errno] : e.kind))).toEqual(
        chunks.map((c, i) => [2, c.length, meta[i * 4 + 2] === 1, meta[i * 4 + 3]]),
      );
      expect(objects.map((e) => (e.kind === 'chunk' ? [...e.data] : []))).toEqual(chunks.map((c) => [...c]));
      expect(messages(chunks).map((m) => m.type)).toEqual([NEW, 2]);
      // An error is a terminal chunk with its errno; too little memory gives objects instead.
      expect(sock.sendNow(asSent(getPolicy('missing'), 3), out, meta)).toBe(1);
      expect([meta[0], meta[2], meta[3]]).toEqual([3, 1, 2]); // ENOENT
      const small = sock.sendNow(asSent(getPolicy('m'), 4), new Uint8Array(8), meta);
      expect(Array.isArray(small) && small.every((e) => e.kind === 'chunk' && e.seq === 4)).toBe(true);
    } finally {
      await sock.close();
    }
  });

  it('the I/O thread hands over a batch as one buffer: an entry per reply, then the bytes', async () => {
    const native = loadNative();
    const batches: NativeBatch[] = [];
    let got!: () => void;
    const all = new Promise<void>((r) => (got = r));
    let acks = 0;
    const sock = await native.open({ netns: ns.path }, (b) => {
      batches.push(b);
      acks += b.entries;
      if (acks >= 3) got();
    });
    if (!('portId' in sock)) throw new Error(sock.message);
    try {
      const three = [asSent(newPolicy('b1', TCP, [[3, 1]]), 11), asSent(newPolicy('b2', TCP, [[3, 2]]), 12), asSent(getPolicy('nope'), 13)];
      sock.send(Buffer.concat(three));
      await all;
      const b = batches.length === 1 ? batches[0]! : undefined;
      // All three ACKs were queued when sendmsg returned: one batch.
      expect(b?.others).toEqual([]);
      const v = new DataView(b!.packed.buffer, b!.packed.byteOffset, b!.packed.byteLength);
      const entries = Array.from({ length: b!.entries }, (_, i) => [0, 1, 2, 3].map((k) => v.getInt32(i * 16 + k * 4, true)));
      expect(entries).toEqual([
        [11, 36, 1, 0],
        [12, 36, 1, 0],
        [13, 36, 1, 2], // ENOENT
      ]);
      expect(b!.packed.length).toBe(3 * 16 + 3 * 36);
      expect(messages([b!.packed.subarray(48)]).map((m) => m.type)).toEqual([2, 2, 2]);
    } finally {
      await sock.close();
    }
  });

  it("the unprivileged test mode never sends from the JS thread (its capabilities are the I/O thread's)", async () => {
    const { n, socket } = counted(nativeSocket({ unprivileged: { uid: 65534, gid: 65534 } }));
    await expect(NetlinkTransport.open({ netns: ns.path, socket })).rejects.toMatchObject({ code: 'EPERM' });
    expect(n).toMatchObject({ direct: 0, queued: 1 });
  });
});

describe('timers on the direct path', () => {
  it('a GET whose object and ACK come in one batch sets no timer (was one setTimeout + clearTimeout each)', async () => {
    const t = await NetlinkTransport.open({ netns: ns.path, timeoutMs: 12_345 });
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      await t.request(newPolicy('timer', TCP, [[3, 5]]));
      for (let i = 0; i < 20; i++) expect(messages(await t.request(getPolicy('timer'))).map((m) => m.type)).toEqual([NEW, 2]);
      // One may be set for a request the turn budget moved to a later turn; before, every GET set one.
      expect(spy.mock.calls.filter((c) => c[1] === 12_345).length).toBeLessThanOrEqual(2);
      await t.request(deletePolicy('timer'));
    } finally {
      spy.mockRestore();
      await t.close();
    }
  });

  it('requests in flight together share one timer (was a setTimeout each)', async () => {
    const t = await NetlinkTransport.open({ netns: ns.path, timeoutMs: 12_345 });
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      const res = await t.requestBatch(Array.from({ length: 500 }, (_, i) => newPolicy(`one${i}`, TCP, [[3, 5]])));
      expect(res.every((r) => r.status === 'fulfilled')).toBe(true);
      // One per run of requests in flight (the batch may be answered in a few deliveries).
      expect(spy.mock.calls.filter((c) => (c[1] as number) > 12_000).length).toBeLessThanOrEqual(5);
      await t.requestBatch(Array.from({ length: 500 }, (_, i) => deletePolicy(`one${i}`)));
    } finally {
      spy.mockRestore();
      await t.close();
    }
  });

  it('with one timer, each request still times out at its own deadline, a later shorter one first', async () => {
    // The test kit's fake kernel, told never to answer.
    const silent = fakeKernel({ handler: () => undefined });
    const t = await NetlinkTransport.open({ socket: silent.socket, probe: false });
    try {
      const t0 = performance.now();
      const settled = (p: Promise<unknown>) =>
        p.then(
          () => fail('answered'),
          (e: { code: string }) => [e.code, performance.now() - t0] as const,
        );
      const long = settled(t.request(getPolicy('a'), { timeoutMs: 300 }));
      const short = settled(t.request(getPolicy('b'), { timeoutMs: 40 }));
      const [s, l] = [await short, await long];
      expect(s[0]).toBe('ERR_TIMEOUT');
      expect(l[0]).toBe('ERR_TIMEOUT');
      expect(s[1]).toBeGreaterThanOrEqual(39);
      expect(s[1]).toBeLessThan(250);
      expect(l[1]).toBeGreaterThanOrEqual(299);
    } finally {
      await t.close();
    }
  });

  it('a reply that stops after its first chunk still times out: the timer starts after the batch', async () => {
    let dropLast = false;
    const open = nativeSocket();
    const socket: OpenSocket = (options, onEvents) =>
      open(options, (events) => onEvents(dropLast ? events.filter((e) => !(e.kind === 'chunk' && e.terminal)) : events));
    const t = await NetlinkTransport.open({ netns: ns.path, socket });
    try {
      await t.request(newPolicy('half', TCP, [[3, 5]]));
      dropLast = true; // the GET's object arrives, its ACK never does
      await expect(t.request(getPolicy('half'), { timeoutMs: 50, operation: 'get' })).rejects.toMatchObject({ code: 'ERR_TIMEOUT', sent: true });
      dropLast = false;
      await t.request(deletePolicy('half'));
    } finally {
      await t.close();
    }
  });
});
