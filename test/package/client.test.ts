// The typed client against the real kernel, in a private network namespace per file.
import { describe, expect, it } from 'vitest';
import { ApplyError, CtTimeout, detectHz, PROTOCOLS, type Policy } from '../../packages/cttimeout/src/index.js';
import { useClient } from '../helpers/client.js';
import { TCP_DEFAULTS } from './kit.js';
import { rejected } from '../helpers/errors.js';

const { ns, ct } = useClient();

describe('CtTimeout', () => {
  it('adds and gets a policy with every state filled in', async () => {
    await ct.add({ name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 3000 } });
    expect(await ct.get('web')).toEqual({ name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ...TCP_DEFAULTS, ESTABLISHED: 3000 }, use: 1 });
  });

  it('reports an existing name as the kernel does: EBUSY, or EEXIST when exclusive', async () => {
    const p: Policy = { name: 'dup', family: 'inet', protocol: 'udp', timeouts: { REPLIED: 10 } };
    await ct.add(p);
    const busy = await rejected(ct.add(p));
    expect([busy.code, busy.errno, busy.source, busy.operation]).toEqual(['EBUSY', 16, 'kernel', 'add']);
    expect(busy.seq).toBeTypeOf('number');
    expect((await rejected(ct.add(p, { exclusive: true }))).code).toBe('EEXIST');
  });

  it('replace resets omitted states to the defaults; merge keeps them', async () => {
    await ct.add({ name: 'r', family: 'inet', protocol: 'tcp', timeouts: { SYN_SENT: 5, ESTABLISHED: 100 } });
    await ct.replace({ name: 'r', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 200 } });
    expect((await ct.get('r')).timeouts).toMatchObject({ SYN_SENT: 120, ESTABLISHED: 200 });
    await ct.replace({ name: 'r', family: 'inet', protocol: 'tcp', timeouts: { SYN_SENT: 7 } }, { merge: true });
    expect((await ct.get('r')).timeouts).toMatchObject({ SYN_SENT: 7, ESTABLISHED: 200 });
    expect((await rejected(ct.replace({ name: 'r', family: 'inet', protocol: 'udp', timeouts: {} }, { merge: true }))).code).toBe('EINVAL');
    expect((await rejected(ct.replace({ name: 'r', family: 'inet', protocol: 'udp', timeouts: {} }))).code).toBe('EINVAL');
    expect((await rejected(ct.replace({ name: 'nope', family: 'inet', protocol: 'tcp', timeouts: {} }, { merge: true }))).code).toBe('ENOENT');
  });

  it('gets, deletes and lists with the right errors', async () => {
    const missing = await rejected(ct.get('missing'));
    expect([missing.code, missing.errno, missing.operation]).toEqual(['ENOENT', 2, 'get']);
    expect((await rejected(ct.delete('missing'))).code).toBe('ENOENT');
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
    expect((await rejected(ct.delete('busy'))).code).toBe('EBUSY');
    const r = await ct.flush();
    expect(r.deleted).toEqual(['idle']);
    expect(r.kept.map((p) => [p.name, p.use])).toEqual([['busy', 2]]);
  });

  it('round-trips every protocol the kernel tracks; dccp is EOPNOTSUPP on this kernel', async () => {
    for (const p of PROTOCOLS) {
      const timeouts = Object.fromEntries(p.states.map((s, i) => [s.name, 1000 + i]));
      const policy = { name: `p-${p.name}`, family: 'inet', protocol: p.name, timeouts } as Policy;
      if (p.name === 'dccp') {
        expect((await rejected(ct.add(policy))).code).toBe('EOPNOTSUPP');
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
    const long = await rejected(ct.add({ name: 'x'.repeat(32), family: 'inet', protocol: 'tcp', timeouts: {} }));
    expect([long.code, long.field, long.source, long.operation]).toEqual(['ERR_NAME_TOO_LONG', 'name', 'usage', 'add']);
    const state = await rejected(ct.add({ name: 'x', family: 'inet', protocol: 'udp', timeouts: { ESTABLISHED: 5 } } as never));
    expect([state.code, state.field]).toEqual(['ERR_UNKNOWN_STATE', 'timeouts.ESTABLISHED']);
    const big = await rejected(ct.add({ name: 'x', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: ct.maxSeconds + 1 } }));
    expect([big.code, big.field]).toEqual(['ERR_VALUE_RANGE', 'timeouts.CLOSE']);
    expect((await rejected(ct.add({ name: 'x', family: 'ipx', protocol: 'tcp', timeouts: {} } as never))).code).toBe('ERR_UNKNOWN_FAMILY');
    expect((await rejected(ct.add({ name: 'x', family: 'inet', protocol: 'esp', timeouts: {} } as never))).code).toBe('ERR_UNKNOWN_PROTOCOL');
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
    const e = await rejected(
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
    expect((await rejected(ct.apply([desired[0]!, desired[0]!]))).code).toBe('ERR_DUPLICATE_NAME');
    expect(await ct.list().toArray()).toEqual([]);
  });
});

