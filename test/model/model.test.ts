// The in-memory kernel model (packages/cttimeout/src/testing/model.ts) against the facts of
// PROTOCOL.md §2: the captured requests of §7 go in through the codec, and what the model
// answers must be what the kernel answered in the capture.
import { describe, expect, it } from 'vitest';
import { decode } from '../../packages/cttimeout/src/codec/node.js';
import type { TimeoutMessage } from '../../packages/cttimeout/src/codec/types.js';
import { ERRNO, fromDecoded, KernelModel, NLM_F, type ModelRequest } from '../../packages/cttimeout/src/testing/model.js';
import { bytes } from '../helpers/fixtures.js';

const ACK = NLM_F.REQUEST | NLM_F.ACK;
const CREATE = ACK | NLM_F.CREATE;

function request(id: string): ModelRequest {
  const r = decode(bytes(id));
  expect(r.error).toBeUndefined();
  return fromDecoded(r.messages[0] as TimeoutMessage);
}

/** The policy or defaults messages of a captured reply datagram. */
function replied(id: string): TimeoutMessage[] {
  return decode(bytes(id)).messages.filter((m): m is TimeoutMessage => m.kind === 'timeout');
}

/** The errno of a captured NLMSG_ERROR (0 for an ACK). */
function repliedErrno(id: string): number {
  const m = decode(bytes(id)).messages[0]!;
  if (m.kind === 'ack') return 0;
  if (m.kind === 'error') return m.errno;
  throw new Error(`${id} is not an ACK or error`);
}

const tcpPolicy = (name: string | Uint8Array, timeouts: Record<string, number> = {}, flags = CREATE): ModelRequest => ({
  command: 'NEW',
  flags,
  name,
  l3proto: 2,
  l4proto: 6,
  timeouts,
});

