// The typed client against the real kernel, in a private network namespace per file.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApplyError, CtTimeout, CtTimeoutError, PROTOCOLS, type Policy } from '../../packages/cttimeout/src/index.js';
import { privateNetns, type Netns } from '../helpers/netns.js';

let ns: Netns;
let ct: CtTimeout;

beforeAll(async () => {
  ns = await privateNetns();
  ct = await CtTimeout.open({ netns: ns.path });
});
afterAll(async () => {
  await ct?.close();
  ns?.dispose();
});
beforeEach(async () => {
  ns.run('iptables', ['-t', 'raw', '-F']);
  await ct.flush();
});

async function rejects(p: Promise<unknown>): Promise<CtTimeoutError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CtTimeoutError);
    return e as CtTimeoutError;
  }
  throw new Error('expected a rejection');
}

const TCP_DEFAULTS = { SYN_SENT: 120, SYN_RECV: 60, ESTABLISHED: 432000, FIN_WAIT: 120, CLOSE_WAIT: 60, LAST_ACK: 30, TIME_WAIT: 120, CLOSE: 10, SYN_SENT2: 120, RETRANS: 300, UNACKNOWLEDGED: 300 };

describe('CtTimeout', () => {
  it('adds and gets a policy with every state filled in', async () => {
    await ct.add({ name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 3000 } });
    expect(await ct.get('web')).toEqual({ name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ...TCP_DEFAULTS, ESTABLISHED: 3000 }, use: 1 });
  });

  it('reports an existing name as the kernel does: EBUSY, or EEXIST when exclusive', async () => {
    const p: Policy = { name: 'dup', family: 'inet', protocol: 'udp', timeouts: { REPLIED: 10 } };
    await ct.add(p);
    const busy = await rejects(ct.add(p));
    expect([busy.code, busy.errno, busy.source, busy.operation]).toEqual(['EBUSY', 16, 'kernel', 'add']);
    expect(busy.seq).toBeTypeOf('number');
    expect((await rejects(ct.add(p, { exclusive: true }))).code).toBe('EEXIST');
  });

  it('replace resets omitted states to the defaults; merge keeps them', async () => {
    await ct.add({ name: 'r', family: 'inet', protocol: 'tcp', timeouts: { SYN_SENT: 5, ESTABLISHED: 100 } });
    await ct.replace({ name: 'r', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 200 } });
    expect((await ct.get('r')).timeouts).toMatchObject({ SYN_SENT: 120, ESTABLISHED: 200 });
    await ct.replace({ name: 'r', family: 'inet', protocol: 'tcp', timeouts: { SYN_SENT: 7 } }, { merge: true });
    expect((await ct.get('r')).timeouts).toMatchObject({ SYN_SENT: 7, ESTABLISHED: 200 });
    expect((await rejects(ct.replace({ name: 'r', family: 'inet', protocol: 'udp', timeouts: {} }, { merge: true }))).code).toBe('EINVAL');
    expect((await rejects(ct.replace({ name: 'r', family: 'inet', protocol: 'udp', timeouts: {} }))).code).toBe('EINVAL');
    expect((await rejects(ct.replace({ name: 'nope', family: 'inet', protocol: 'tcp', timeouts: {} }, { merge: true }))).code).toBe('ENOENT');
  });

  it('gets, deletes and lists with the right errors', async () => {
    const missing = await rejects(ct.get('missing'));
    expect([missing.code, missing.errno, missing.operation]).toEqual(['ENOENT', 2, 'get']);
    expect((await rejects(ct.delete('missing'))).code).toBe('ENOENT');
    for (const name of ['a', 'b', 'c']) await ct.add({ name, family: 'inet6', protocol: 'icmpv6', timeouts: { TIMEOUT: 9 } });
    const seen: string[] = [];
    for await (const p of ct.list()) seen.push(p.name);
    expect(seen).toEqual(['a', 'b', 'c']);
    await ct.delete('b');
    expect((await ct.list().toArray()).map((p) => [p.name, p.family, p.protocol, p.timeouts])).toEqual([
      ['a', 'inet6', 'icmpv6', { TIMEOUT: 9 }],
      ['c', 'inet6', 'icmpv6', { TIMEOUT: 9 }],
    ]);
  });

  it('refuses to delete a policy an iptables CT rule uses, and flush says what it kept', async () => {
    await ct.add({ name: 'busy', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 60 } });
    await ct.add({ name: 'idle', family: 'inet', protocol: 'udp', timeouts: {} });
    ns.run('iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'busy']);
    expect((await ct.get('busy')).use).toBe(2);
    expect((await rejects(ct.delete('busy'))).code).toBe('EBUSY');
    const r = await ct.flush();
    expect(r.deleted).toEqual(['idle']);
    expect(r.kept.map((p) => [p.name, p.use])).toEqual([['busy', 2]]);
  });

  it('round-trips every protocol the kernel tracks; dccp is EOPNOTSUPP on this kernel', async () => {
    for (const p of PROTOCOLS) {
      const timeouts = Object.fromEntries(p.states.map((s, i) => [s.name, 1000 + i]));
      const policy = { name: `p-${p.name}`, family: 'inet', protocol: p.name, timeouts } as Policy;
      if (p.name === 'dccp') {
        expect((await rejects(ct.add(policy))).code).toBe('EOPNOTSUPP');
        continue;
      }
      await ct.add(policy);
      expect((await ct.get(policy.name)).timeouts).toEqual(timeouts);
    }
  });

  it('reads and sets defaults (UDP and UDP-Lite share a table)', async () => {
    expect(await ct.getDefaults('inet', 'tcp')).toEqual(TCP_DEFAULTS);
    await ct.setDefaults('inet', 'udp', { UNREPLIED: 40, REPLIED: 200 });
    expect(await ct.getDefaults('inet6', 'udplite')).toEqual({ UNREPLIED: 40, REPLIED: 200 });
    await ct.setDefaults('inet', 'udp', { UNREPLIED: 30, REPLIED: 120 });
  });

  it('checks names, states and values before sending anything', async () => {
    const long = await rejects(ct.add({ name: 'x'.repeat(32), family: 'inet', protocol: 'tcp', timeouts: {} }));
    expect([long.code, long.field, long.source]).toEqual(['ERR_NAME_TOO_LONG', 'name', 'codec']);
    const state = await rejects(ct.add({ name: 'x', family: 'inet', protocol: 'udp', timeouts: { ESTABLISHED: 5 } } as never));
    expect([state.code, state.field]).toEqual(['ERR_UNKNOWN_STATE', 'timeouts.ESTABLISHED']);
    const big = await rejects(ct.add({ name: 'x', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: ct.maxSeconds + 1 } }));
    expect([big.code, big.field]).toEqual(['ERR_VALUE_RANGE', 'timeouts.CLOSE']);
    expect((await rejects(ct.add({ name: 'x', family: 'ipx', protocol: 'tcp', timeouts: {} } as never))).code).toBe('ERR_UNKNOWN_FAMILY');
    expect((await rejects(ct.add({ name: 'x', family: 'inet', protocol: 'esp', timeouts: {} } as never))).code).toBe('ERR_UNKNOWN_PROTOCOL');
    // the largest exact value for this kernel's HZ is accepted and read back unchanged
    await ct.add({ name: 'max', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: ct.maxSeconds } });
    expect((await ct.get('max')).timeouts.CLOSE).toBe(ct.maxSeconds);
    expect(await ct.list().toArray()).toHaveLength(1);
  });
});

