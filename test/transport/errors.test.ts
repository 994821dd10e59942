// Every error the transport promises, as a typed CtTimeoutError with a distinct code, against
// the real kernel in a private network namespace.
import { describe, expect, it } from 'vitest';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { loadNative } from '../../packages/cttimeout/src/transport/native.js';
import { nativeSocket } from '../../packages/cttimeout/src/transport/socket.js';
import {
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  TCP,
  captured,
  defaultGet,
  deletePolicy,
  dumpPolicies,
  getPolicy,
  messages,
  nameOf,
  newPolicy,
  useTransport,
} from '../helpers/netlink.js';

const { ns, t } = useTransport();

const open = (extra: Record<string, unknown>) => NetlinkTransport.open({ netns: ns.path, ...extra } as never);

describe('kernel errors arrive as typed errors', () => {
  it('ENOENT: GET and DELETE of an unknown name', async () => {
    const e = await t.request(getPolicy('nope'), { operation: 'get' }).catch((x) => x);
    expect(e).toBeInstanceOf(CtTimeoutError);
    expect(e).toMatchObject({ code: 'ENOENT', errno: 2, source: 'kernel', operation: 'get' });
    expect(e.seq).toBeGreaterThan(0);
    await expect(t.request(deletePolicy('nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('EBUSY: DELETE of a policy an iptables CT rule uses (USE = 2), and NEW on a taken name', async () => {
    await t.request(newPolicy('busy1', TCP, [[3, 300]]));
    ns.run('iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'busy1']);
    try {
      const [m] = messages(await t.request(getPolicy('busy1')));
      expect(m && nameOf(m)).toBe('busy1');
      const use = m!.payload.subarray(4);
      // USE attribute (type 5) = 2: the policy itself plus the rule's template
      expect(Buffer.from(use).includes(Buffer.from([8, 0, 5, 0, 0, 0, 0, 2]))).toBe(true);
      const e = await t.request(deletePolicy('busy1'), { operation: 'delete' }).catch((x) => x);
      expect(e).toMatchObject({ code: 'EBUSY', errno: 16, operation: 'delete' });
      expect(e.message).toBe('delete: Device or resource busy (EBUSY)');
      await expect(t.request(newPolicy('busy1', TCP))).rejects.toMatchObject({ code: 'EBUSY' });
    } finally {
      ns.run('iptables', ['-t', 'raw', '-F', 'OUTPUT']);
    }
    await t.request(deletePolicy('busy1'));
  });

  it('EEXIST: NEW with NLM_F_EXCL on an existing name', async () => {
    await t.request(newPolicy('ex', TCP));
    await expect(t.request(newPolicy('ex', TCP, [], NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL))).rejects.toMatchObject({
      code: 'EEXIST',
      errno: 17,
    });
  });

  it('EINVAL with the extended ACK; ERANGE; EOPNOTSUPP', async () => {
    await expect(t.request(captured('M.einval.request'))).rejects.toMatchObject({
      code: 'EINVAL',
      extAckMessage: 'Attribute failed policy validation',
      extAckOffset: 20,
    });
    const short = newPolicy('r', TCP, [[3, 1]]);
    short[short.length - 8] = 6; // a 2-byte u32
    await expect(t.request(short)).rejects.toMatchObject({ code: 'ERANGE', errno: 34 });
    await expect(t.request(defaultGet(33))).rejects.toMatchObject({ code: 'EOPNOTSUPP', errno: 95 });
  });

  it('EPERM: a socket opened by an unprivileged user (uid 65534); open probes and says so', async () => {
    const e = await open({ socket: nativeSocket({ unprivileged: { uid: 65534, gid: 65534 } }) }).catch((x) => x);
    expect(e).toMatchObject({ code: 'EPERM', errno: 1, source: 'kernel', operation: 'open' });
    expect(e.message).toContain('CAP_NET_ADMIN');
    const u = await open({ socket: nativeSocket({ unprivileged: { uid: 65534, gid: 65534 } }), probe: false });
    try {
      await expect(u.request(dumpPolicies(), { operation: 'list' })).rejects.toMatchObject({ code: 'EPERM', operation: 'list' });
      await expect(u.request(captured('A.request'))).rejects.toMatchObject({ code: 'EPERM' });
    } finally {
      await u.close();
    }
    // and nothing was created by the refused request
    await expect(t.request(getPolicy('test-tcp'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('transport errors', () => {
  it('ERR_NO_CTTIMEOUT when the subsystem answers EINVAL (probing absent subsystem 30)', async () => {
    const e = await open({ _probeSubsystem: 30 }).catch((x) => x);
    expect(e).toMatchObject({ code: 'ERR_NO_CTTIMEOUT', source: 'transport', errno: 22 });
    expect(e.message).toContain('CONFIG_NF_CT_NETLINK_TIMEOUT');
  });

  it('the real probe passes on this kernel, which has cttimeout', async () => {
    const ok = await open({});
    expect(ok.portId).toBeGreaterThan(0);
    await ok.close();
  });

  it('ERR_NETNS for a namespace that does not exist or is not a namespace', async () => {
    await expect(NetlinkTransport.open({ netns: 'cttimeout-no-such-ns' })).rejects.toMatchObject({ code: 'ERR_NETNS', errno: 2 });
    await expect(NetlinkTransport.open({ netns: '/proc/self/status' })).rejects.toMatchObject({ code: 'ERR_NETNS', errno: 22 });
    const e = await NetlinkTransport.open({ netns: '/nonexistent/ns' }).catch((x) => x);
    expect(e.message).toContain('/nonexistent/ns');
  });

  it('ERR_UNSUPPORTED_PLATFORM off Linux, ERR_ADDON_MISSING without the addon', async () => {
    await expect(NetlinkTransport.open({ socket: nativeSocket({ platform: 'darwin' }) })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_PLATFORM' });
    const e = (() => {
      try {
        loadNative({ paths: ['/nonexistent/cttimeout-socket.node'] });
      } catch (x) {
        return x as CtTimeoutError;
      }
    })();
    expect(e).toMatchObject({ code: 'ERR_ADDON_MISSING', source: 'transport' });
    expect(e?.message).toContain('/nonexistent/cttimeout-socket.node');
    expect(e?.message).toContain('npm install @cttimeout/linux-');
  });

  it('ERR_TRUNCATED: a reply longer than the read buffer is reported, never cut silently', async () => {
    await t.request(newPolicy('long-enough-name-for-152-bytes', TCP));
    const small = await open({ socket: nativeSocket({ readBufferBytes: 64 }) });
    try {
      const e = await small.request(getPolicy('long-enough-name-for-152-bytes'), { operation: 'get' }).catch((x) => x);
      expect(e).toMatchObject({ code: 'ERR_TRUNCATED', operation: 'get' });
      expect(e.message).toMatch(/datagram of \d+ bytes was cut to 64 bytes/);
      expect(small.stats().truncated).toBe(1);
      // the read buffer grew: the same request now works
      const [m] = messages(await small.request(getPolicy('long-enough-name-for-152-bytes')));
      expect(m && nameOf(m)).toBe('long-enough-name-for-152-bytes');
    } finally {
      await small.close();
    }
  });

  it('ENOBUFS: with flow control off and a tiny buffer, lost ACKs reject with ENOBUFS, the rest resolve, none hangs — and the kernel did execute them all', async () => {
    const tiny = await open({ receiveBufferBytes: 16384, _noFlowControl: true });
    try {
      const n = 600;
      const res = await tiny.requestBatch(
        Array.from({ length: n }, (_, i) => newPolicy(`nb${i}`, TCP)),
        { operation: 'add' },
      );
      const ok = res.filter((r) => r.status === 'fulfilled').length;
      const lost = res.filter((r) => r.status === 'rejected' && (r.reason as CtTimeoutError).code === 'ENOBUFS');
      expect(ok + lost.length).toBe(n);
      expect(lost.length).toBeGreaterThan(0);
      expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ errno: 105, operation: 'add' });
      expect((lost[0] as PromiseRejectedResult).reason.message).toContain('may have been executed');
      expect(tiny.stats().overruns).toBeGreaterThan(0);
      // Each overrun report sends a barrier; when the last request settles, a later barrier may
      // still be on its way (a batch goes out in several sendmsgs). They end too, soon.
      const until = Date.now() + 5000;
      while (tiny.stats().inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      expect(tiny.stats().inFlight).toBe(0);
    } finally {
      await tiny.close();
    }
    const names = messages(await t.request(dumpPolicies()))
      .map(nameOf)
      .filter((x) => x?.startsWith('nb'));
    expect(names).toHaveLength(600);
  });

  it('with flow control (the default) the same batch never overflows', async () => {
    const small = await open({ receiveBufferBytes: 16384 });
    try {
      const res = await small.requestBatch(Array.from({ length: 600 }, (_, i) => deletePolicy(`nb${i}`)));
      expect(res.filter((r) => r.status === 'fulfilled')).toHaveLength(600);
      expect(small.stats().overruns).toBe(0);
    } finally {
      await small.close();
    }
  });
});
