// cttimeout/testing's fake kernels: the client works over the model-backed one exactly as over
// Linux (no root), and a scripted handler sees the requests as the kernel would.
import { describe, expect, it } from 'vitest';
import { CtTimeout } from '../../packages/cttimeout/src/client.js';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { cttimeoutKernel, fakeKernel } from '../../packages/cttimeout/src/testing/index.js';
import { dumpPolicies, getPolicy, messages } from '../helpers/netlink.js';

describe('cttimeoutKernel: the client over the model', () => {
  it('add, get, list, replace, delete, flush, defaults, apply behave as on Linux', async () => {
    const k = cttimeoutKernel();
    const ct = await CtTimeout.open({ socket: k.socket, hz: 250 });
    await ct.add({ name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 600 } });
    await expect(ct.add({ name: 'web', family: 'inet', protocol: 'tcp', timeouts: {} }, { exclusive: true })).rejects.toMatchObject({ code: 'EEXIST' });
    expect((await ct.get('web')).timeouts).toMatchObject({ ESTABLISHED: 600, CLOSE: 10 });
    await ct.replace({ name: 'web', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: 5 } }, { merge: true });
    expect((await ct.get('web')).timeouts).toMatchObject({ ESTABLISHED: 600, CLOSE: 5 });
    await ct.add({ name: 'dns', family: 'inet', protocol: 'udp', timeouts: { REPLIED: 9 } });
    expect((await ct.list().toArray()).map((p) => p.name)).toEqual(['web', 'dns']);
    await ct.setDefaults('inet', 'udp', { UNREPLIED: 20 });
    expect(await ct.getDefaults('inet', 'udp')).toMatchObject({ UNREPLIED: 20, REPLIED: 120 });
    const rule = k.model.attach('dns', 2, 17).rule!;
    await expect(ct.delete('dns')).rejects.toMatchObject({ code: 'EBUSY' });
    const flushed = await ct.flush();
    expect(flushed.deleted).toEqual(['web']);
    expect(flushed.kept.map((p) => p.name)).toEqual(['dns']);
    k.model.detach(rule);
    const res = await ct.apply([{ name: 'a', family: 'inet6', protocol: 'tcp', timeouts: { ESTABLISHED: 7 } }], { prune: true });
    expect(res.steps.map((s) => [s.action, s.name, s.status])).toEqual([
      ['create', 'a', 'done'],
      ['delete', 'dns', 'done'],
    ]);
    expect(k.model.policies().map((p) => new TextDecoder().decode(p.name))).toEqual(['a']);
    await expect(ct.get('dns')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(ct.transport.stats()).toMatchObject({ pending: 0, inFlight: 0 });
    await ct.close();
    expect(k.openSockets).toBe(0);
  });

  it('a dump is paged over several datagrams and a paused reader stops it', async () => {
    const k = cttimeoutKernel({ dumpBatch: 3 });
    const t = await NetlinkTransport.open({ socket: k.socket });
    for (let i = 0; i < 20; i++) k.model.handle({ command: 'NEW', flags: 0x405, name: `p${i}`, l3proto: 2, l4proto: 6, timeouts: {} });
    const it = t.stream(dumpPolicies(), { highWaterMark: 1 })[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 10));
    expect(t.stats().readingPaused).toBe(true);
    let parts = 1;
    for (let r = await it.next(); !r.done; r = await it.next()) parts++;
    expect(parts).toBe(Math.ceil(20 / 3) + 1); // + DONE
    await t.close();
  });
});

describe('fakeKernel: a scripted handler', () => {
  it('sees each request with the seq and flags the transport set; its reply is framed as the kernel does', async () => {
    const k = fakeKernel({
      handler: (r) => (r.seq % 2 ? { errno: 2, extAckMessage: 'no such thing' } : { messages: [{ type: 0x0800, payload: Uint8Array.of(0, 0, 0, 0) }] }),
    });
    const t = await NetlinkTransport.open({ socket: k.socket, probe: false });
    const out = await Promise.allSettled([t.request(getPolicy('a')), t.request(getPolicy('b'))]);
    const [a, b] = k.requests;
    expect(b!.seq).toBe(a!.seq + 1);
    expect(a!.flags).toBe(0x05);
    const ok = out.find((x) => x.status === 'fulfilled') as PromiseFulfilledResult<Uint8Array[]>;
    const bad = out.find((x) => x.status === 'rejected') as PromiseRejectedResult;
    expect(messages(ok.value).map((m) => [m.type, m.pid])).toEqual([
      [0x0800, t.portId],
      [2, t.portId],
    ]);
    expect(bad.reason).toMatchObject({ code: 'ENOENT', extAckMessage: 'no such thing' });
    await t.close();
  });
});
