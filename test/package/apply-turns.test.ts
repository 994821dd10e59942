// apply checks the whole list before it sends anything, and does it a slice per share of the
// event loop's turn (transport/budget.ts): 20,000 policies (~8 µs each) are not one task.
// Counted, not timed: a setImmediate ticker marks the turns, and the fake kernel notes the
// turn of apply's first request.
import { afterEach, describe, expect, it } from 'vitest';
import { CtTimeout } from '../../packages/cttimeout/src/client.js';
import { cttimeoutKernel } from '../../packages/cttimeout/src/testing/index.js';
import type { OpenSocket } from '../../packages/cttimeout/src/transport/socket.js';

let ticking = false;
afterEach(() => {
  ticking = false;
});

describe('apply of a long list', () => {
  it('validates it over many event-loop turns, all of it before the first request', async () => {
    const k = cttimeoutKernel();
    let ticks = 0;
    let armed = false;
    let firstSendTick: number | undefined;
    // The fake kernel's socket, noting the turn of the first request apply sends.
    const socket: OpenSocket = async (options, onEvents) => {
      const s = await k.socket(options, onEvents);
      const note = () => {
        if (armed) firstSendTick ??= ticks;
      };
      const send = s.send.bind(s);
      s.send = (d) => {
        note();
        send(d);
      };
      if (s.sendNow) {
        const sendNow = s.sendNow.bind(s);
        s.sendNow = (d) => {
          note();
          return sendNow(d);
        };
      }
      return s;
    };
    const ct = await CtTimeout.open({ socket, hz: 250 });
    const N = 20_000;
    const policies = Array.from(
      { length: N },
      (_, i) => ({ name: `p${i}`, family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 100 + (i % 50) } }) as const,
    );
    ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    armed = true;
    // A bad last entry: refused with nothing sent, after the event loop turned meanwhile.
    const bad = [...policies, { name: 'x', family: 'inet', protocol: 'tcp', timeouts: { NOT_A_STATE: 1 } }];
    await expect(ct.apply(bad as never)).rejects.toMatchObject({ code: 'ERR_UNKNOWN_STATE' });
    expect(firstSendTick).toBeUndefined();
    expect(ticks).toBeGreaterThanOrEqual(N / 2048);
    // The good list: the first request (the kernel's list) goes out only after every policy is
    // checked, many turns after apply began (256 policies are a quarter of a turn's budget).
    ticks = 0;
    const r = await ct.apply(policies as never);
    expect(r.steps.length).toBe(N);
    expect(firstSendTick).toBeGreaterThanOrEqual(N / 2048);
    ticking = false;
    await ct.close();
  }, 60_000);
});
