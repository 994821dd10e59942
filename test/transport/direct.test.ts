// The direct path: a request alone on the socket is sent on the JS thread and its reply read
// there too (the kernel answers inside sendmsg), with no hop to the I/O thread. Dumps and
// requests sent together still go through the I/O thread; both paths give the same replies.
import { describe, expect, it } from 'vitest';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { nativeSocket, type OpenSocket } from '../../packages/cttimeout/src/transport/socket.js';
import { NEW, TCP, deletePolicy, dumpPolicies, getPolicy, messages, newPolicy } from '../helpers/netlink.js';
import { useNetns } from '../helpers/netns.js';

const ns = useNetns();

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

  it("the unprivileged test mode never sends from the JS thread (its capabilities are the I/O thread's)", async () => {
    const { n, socket } = counted(nativeSocket({ unprivileged: { uid: 65534, gid: 65534 } }));
    await expect(NetlinkTransport.open({ netns: ns.path, socket })).rejects.toMatchObject({ code: 'EPERM' });
    expect(n).toMatchObject({ direct: 0, queued: 1 });
  });
});