describe('arguments', () => {
  async function bad(p: Promise<unknown>, code: string, field: string): Promise<void> {
    const e = await rejected(p);
    expect([e.code, e.field, e.source], e.message).toEqual([code, field, 'usage']);
  }

  it('get() / get(undefined) / delete() are argument errors, never a dump or a TypeError', async () => {
    await ct.add({ name: 'first', family: 'inet', protocol: 'tcp', timeouts: {} });
    const sent = ct.transport.stats().datagramsSent;
    await bad((ct.get as (n?: unknown) => Promise<unknown>)(), 'ERR_INVALID_ARGUMENT', 'name');
    await bad(ct.get(undefined as never), 'ERR_INVALID_ARGUMENT', 'name');
    await bad(ct.get(5 as never), 'ERR_INVALID_ARGUMENT', 'name');
    await bad(ct.delete(undefined as never), 'ERR_INVALID_ARGUMENT', 'name');
    await bad(ct.get('web\uD800'), 'ERR_INVALID_NAME', 'name');
    expect(ct.transport.stats().datagramsSent).toBe(sent);
    expect(await ct.list().toArray()).toHaveLength(1);
  });

  it('wrong types anywhere are CtTimeoutErrors with a code and the field', async () => {
    await bad(ct.add(null as never), 'ERR_INVALID_ARGUMENT', 'policy');
    await bad(ct.add({ name: 'x', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: 5n } } as never), 'ERR_INVALID_ARGUMENT', 'timeouts.CLOSE');
    await bad(ct.add({ name: 'x', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: '5' } } as never), 'ERR_INVALID_ARGUMENT', 'timeouts.CLOSE');
    await bad(ct.add({ name: 'x', family: 'inet', protocol: 'tcp', timeouts: null } as never), 'ERR_INVALID_ARGUMENT', 'timeouts');
    await bad(ct.add({ name: 'x', family: 'inet', protocol: 'tcp', timeouts: {} }, { exclusive: 'yes' } as never), 'ERR_INVALID_ARGUMENT', 'options.exclusive');
    await bad(ct.replace({ name: 'x', family: 'inet', protocol: 'tcp', timeouts: {} }, null as never), 'ERR_INVALID_ARGUMENT', 'options');
    await bad(ct.apply(null as never), 'ERR_INVALID_ARGUMENT', 'policies');
    await bad(ct.apply([], { signal: 'x' } as never), 'ERR_INVALID_ARGUMENT', 'options.signal');
    await bad(ct.get('x', { timeoutMs: -1 }), 'ERR_INVALID_ARGUMENT', 'options.timeoutMs');
    await bad(ct.setDefaults('inet', 'udp', null as never), 'ERR_INVALID_ARGUMENT', 'timeouts');
    await bad(ct.setDefaults('inet', 'udp', undefined as never), 'ERR_INVALID_ARGUMENT', 'timeouts');
    await bad(ct.setDefaults('inet', 'udp', { REPLIED: 10n } as never), 'ERR_INVALID_ARGUMENT', 'timeouts.REPLIED');
    await bad(ct.getDefaults('ipx' as never, 'udp'), 'ERR_UNKNOWN_FAMILY', 'family');
    await bad(ct.getDefaults('inet', 'esp' as never), 'ERR_UNKNOWN_PROTOCOL', 'protocol');
    expect(await ct.list().toArray()).toEqual([]);
  });

  it('accepts lower-case state names everywhere', async () => {
    await ct.add({ name: 'lc', family: 'inet', protocol: 'tcp', timeouts: { established: 77 } } as never);
    await ct.replace({ name: 'lc', family: 'inet', protocol: 'tcp', timeouts: { close: 3 } } as never, { merge: true });
    expect((await ct.get('lc')).timeouts).toMatchObject({ ESTABLISHED: 77, CLOSE: 3 });
    const before = await ct.getDefaults('inet', 'udp');
    await ct.setDefaults('inet', 'udp', { replied: 121 } as never);
    expect((await ct.getDefaults('inet', 'udp')).REPLIED).toBe(121);
    await ct.setDefaults('inet', 'udp', before);
  });

  it('open() checks its options: hz only a CONFIG_HZ Linux offers', async () => {
    for (const hz of [0, NaN, 1, 999, '250']) {
      const e = await rejected(CtTimeout.open({ netns: ns.path, hz } as never));
      expect([e.code, e.field, e.operation]).toEqual(['ERR_VALUE_RANGE', 'options.hz', 'open']);
    }
    await bad(CtTimeout.open(null as never), 'ERR_INVALID_ARGUMENT', 'options');
    const c = await CtTimeout.open({ netns: ns.path, hz: 100 });
    try {
      expect([c.hz, c.hzSource, c.maxSeconds]).toEqual([100, 'option', 42949672]);
    } finally {
      await c.close();
    }
  });
});

