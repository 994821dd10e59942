// The event loop keeps turning while thousands of requests go out: work on the JS thread is
// bounded per event-loop turn (transport/budget.ts), counted, not timed. A socket answers every
// request at once (inside sendNow, as the kernel does inside sendmsg, or all replies of a
// sendmsg in one batch, as the I/O thread hands them over); a setImmediate ticker marks the
// turns, and the test counts what happened between two ticks.
import { afterEach, describe, expect, it } from 'vitest';
import { CtTimeout } from '../../packages/cttimeout/src/index.js';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { TURN_RELEASE, TURN_UNITS } from '../../packages/cttimeout/src/transport/budget.js';
import type { NetlinkSocket, OpenSocket, SocketEvent } from '../../packages/cttimeout/src/transport/socket.js';
import { dumpPolicies, getPolicy } from '../helpers/netlink.js';

/** Per turn: requests the socket took, and replies the caller saw. */
const now = { sent: 0, settled: 0 };
const turns: { sent: number; settled: number }[] = [];
let ticking = false;
function tick(): void {
  turns.push({ ...now });
  now.sent = 0;
  now.settled = 0;
  if (ticking) setImmediate(tick);
}
function startTicking(): void {
  turns.length = 0;
  now.sent = 0;
  now.settled = 0;
  ticking = true;
  setImmediate(tick);
}
afterEach(() => {
  ticking = false;
});
const worst = (k: 'sent' | 'settled') => Math.max(...turns.map((t) => t[k]));
/**
 * `t.requestBatch(messages)` with the turns counted, and the requests the caller waits for
 * (`stats().pending`) sampled at each tick of a timer.
 */
async function watchedBatch(t: NetlinkTransport, messages: Uint8Array[] | Uint8Array) {
  startTicking();
  const pending: number[] = [];
  const watch = setInterval(() => pending.push(t.stats().pending), 0);
  const results = await t.requestBatch(messages);
  clearInterval(watch);
  ticking = false;
  return { results, pending };
}
/**
 * A batch's requests went out a unit each, TURN_UNITS a turn: two turns' worth between ticks,
 * three in the first (which also holds the caller's own turn). A 1 ms timer sees several turns
 * on a fast machine: its samples only show the batch was not let in at once.
 */
function expectSlices(pending: number[]): void {
  expect(turns[0]!.sent).toBeLessThanOrEqual(3 * TURN_UNITS);
  expect(Math.max(...turns.slice(1).map((t) => t.sent))).toBeLessThanOrEqual(2 * TURN_UNITS);
  expect(Math.max(...pending.map((p, i) => p - (pending[i - 1] ?? 0)))).toBeLessThanOrEqual(8 * TURN_UNITS);
}

/** An ACK (NLMSG_ERROR, errno 0) for each message of `data`. */
function acks(data: Uint8Array, portId: number): SocketEvent[] {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: SocketEvent[] = [];
  for (let at = 0; at + 16 <= data.length; ) {
    const len = v.getUint32(at, true);
    const seq = v.getUint32(at + 8, true);
    const ack = new Uint8Array(36);
    const a = new DataView(ack.buffer);
    a.setUint32(0, 36, true);
    a.setUint16(4, 2, true); // NLMSG_ERROR
    a.setUint32(8, seq, true);
    a.setUint32(12, portId, true);
    ack.set(data.subarray(at, at + 16), 20);
    out.push({ kind: 'chunk', seq, data: ack, terminal: true, errno: 0 });
    now.sent++;
    at += (len + 3) & ~3;
  }
  return out;
}

/** A socket whose kernel answers at once: inside sendNow, or a sendmsg's replies in one batch. */
const instant =
  (direct: boolean): OpenSocket =>
  async (_options, onEvents) => {
    const portId = 4242;
    const sock: NetlinkSocket = {
      portId,
      send: (data) => {
        const events = acks(data, portId);
        setImmediate(() => onEvents(events));
      },
      ...(direct ? { sendNow: (data: Uint8Array) => (onEvents(acks(data, portId)), true) } : {}),
      setPaused: () => {},
      setReceiveBuffer: (b) => 2 * b,
      receiveBuffer: () => 64 * 1024 * 1024,
      counters: () => [0, 0],
      close: async () => {},
    };
    return sock;
  };

const policy = (i: number) => ({ name: `t${i}`, family: 'inet' as const, protocol: 'tcp' as const, timeouts: { ESTABLISHED: 100 + i } });
const settled = <T>(p: Promise<T>) => p.finally(() => void now.settled++);
/**
 * Client calls (a unit each) between two ticks: a turn's budget plus the group released at the
 * start of the next (which may run before the ticker does in the same check phase).
 */