describe('kernel model: the captured conversations of PROTOCOL.md §7', () => {
  it('A, B, C: create, get and dump report what the kernel reported', () => {
    const k = new KernelModel();
    expect(k.handle(request('A.request'))).toEqual({ errno: repliedErrno('A.ack'), messages: [], end: 'ack' });
    const got = k.handle(request('B.request'));
    expect(got.errno).toBe(0);
    expect(got.end).toBe('ack');
    const [want] = replied('B.policy');
    expect(got.messages).toEqual([
      {
        kind: 'policy',
        policy: { name: new TextEncoder().encode('test-tcp'), l3proto: want!.l3proto, l4proto: want!.l4proto, use: want!.use, timeouts: want!.timeouts },
      },
    ]);

    expect(k.handle({ command: 'NEW', flags: CREATE, name: 'test-udp', l3proto: 2, l4proto: 17, timeouts: { UNREPLIED: 10, REPLIED: 20 } }).errno).toBe(0);
    const dump = k.handle(request('C.request'));
    expect(dump.end).toBe('done');
    const policies = dump.messages.map((m) => (m.kind === 'policy' ? m.policy : undefined));
    expect(policies.map((p) => [new TextDecoder().decode(p!.name), p!.l4proto, p!.use, p!.timeouts])).toEqual(
      replied('C.datagram1').map((m) => [m.name, m.l4proto, m.use, m.timeouts]),
    );
  });

  it('D, E, F: an existing name is EBUSY, EEXIST with EXCL, and REPLACE resets omitted states to the defaults', () => {
    const k = new KernelModel();
    k.handle(request('A.request'));
    expect(k.handle(request('D.request')).errno).toBe(repliedErrno('D.ebusy'));
    expect(k.handle(tcpPolicy('pol1', { SYN_SENT: 5, ESTABLISHED: 100 })).errno).toBe(0);
    expect(k.handle(request('E.request')).errno).toBe(repliedErrno('E.eexist'));
    expect(k.policy('pol1')!.timeouts.SYN_SENT).toBe(5);
    expect(k.handle(request('F.request')).errno).toBe(repliedErrno('F.ack'));
    expect(k.policy('pol1')!.timeouts).toMatchObject({ SYN_SENT: 120, ESTABLISHED: 200 });
  });

  it('G, H, I, J: delete is ENOENT when missing, EBUSY while a CT rule holds it; flush keeps busy policies', () => {
    const k = new KernelModel();
    expect(k.handle(request('G.request')).errno).toBe(repliedErrno('G.enoent'));
    k.handle(request('A.request'));
    k.handle({ command: 'NEW', flags: CREATE, name: 'test-udp', l3proto: 2, l4proto: 17, timeouts: {} });
    expect(k.handle(request('H.request')).errno).toBe(repliedErrno('H.ack'));
    const rule = k.attach('test-tcp', 2, 6);
    expect(rule.errno).toBe(0);
    expect(k.policy('test-tcp')!.use).toBe(2);
    expect(k.handle(request('I.request')).errno).toBe(repliedErrno('I.ebusy'));
    k.handle({ command: 'NEW', flags: CREATE, name: 'spare', l3proto: 10, l4proto: 1, timeouts: {} });
    expect(k.handle(request('J.request')).errno).toBe(repliedErrno('J.ack'));
    expect(k.policies().map((p) => new TextDecoder().decode(p.name))).toEqual(['test-tcp']);
    k.detach(rule.rule!);
    expect(k.handle(request('I.request')).errno).toBe(0);
    expect(k.policies()).toEqual([]);
  });

  it('K: default-get of every protocol gives the fresh namespace defaults captured on 6.18', () => {
    const k = new KernelModel();
    for (const proto of ['tcp', 'udp', 'icmp', 'icmpv6', 'sctp', 'gre', 'generic', 'udplite']) {
      const [want] = replied(`K.${proto}.reply`);
      const got = k.handle({ command: 'DEFAULT_GET', flags: ACK, l3proto: want!.l3proto!, l4proto: want!.l4proto! });
      expect(got).toEqual({ errno: 0, messages: [{ kind: 'defaults', l3proto: want!.l3proto, l4proto: want!.l4proto, timeouts: want!.timeouts }], end: 'ack' });
    }
    expect(k.handle(request('K.tcp.request')).messages).toHaveLength(1);
  });

  it('L: default-set UDP also changes UDP-Lite and both families; dccp has no tracker', () => {
    const k = new KernelModel();
    expect(k.handle(request('L.request')).errno).toBe(repliedErrno('L.ack'));
    for (const [l3, l4] of [
      [2, 17],
      [10, 17],
      [2, 136],
      [10, 136],
    ] as const) {
      expect(k.handle({ command: 'DEFAULT_GET', flags: ACK, l3proto: l3, l4proto: l4 }).messages[0]).toMatchObject({
        timeouts: { UNREPLIED: 40, REPLIED: 200 },
      });
    }
    expect(k.handle(request('L.dccp.request')).errno).toBe(repliedErrno('L.dccp.eopnotsupp'));
    expect(k.handle({ command: 'NEW', flags: CREATE, name: 'd', l3proto: 2, l4proto: 33, timeouts: {} }).errno).toBe(ERRNO.EOPNOTSUPP);
    expect(k.handle({ command: 'DEFAULT_SET', flags: ACK, l4proto: 33, timeouts: {} }).errno).toBe(ERRNO.EOPNOTSUPP);
  });

  it('M: a 32-byte name is EINVAL for every command', () => {
    const k = new KernelModel();
    const long = 'b'.repeat(32);
    expect(k.handle(tcpPolicy(long, { ESTABLISHED: 1 })).errno).toBe(ERRNO.EINVAL);
    expect(k.handle({ command: 'GET', flags: ACK, name: long }).errno).toBe(ERRNO.EINVAL);
    expect(k.handle({ command: 'GET', flags: NLM_F.REQUEST | NLM_F.DUMP, name: long }).errno).toBe(ERRNO.EINVAL);
    expect(k.handle({ command: 'DELETE', flags: ACK, name: long }).errno).toBe(ERRNO.EINVAL);
    expect(k.handle(tcpPolicy('b'.repeat(31), { ESTABLISHED: 1 })).errno).toBe(0);
  });
});

