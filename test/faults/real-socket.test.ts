// The fault decorator over the real socket: apply against Linux in a private network namespace
// with each fault injected at each reply chunk or sendmsg in turn. Whatever happens, apply is
// right or fails typed, what it reports done is in the kernel, nothing stays pending, and a
// re-run converges on what the kernel then holds.
import { describe, expect, it } from 'vitest';
import { ApplyError, CtTimeout } from '../../packages/cttimeout/src/client.js';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import type { Policy } from '../../packages/cttimeout/src/policy.js';
import { REPLY_FAULTS, SEND_FAULTS, nativeSocket, withFaults, type FaultKind } from '../../packages/cttimeout/src/testing/index.js';
import { useTransport } from '../helpers/netlink.js';

const { ns } = useTransport();

const WANTED: Policy[] = [
  { name: 'ra', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 200 } },
  { name: 'rb', family: 'inet', protocol: 'udp', timeouts: { REPLIED: 7 } },
  { name: 'rc', family: 'inet6', protocol: 'tcp', timeouts: { CLOSE: 2 } },
];

async function reset(ct: CtTimeout): Promise<void> {
  await ct.flush();
  await ct.add({ name: 'ra', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 100 } }); // update
  await ct.add({ name: 'rb', family: 'inet', protocol: 'tcp', timeouts: {} }); // recreate
  await ct.add({ name: 'old', family: 'inet', protocol: 'udp', timeouts: {} }); // pruned; rc created
}

const summary = async (ct: CtTimeout) => (await ct.list().toArray()).map((p) => [p.name, p.family, p.protocol, p.timeouts]);

describe('faults over the real socket', () => {
  it.each([...REPLY_FAULTS, ...SEND_FAULTS] as FaultKind[])('%s at every step of apply', { timeout: 60_000 }, async (kind) => {
    const plain = await CtTimeout.open({ netns: ns.path, hz: 250 });
    await reset(plain);
    const counted = withFaults(nativeSocket(), []);
    const ref = await CtTimeout.open({ netns: ns.path, hz: 250, socket: counted.socket });
    await ref.apply(WANTED, { prune: true });
    await ref.close();
    const want = await summary(plain);
    const positions = SEND_FAULTS.includes(kind as never) ? counted.log.sends : counted.log.chunks;
    let fired = 0;
    for (let at = 0; at < positions; at++) {
      const what = `${kind} at ${at}`;
      await reset(plain);
      const f = withFaults(nativeSocket(), [{ kind, at, delayMs: 10 }]);
      const ct = await CtTimeout.open({ netns: ns.path, hz: 250, timeoutMs: 100, socket: f.socket }).catch((e: unknown) => e);
      if (ct instanceof CtTimeout) {
        const r = await ct.apply(WANTED, { prune: true }).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (r === undefined) expect(await summary(plain), what).toEqual(want);
        else {
          expect(r, what).toBeInstanceOf(CtTimeoutError);
          if (r instanceof ApplyError) {
            const held = new Map((await plain.list().toArray()).map((p) => [p.name, p]));
            for (const s of r.steps.filter((x) => x.status === 'done')) {
              if (s.action === 'delete') expect(held.has(s.name), `${what}: ${s.name}`).toBe(false);
              else expect(held.get(s.name)?.timeouts, `${what}: ${s.name}`).toEqual(s.after!.timeouts);
            }
          }
        }
        const end = Date.now() + 1000;
        while (ct.transport.stats().pending > 0 && Date.now() < end) await new Promise((x) => setTimeout(x, 5));
        expect(ct.transport.stats().pending, `${what}: nothing pending`).toBe(0);
        await ct.close();
      } else expect(ct, `${what}: open`).toBeInstanceOf(CtTimeoutError);
      fired += f.log.fired.length;
      await plain.apply(WANTED, { prune: true });
      expect(await summary(plain), `${what}: re-run converges`).toEqual(want);
    }
    expect(fired).toBeGreaterThan(0);
    console.log(`real socket, apply, ${kind}: ${fired} faults injected at ${positions} steps`);
    await plain.close();
  });
});