const BOUND = TURN_UNITS + TURN_RELEASE;

describe('work per event-loop turn is bounded', () => {
  it('an await loop answered inside sendmsg yields to the event loop', async () => {
    const ct = await CtTimeout.open({ socket: instant(true), hz: 100 });
    startTicking();
    for (let i = 0; i < 3000; i++) await settled(ct.add(policy(i)));
    ticking = false;
    // Without a budget the whole loop is microtasks: 3,000 requests in one turn. With it, each
    // request is three units (the call, the send on this thread, its reply): two turns' worth
    // between ticks stays under TURN_UNITS requests.
    expect(worst('sent')).toBeLessThanOrEqual(TURN_UNITS);
    expect(worst('settled')).toBeLessThanOrEqual(TURN_UNITS);
    expect(turns.length).toBeGreaterThanOrEqual(3000 / TURN_UNITS);
    await ct.close();
  });

  it('a Promise.all of thousands of ct.add, answered in big batches, is spread over turns', async () => {
    const ct = await CtTimeout.open({ socket: instant(false), hz: 100 });
    startTicking();
    const all = Array.from({ length: 5000 }, (_, i) => settled(ct.add(policy(i))));
    await Promise.all(all);
    ticking = false;
    expect(worst('sent')).toBeLessThanOrEqual(BOUND);
    expect(worst('settled')).toBeLessThanOrEqual(BOUND);
    await ct.close();
  });

  it('a requestBatch of 10,000 goes out in slices, its replies handled a budget at a time', async () => {
    const t = await NetlinkTransport.open({ socket: instant(false) });
    const msgs = Array.from({ length: 10_000 }, (_, i) => getPolicy(`b${i}`));
    const { results, pending } = await watchedBatch(t, msgs);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expectSlices(pending);
    expect(pending.length).toBeGreaterThanOrEqual(4);
    await t.close();
  });

  it('a requestBatch of one 10,000-message buffer makes its views a slice at a time, a malformed tail its own request', async () => {
    const t = await NetlinkTransport.open({ socket: instant(false) });
    const msgs = Array.from({ length: 10_000 }, (_, i) => getPolicy(`c${i}`));
    const tail = new Uint8Array([7, 0, 0]); // shorter than a netlink header
    const buf = new Uint8Array(msgs.reduce((n, m) => n + m.length, 0) + tail.length);
    let at = 0;
    for (const m of [...msgs, tail]) {
      buf.set(m, at);
      at += m.length;
    }
    const { results, pending } = await watchedBatch(t, buf);
    expect(results).toHaveLength(10_001);
    expect(results.slice(0, 10_000).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[10_000]).toMatchObject({ status: 'rejected', reason: { source: 'usage' } });
    expectSlices(pending);
    await t.close();
  });

  it('a dump whose datagrams arrive in one batch reaches its reader a few 32 KiB datagrams a turn', async () => {
    const DATAGRAMS = 300;
    const portId = 4243;
    // Every datagram of the dump handed over at once (the I/O thread read them in one go).
    const socket: OpenSocket = async (_options, onEvents) => ({
      portId,
      send: (data) => {
        const [ack] = acks(data, portId);
        const seq = (ack as { seq: number }).seq;
        if (new DataView(data.buffer, data.byteOffset).getUint16(6, true) & 0x300) {
          const events: SocketEvent[] = Array.from({ length: DATAGRAMS }, (_, i) => {
            const d = new Uint8Array(32 * 1024);
            new DataView(d.buffer).setUint32(0, i, true); // no two alike (a repeat is dropped as a duplicate)
            return { kind: 'chunk', seq, data: d, terminal: false, errno: 0 };
          });
          events.push({ ...(ack as Extract<SocketEvent, { kind: 'chunk' }>) });
          setImmediate(() => onEvents(events));
        } else setImmediate(() => onEvents([ack!]));
      },
      setPaused: () => {},
      setReceiveBuffer: (b) => 2 * b,
      receiveBuffer: () => 64 * 1024 * 1024,
      counters: () => [0, 0],
      close: async () => {},
    });
    const t = await NetlinkTransport.open({ socket });
    startTicking();
    let got = 0;
    for await (const _ of t.stream(dumpPolicies())) {
      got++;
      now.settled++;
    }
    ticking = false;
    expect(got).toBe(DATAGRAMS + 1);
    // A 32 KiB datagram is 33 units: two turns' worth between ticks is a handful, not all 300.
    expect(worst('settled')).toBeLessThanOrEqual(Math.ceil((2 * TURN_UNITS) / 33) + 1);
    await t.close();
  });
});