describe('kernel model: semantics of PROTOCOL.md §2', () => {
  it('stores seconds × HZ in 32 bits and reports stored / HZ', () => {
    const k = new KernelModel({ hz: 250 });
    expect(k.maxSeconds).toBe(17_179_869);
    k.handle(tcpPolicy('a', { ESTABLISHED: 17_179_869, CLOSE: 4_294_967_295, SYN_SENT: 17_179_870, SYN_RECV: 0 }));
    expect(k.policy('a')!.timeouts).toMatchObject({ ESTABLISHED: 17_179_869, CLOSE: 17_179_868, SYN_SENT: 0, SYN_RECV: 0 });
    const k1000 = new KernelModel({ hz: 1000 });
    expect(k1000.reported(4_294_968)).toBe(0);
    expect(k1000.reported(4_294_967)).toBe(4_294_967);
  });

  it('every NEW attribute is mandatory; an empty DATA means all defaults', () => {
    const k = new KernelModel();
    const full = tcpPolicy('x');
    for (const drop of ['name', 'l3proto', 'l4proto', 'timeouts'] as const) {
      const r = { ...full };
      delete r[drop];
      expect(k.handle(r).errno, drop).toBe(ERRNO.EINVAL);
    }
    expect(k.handle({ ...full, timeouts: undefined, rawTimeouts: [] }).errno).toBe(0);
    expect(k.policy('x')!.timeouts.ESTABLISHED).toBe(432000);
  });

  it('a duplicate name is EEXIST/EBUSY before the protocol is looked at; REPLACE needs the same family and protocol', () => {
    const k = new KernelModel();
    k.handle(tcpPolicy('x'));
    expect(k.handle({ command: 'NEW', flags: CREATE, name: 'x', l3proto: 2, l4proto: 50, timeouts: {} }).errno).toBe(ERRNO.EBUSY);
    expect(k.handle({ command: 'NEW', flags: CREATE | NLM_F.EXCL | NLM_F.REPLACE, name: 'x', l3proto: 2, l4proto: 50, timeouts: {} }).errno).toBe(ERRNO.EEXIST);
    expect(k.handle({ command: 'NEW', flags: ACK | NLM_F.REPLACE, name: 'x', l3proto: 2, l4proto: 17, timeouts: {} }).errno).toBe(ERRNO.EINVAL);
    expect(k.handle({ command: 'NEW', flags: ACK | NLM_F.REPLACE, name: 'x', l3proto: 10, l4proto: 6, timeouts: {} }).errno).toBe(ERRNO.EINVAL);
    expect(k.handle({ command: 'NEW', flags: ACK | NLM_F.REPLACE, name: 'y', l3proto: 10, l4proto: 6, timeouts: {} }).errno).toBe(0);
    expect(k.handle({ command: 'NEW', flags: ACK, name: 'z', l3proto: 99, l4proto: 0, timeouts: {} }).errno).toBe(ERRNO.EOPNOTSUPP);
    expect(k.handle({ command: 'NEW', flags: ACK, name: 'z', l3proto: 99, l4proto: 255, timeouts: {} }).errno).toBe(0);
    expect(k.policy('z')!.l3proto).toBe(99);
  });

  it('omitted states take the defaults of the moment: later default-set does not change policies, REPLACE picks them up', () => {
    const k = new KernelModel();
    k.handle(tcpPolicy('x', { CLOSE: 1 }));
    k.handle({ command: 'DEFAULT_SET', flags: ACK, l4proto: 6, timeouts: { SYN_SENT: 7 } });
    expect(k.policy('x')!.timeouts).toMatchObject({ SYN_SENT: 120, CLOSE: 1 });
    k.handle(tcpPolicy('x', { ESTABLISHED: 9 }, ACK | NLM_F.REPLACE));
    expect(k.policy('x')!.timeouts).toMatchObject({ SYN_SENT: 7, CLOSE: 10, ESTABLISHED: 9 });
    // Omitted states of a default-set keep their values.
    k.handle({ command: 'DEFAULT_SET', flags: ACK, l3proto: 10, l4proto: 6, timeouts: {} });
    expect(k.defaults(6)).toMatchObject({ SYN_SENT: 7, ESTABLISHED: 432000 });
  });

  it('DEFAULT_SET needs L4PROTO and DATA (L3PROTO optional); DEFAULT_GET needs L3PROTO and L4PROTO', () => {
    const k = new KernelModel();
    expect(k.handle({ command: 'DEFAULT_SET', flags: ACK, l4proto: 6 }).errno).toBe(ERRNO.EINVAL);
    expect(k.handle({ command: 'DEFAULT_SET', flags: ACK, l3proto: 2, timeouts: {} }).errno).toBe(ERRNO.EINVAL);
    expect(k.handle({ command: 'DEFAULT_GET', flags: ACK, l4proto: 6 }).errno).toBe(ERRNO.EINVAL);
    expect(k.handle({ command: 'DEFAULT_GET', flags: NLM_F.REQUEST | NLM_F.DUMP, l3proto: 0, l4proto: 6 })).toMatchObject({
      errno: 0,
      end: 'none',
      messages: [{ l3proto: 0 }],
    });
  });

  it('names are bytes up to the first NUL, compared exactly; the empty name is a name', () => {
    const k = new KernelModel();
    expect(k.handle(tcpPolicy(Uint8Array.of(0xff))).errno).toBe(0);
    expect(k.handle(tcpPolicy('\uFFFD')).errno).toBe(0);
    expect(k.handle(tcpPolicy('')).errno).toBe(0);
    expect(k.handle(tcpPolicy(Uint8Array.of(0x61, 0, 0x62))).errno).toBe(0);
    expect(k.handle({ command: 'GET', flags: ACK, name: 'a' }).errno).toBe(0);
    expect(k.handle({ command: 'GET', flags: ACK, nameHex: 'ff' }).messages[0]).toMatchObject({ policy: { name: Uint8Array.of(0xff) } });
    expect(k.policies().map((p) => Buffer.from(p.name).toString('hex'))).toEqual(['ff', 'efbfbd', '', '61']);
    expect(k.handle({ command: 'DELETE', flags: ACK, name: Uint8Array.of(0xff) }).errno).toBe(0);
    expect(k.policy('\uFFFD')).toBeDefined();
    expect(k.policy(Uint8Array.of(0xff))).toBeUndefined();
  });

  it('GET needs a name unless either DUMP bit is set; a dump ends with DONE and no ACK; commands past DEFAULT_GET are EINVAL', () => {
    const k = new KernelModel();
    k.handle(tcpPolicy('a'));
    k.handle(tcpPolicy('b'));
    expect(k.handle({ command: 'GET', flags: ACK }).errno).toBe(ERRNO.EINVAL);
    expect(k.handle({ command: 'GET', flags: ACK, name: 'c' }).errno).toBe(ERRNO.ENOENT);
    for (const bit of [NLM_F.ROOT, NLM_F.MATCH]) {
      expect(k.handle({ command: 'GET', flags: ACK | bit, name: 'zzz' })).toMatchObject({ errno: 0, end: 'done', messages: [{}, {}] });
    }
    expect(k.handle({ command: 5, flags: ACK }).errno).toBe(ERRNO.EINVAL);
    expect(k.handle({ command: 'DELETE', flags: NLM_F.REQUEST, name: 'a' })).toEqual({ errno: 0, messages: [], end: 'none' });
  });

  it('a CT rule needs the policy, its family and the rule protocol tracker (generic for others); an empty name holds nothing', () => {
    const k = new KernelModel();
    k.handle(tcpPolicy('t'));
    k.handle({ command: 'NEW', flags: CREATE, name: 'g', l3proto: 10, l4proto: 255, timeouts: {} });
    expect(k.attach('nope', 2, 6).errno).toBe(ERRNO.ENOENT);
    expect(k.attach('t', 10, 6).errno).toBe(ERRNO.EINVAL);
    expect(k.attach('t', 2, 17).errno).toBe(ERRNO.EINVAL);
    expect(k.attach('g', 10, 50).errno).toBe(0);
    expect(k.attach('g', 10, 6).errno).toBe(ERRNO.EINVAL);
    const a = k.attach('t', 2, 6).rule!;
    const b = k.attach('t', 2, 6).rule!;
    expect(k.policy('t')!.use).toBe(3);
    k.detach(a);
    expect(k.handle({ command: 'DELETE', flags: ACK, name: 't' }).errno).toBe(ERRNO.EBUSY);
    k.detach(b);
    expect(() => k.detach(b)).toThrow();
    expect(k.handle({ command: 'DELETE', flags: ACK, name: 't' }).errno).toBe(0);
    expect(k.attach('', 2, 6).errno).toBe(0);
  });

  it('a kernel without a tracker answers EOPNOTSUPP for it; with UDP absent UDP-Lite has its own table', () => {
    const k = new KernelModel({ trackers: [6, 136, 255] });
    expect(k.handle({ command: 'DEFAULT_GET', flags: ACK, l3proto: 2, l4proto: 17 }).errno).toBe(ERRNO.EOPNOTSUPP);
    expect(k.handle({ command: 'DEFAULT_GET', flags: ACK, l3proto: 2, l4proto: 136 }).messages[0]).toMatchObject({ timeouts: { UNREPLIED: 30, REPLIED: 120 } });
    expect(k.hasTracker(47)).toBe(false);
    expect(new KernelModel({ trackers: [33] }).defaults(33)).toMatchObject({ OPEN: 43200 });
  });
});