describe('names as bytes', () => {
  it('a Uint8Array name that is UTF-8 is the same policy as the string', async () => {
    await ct.add({ name: new Uint8Array([0x77, 0x65, 0x62]), family: 'inet', protocol: 'udp', timeouts: {} });
    expect((await ct.get('web')).name).toBe('web');
    expect((await ct.get(new TextEncoder().encode('web'))).protocol).toBe('udp');
    await ct.delete(new Uint8Array([0x77, 0x65, 0x62]));
    expect(await ct.list().toArray()).toEqual([]);
  });

  it('decodes a name that is not UTF-8 to its exact bytes, distinct from U+FFFD', async () => {
    ns.run('bash', ['-c', "nfct add timeout $'\\xff' inet tcp close 1 && nfct add timeout $'\\xef\\xbf\\xbd' inet tcp close 2"]);
    const all = await ct.list().toArray();
    expect(all.map((p) => [p.name, p.timeouts.CLOSE])).toEqual([
      [new Uint8Array([0xff]), 1],
      ['\uFFFD', 2],
    ]);
    // prune compares bytes: the list names U+FFFD, so only the \xff one is not in it
    const plan = await ct.apply([{ name: '\uFFFD', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: 2 } }], { prune: true, dryRun: true });
    expect(plan.steps.map((s) => [s.action, s.name])).toEqual([['delete', new Uint8Array([0xff])]]);
    expect(plan.inSync).toEqual(['\uFFFD']);
    // and the bytes reach the kernel exactly: get, delete and apply act on the \xff policy only
    expect((await ct.get(new Uint8Array([0xff]))).timeouts.CLOSE).toBe(1);
    await ct.delete(new Uint8Array([0xff]));
    expect((await ct.list().toArray()).map((p) => p.name)).toEqual(['\uFFFD']);
    await ct.apply([{ name: new Uint8Array([0xfe, 0x41]), family: 'inet6', protocol: 'udp', timeouts: {} }]);
    expect(ns.run('bash', ['-c', "nfct get timeout $'\\xfe'A | head -1 | od -An -tx1"]).trim()).toBe('2e fe 41 20 3d 20 7b 0a');
  });

  it('a lone surrogate is refused, so prune can never flip-flop on it', async () => {
    await ct.add({ name: 'web\uFFFD', family: 'inet', protocol: 'tcp', timeouts: {} });
    const e = await rejected(ct.apply([{ name: 'web\uD800', family: 'inet', protocol: 'tcp', timeouts: {} }], { prune: true }));
    expect([e.code, e.field, (e as { index?: number }).index]).toEqual(['ERR_INVALID_NAME', 'name', 0]);
    expect((await ct.list().toArray()).map((p) => p.name)).toEqual(['web\uFFFD']);
  });
});

describe('HZ', () => {
  it('CTTIMEOUT_HZ wins, and must be a CONFIG_HZ value', async () => {
    expect(await detectHz({ CTTIMEOUT_HZ: '100' })).toEqual({ hz: 100, source: 'CTTIMEOUT_HZ' });
    for (const v of ['0', '1', 'abc', '250.0', ' 250']) {
      await expect(detectHz({ CTTIMEOUT_HZ: v })).rejects.toMatchObject({ code: 'ERR_VALUE_RANGE', field: 'CTTIMEOUT_HZ' });
    }
  });

  it('without a kernel config it measures HZ from jiffies, or says it is unknown', async () => {
    const fromConfig = await detectHz({});
    expect(fromConfig.source).toBe('/proc/config.gz');
    const measured = await detectHz({}, { configs: ['/nonexistent/config'] });
    expect(measured).toEqual({ hz: fromConfig.hz, source: 'measured (/proc/timer_list)' });
    const unknown = await detectHz({}, { configs: [], timerList: '/nonexistent/timer_list' });
    expect(unknown.hz).toBeUndefined();
    expect(unknown.source).toMatch(/CTTIMEOUT_HZ/);
  });
});

describe('lifecycle', () => {
  it('close() makes later calls fail with ERR_CLOSED', async () => {
    const c = await CtTimeout.open({ netns: ns.path });
    await c.close();
    expect((await rejected(c.get('x'))).code).toBe('ERR_CLOSED');
  });

  it('knows the kernel HZ (CONFIG_HZ) for the overflow limit', () => {
    expect(ct.maxSeconds).toBe(Math.floor(0xffffffff / ct.hz!));
  });
});
