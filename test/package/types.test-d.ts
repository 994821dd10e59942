// Compile-time checks (vitest typecheck): state names are literal types per protocol.
import { describe, expectTypeOf, it } from 'vitest';
import type { CtTimeout, KernelPolicy, Policy, StateName, Timeouts } from '../../packages/cttimeout/src/index.js';

declare const ct: CtTimeout;

describe('policy types', () => {
  it('accept each protocol with its own states', () => {
    const tcp: Policy = { name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 3000, UNACKNOWLEDGED: 30 } };
    const udp: Policy = { name: 'dns', family: 'inet6', protocol: 'udp', timeouts: { REPLIED: 10 } };
    const sctp: Policy = { name: 's', family: 'inet', protocol: 'sctp', timeouts: { HEARTBEAT_SENT: 5 } };
    void [tcp, udp, sctp];
    expectTypeOf<StateName<'udp'>>().toEqualTypeOf<'UNREPLIED' | 'REPLIED'>();
    expectTypeOf<keyof Timeouts<'icmp'>>().toEqualTypeOf<'TIMEOUT'>();
  });

  it('reject a state of another protocol, an unknown protocol or family, and non-numbers', () => {
    // @ts-expect-error ESTABLISHED is a TCP state, not a UDP one
    const a: Policy = { name: 'x', family: 'inet', protocol: 'udp', timeouts: { ESTABLISHED: 5 } };
    // @ts-expect-error esp has no timeout table
    const b: Policy = { name: 'x', family: 'inet', protocol: 'esp', timeouts: {} };
    // @ts-expect-error ipx is not a family
    const c: Policy = { name: 'x', family: 'ipx', protocol: 'tcp', timeouts: {} };
    // @ts-expect-error seconds are numbers
    const d: Policy = { name: 'x', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: '10' } };
    void [a, b, c, d];
  });

  it('type what the kernel returns, narrowing on protocol', async () => {
    const p = await ct.get('web');
    expectTypeOf(p).toEqualTypeOf<KernelPolicy>();
    if (p.protocol === 'udp') {
      expectTypeOf(p.timeouts.REPLIED).toEqualTypeOf<number>();
      // @ts-expect-error a UDP policy has no SYN_SENT
      void p.timeouts.SYN_SENT;
    }
    expectTypeOf(ct.getDefaults('inet', 'gre')).resolves.toEqualTypeOf<{ UNREPLIED: number; REPLIED: number }>();
    // @ts-expect-error setDefaults takes the protocol's own states
    void ct.setDefaults('inet', 'icmp', { REPLIED: 5 });
  });
});