describe('apply', () => {
  const desired: Policy[] = [
    { name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 3000 } },
    { name: 'dns', family: 'inet', protocol: 'udp', timeouts: { UNREPLIED: 5, REPLIED: 10 } },
  ];

  it('plans, creates, and then plans nothing', async () => {
    const plan = await ct.apply(desired, { dryRun: true });
    expect(plan.steps.map((s) => [s.action, s.name, s.status])).toEqual([
      ['create', 'web', 'planned'],
      ['create', 'dns', 'planned'],
    ]);
    expect(await ct.list().toArray()).toEqual([]);
    const done = await ct.apply(desired);
    expect(done.steps.every((s) => s.status === 'done')).toBe(true);
    expect((await ct.get('web')).timeouts.ESTABLISHED).toBe(3000);
    const again = await ct.apply(desired);
    expect([again.unchanged, again.steps, again.inSync]).toEqual([true, [], ['web', 'dns']]);
  });

  it('updates, recreates and prunes, keeping policies in use', async () => {
    await ct.apply(desired);
    await ct.add({ name: 'old', family: 'inet', protocol: 'icmp', timeouts: {} });
    await ct.add({ name: 'pinned', family: 'inet', protocol: 'tcp', timeouts: {} });
    ns.run('iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'pinned']);
    const next: Policy[] = [
      { name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 4000 } },
      { name: 'dns', family: 'inet6', protocol: 'udp', timeouts: { UNREPLIED: 5, REPLIED: 10 } },
    ];
    const r = await ct.apply(next, { prune: true });
    expect(r.steps.map((s) => [s.action, s.name, s.status])).toEqual([
      ['update', 'web', 'done'],
      ['recreate', 'dns', 'done'],
      ['delete', 'old', 'done'],
    ]);
    expect(r.keptInUse).toEqual(['pinned']);
    expect((await ct.list().toArray()).map((p) => [p.name, p.family])).toEqual([
      ['web', 'inet'],
      ['pinned', 'inet'],
      ['dns', 'inet6'],
    ]);
    expect((await ct.apply(next, { prune: true })).unchanged).toBe(true);
  });

  it('on failure says exactly which steps happened', async () => {
    await ct.add({ name: 'pinned', family: 'inet', protocol: 'tcp', timeouts: {} });
    ns.run('iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'pinned']);
    const e = await rejects(
      ct.apply([
        { name: 'first', family: 'inet', protocol: 'udp', timeouts: {} },
        { name: 'pinned', family: 'inet', protocol: 'udp', timeouts: {} },
      ]),
    );
    expect(e).toBeInstanceOf(ApplyError);
    const steps = (e as ApplyError).steps;
    expect(steps.map((s) => [s.action, s.name, s.status, s.error?.code])).toEqual([
      ['create', 'first', 'done', undefined],
      ['recreate', 'pinned', 'failed', 'EBUSY'],
    ]);
    expect((await ct.get('first')).protocol).toBe('udp');
    expect((await ct.get('pinned')).protocol).toBe('tcp');
  });

  it('rejects duplicate names before touching the kernel', async () => {
    expect((await rejects(ct.apply([desired[0]!, desired[0]!]))).code).toBe('ERR_DUPLICATE_NAME');
    expect(await ct.list().toArray()).toEqual([]);
  });
});

describe('lifecycle', () => {
  it('close() makes later calls fail with ERR_CLOSED', async () => {
    const c = await CtTimeout.open({ netns: ns.path });
    await c.close();
    expect((await rejects(c.get('x'))).code).toBe('ERR_CLOSED');
  });

  it('knows the kernel HZ (CONFIG_HZ) for the overflow limit', () => {
    expect(ct.maxSeconds).toBe(Math.floor(0xffffffff / ct.hz));
  });
});
