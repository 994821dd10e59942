// Every operation of PROTOCOL.md §2 through the transport, against the real kernel, in a
// private network namespace. Requests are the captured nfct bytes of PROTOCOL.md §7 (the
// codec's golden bytes) and bytes built here; the transport assigns the sequence numbers.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { requestOwned } from '../../packages/cttimeout/src/transport/transport.js';
import {
  NLM_F_ACK,
  NLM_F_EXCL,
  NLM_F_MULTI,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  TCP,
  UDP,
  captured,
  defaultGet,
  defaultSet,
  deletePolicy,
  dumpPolicies,
  flushPolicies,
  getPolicy,
  messages,
  nameOf,
  newPolicy,
  useTransport,
  timeouts,
  attrs,
} from '../helpers/netlink.js';

const { ns, t } = useTransport();

describe('PROTOCOL.md §2 operations round-trip', () => {
  it('NEW (nfct add, §7.A) is ACKed with our seq and port id', async () => {
    const chunks = await t.request(captured('A.request'));
    const [ack] = messages(chunks);
    expect(messages(chunks)).toHaveLength(1);
    expect(ack!.type).toBe(2);
    expect(ack!.flags & 0x100).toBe(0x100); // NLM_F_CAPPED: NETLINK_CAP_ACK is on
    expect(new DataView(ack!.payload.buffer, ack!.payload.byteOffset).getInt32(0, true)).toBe(0);
    expect(ack!.pid).toBe(t.portId);
    expect(t.portId).toBeGreaterThan(0);
  });

  it('GET by name (§7.B): MULTI object without DONE, then the ACK the transport asked for', async () => {
    const get = captured('B.request');
    get[6] = NLM_F_REQUEST; // even without NLM_F_ACK the request must end
    const chunks = await t.request(get);
    const ms = messages(chunks);
    expect(ms.map((m) => [m.type, m.flags & NLM_F_MULTI])).toEqual([
      [0x0800, NLM_F_MULTI],
      [2, 0],
    ]);
    expect(nameOf(ms[0]!)).toBe('test-tcp');
    expect(timeouts(ms[0]!).get(3)).toBe(100); // ESTABLISHED
    expect(timeouts(ms[0]!).get(8)).toBe(10); // CLOSE
    expect(ms[0]!.seq).toBe(ms[1]!.seq);
    expect(get[6]).toBe(NLM_F_REQUEST); // the caller's bytes are not changed
    // Bytes handed over (the client's own encodeRequest output) are written into, not copied.
    const mine = captured('B.request');
    mine[6] = NLM_F_REQUEST;
    // (A transport of its own: `t` is the test kit's stand-in for one, which the private
    // method behind requestOwned does not accept.)
    const own = await NetlinkTransport.open({ netns: ns.path });
    try {
      const [reply] = messages(await requestOwned(own, mine));
      expect([mine[6], new DataView(mine.buffer, mine.byteOffset).getUint32(8, true)]).toEqual([NLM_F_REQUEST | NLM_F_ACK, reply!.seq]);
    } finally {
      await own.close();
    }
  });

  it('NEW on an existing name → EBUSY (§7.D) with seq, errno and operation', async () => {
    const err = await t.request(captured('D.request'), { operation: 'add' }).catch((e) => e);
    expect(err).toMatchObject({ name: 'CtTimeoutError', code: 'EBUSY', errno: 16, source: 'kernel', operation: 'add' });
    expect(typeof err.seq).toBe('number');
    expect(err.message).toContain('Device or resource busy');
  });

  it('NEW with EXCL → EEXIST (§7.E); REPLACE updates (§7.F), resetting omitted states', async () => {
    await t.request(
      newPolicy('pol1', TCP, [
        [1, 5],
        [3, 100],
      ]),
    );
    await expect(t.request(captured('E.request'))).rejects.toMatchObject({ code: 'EEXIST', errno: 17 });
    await t.request(captured('F.request'));
    const [m] = messages(await t.request(getPolicy('pol1')));
    expect(timeouts(m!).get(3)).toBe(200);
    expect(timeouts(m!).get(1)).toBe(120); // SYN_SENT back to the default
  });

  it('REPLACE with another l4proto → EINVAL', async () => {
    await expect(t.request(newPolicy('pol1', UDP, [[1, 5]], NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE))).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('dump (§7.C) ends at NLMSG_DONE and lists policies in creation order', async () => {
    await t.request(
      newPolicy('test-udp', UDP, [
        [1, 10],
        [2, 20],
      ]),
    );
    const chunks = await t.request(captured('C.request'));
    const ms = messages(chunks);
    expect(ms.at(-1)!.type).toBe(3);
    expect(ms.slice(0, -1).map(nameOf)).toEqual(['test-tcp', 'pol1', 'test-udp']);
    expect([...attrs(ms[0]!).get(5)!]).toEqual([0, 0, 0, 1]); // USE = 1
  });

  it('DELETE unknown → ENOENT (§7.G); DELETE existing → ACK (§7.H)', async () => {
    await expect(t.request(captured('G.request'))).rejects.toMatchObject({ code: 'ENOENT', errno: 2 });
    const ms = messages(await t.request(captured('H.request')));
    expect(ms.map((m) => m.type)).toEqual([2]);
    await expect(t.request(getPolicy('test-udp'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('DEFAULT_GET (§7.K): reply type DEFAULT_SET without DONE, then ACK', async () => {
    const ms = messages(await t.request(captured('K.tcp.request')));
    expect(ms.map((m) => m.type)).toEqual([0x0803, 2]);
    expect(timeouts(ms[0]!).get(3)).toBe(432000);
  });

  it('DEFAULT_SET (§7.L) changes this namespace only', async () => {
    await t.request(captured('L.request'));
    const [m] = messages(await t.request(defaultGet(UDP)));
    expect([...timeouts(m!).values()]).toEqual([40, 200]);
    await t.request(
      defaultSet(UDP, [
        [1, 30],
        [2, 120],
      ]),
    );
  });

  it('DEFAULT_GET dccp → EOPNOTSUPP (§7.L); missing attributes → EINVAL; short u32 → ERANGE', async () => {
    await expect(t.request(captured('L.dccp.request'))).rejects.toMatchObject({ code: 'EOPNOTSUPP', errno: 95 });
    await expect(t.request(newPolicy('x', 0))).rejects.toMatchObject({ code: 'EOPNOTSUPP' });
    await expect(t.request(getPolicy('x').subarray(0, 20).slice().fill(0x14, 0, 1))).rejects.toMatchObject({ code: 'EINVAL' });
    const short = newPolicy('r', TCP, [[3, 1]]);
    // ESTABLISHED as a 2-byte attribute: nla_len 6 inside a nest that still holds 8 bytes
    short[short.length - 8] = 6;
    await expect(t.request(short)).rejects.toMatchObject({ code: 'ERANGE', errno: 34 });
  });

  it('EINVAL with extended ACK text and offset (§7.M, 32-character name)', async () => {
    const err = await t.request(captured('M.einval.request'), { operation: 'add' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'EINVAL', errno: 22, extAckMessage: 'Attribute failed policy validation', extAckOffset: 20 });
    expect(err.message).toContain('Attribute failed policy validation');
  });

  it('flush (§7.J) is ACKed and leaves an empty table', async () => {
    await t.request(captured('J.request'));
    const ms = messages(await t.request(dumpPolicies()));
    expect(ms.map((m) => m.type)).toEqual([3]);
    expect(messages(await t.request(flushPolicies())).map((m) => m.type)).toEqual([2]);
  });

  it('the namespace is private: the host namespace never sees these policies', async () => {
    await t.request(newPolicy('only-in-netns', TCP));
    const host = await NetlinkTransport.open({ probe: false });
    try {
      // A read-only GET: nothing is created or changed in the machine's namespace.
      await expect(host.request(getPolicy('only-in-netns'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await host.close();
    }
    await t.request(deletePolicy('only-in-netns'));
  });

  it('opens by namespace name (/run/netns/NAME) as well as by path', async () => {
    const name = `cttimeout-test-${process.pid}`;
    // `ip netns attach` bind-mounts our private namespace as /run/netns/NAME
    execFileSync('ip', ['netns', 'attach', name, String(ns.pid)]);
    try {
      const byName = await NetlinkTransport.open({ netns: name });
      try {
        await byName.request(newPolicy('by-name', TCP));
        await t.request(deletePolicy('by-name')); // the same namespace as the path
      } finally {
        await byName.close();
      }
    } finally {
      execFileSync('ip', ['netns', 'delete', name]);
    }
  });

  it('rejects bytes that are not exactly one netlink message', async () => {
    await expect(t.request(new Uint8Array(8))).rejects.toMatchObject({ code: 'ERR_BAD_ARGUMENT' });
    const two = new Uint8Array([...getPolicy('a'), ...getPolicy('b')]);
    await expect(t.request(two)).rejects.toMatchObject({ code: 'ERR_BAD_ARGUMENT' });
    expect(NLM_F_EXCL).toBe(0x200);
  });
});
