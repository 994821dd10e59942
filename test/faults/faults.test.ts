// Every fault at every step: each client operation (with a second request in flight beside it)
// and apply as a whole run over the model-backed fake kernel with one fault injected at each
// reply chunk or sendmsg in turn. Each must complete correctly or fail with a typed error within
// its timeout — never hang, never resolve with another request's reply, never leave a pending
// request — and a re-run of apply must converge. No root needed.
import { beforeAll, describe, expect, it } from 'vitest';
import { ApplyError, CtTimeout } from '../../packages/cttimeout/src/client.js';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import type { Policy } from '../../packages/cttimeout/src/policy.js';
import {
  REPLY_FAULTS,
  SEND_FAULTS,
  cttimeoutKernel,
  withFaults,
  type CttimeoutKernel,
  type Fault,
  type FaultKind,
} from '../../packages/cttimeout/src/testing/index.js';

/** Per-request timeout under faults: small, so a lost reply costs little. */
const TIMEOUT_MS = 25;
/** Nothing may take longer than this (the slowest path is a few timeouts in a row). */
const WATCHDOG_MS = 2000;
const FAULTS: FaultKind[] = [...REPLY_FAULTS, ...SEND_FAULTS];

function seeded(): CttimeoutKernel {
  const k = cttimeoutKernel({ dumpBatch: 2 });
  const add = (name: string, l3proto: number, l4proto: number, timeouts: Record<string, number>) =>
    expect(k.model.handle({ command: 'NEW', flags: 0x405, name, l3proto, l4proto, timeouts }).errno).toBe(0);
  add('a', 2, 6, { ESTABLISHED: 100 });
  add('b', 2, 17, { REPLIED: 50 });
  add('c', 2, 6, {});
  add('d', 2, 6, { CLOSE: 3 });
  return k;
}

/** The kernel's state, comparable with toEqual. */
function state(k: CttimeoutKernel) {
  return {
    policies: k.model.policies().map((p) => ({ ...p, name: new TextDecoder().decode(p.name) })),
    udp: k.model.defaults(17),
    tcp: k.model.defaults(6),
  };
}

interface Op {
  name: string;
  run(ct: CtTimeout): Promise<unknown>;
}
const OPS: Op[] = [
  { name: 'add', run: (ct) => ct.add({ name: 'n', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 9 } }) },
  { name: 'add exclusive', run: (ct) => ct.add({ name: 'x', family: 'inet6', protocol: 'udp', timeouts: {} }, { exclusive: true }) },
  { name: 'replace', run: (ct) => ct.replace({ name: 'a', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 200 } }) },
  { name: 'replace merge', run: (ct) => ct.replace({ name: 'a', family: 'inet', protocol: 'tcp', timeouts: { CLOSE: 4 } }, { merge: true }) },
  { name: 'get', run: (ct) => ct.get('a') },
  { name: 'list', run: (ct) => ct.list().toArray() },
  { name: 'delete', run: (ct) => ct.delete('c') },
  { name: 'flush', run: (ct) => ct.flush() },
  { name: 'getDefaults', run: (ct) => ct.getDefaults('inet', 'tcp') },
  { name: 'setDefaults', run: (ct) => ct.setDefaults('inet', 'udp', { UNREPLIED: 33 }) },
];

/**
 * No request may be left pending: zero once the requests still settling (an ENOBUFS barrier)
 * have had their timeout.
 */
async function expectNothingPending(ct: CtTimeout, what: string): Promise<void> {
  const end = Date.now() + 10 * TIMEOUT_MS;
  while (ct.transport.stats().pending > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
  expect(ct.transport.stats(), `${what}: nothing left pending`).toMatchObject({ pending: 0, queued: 0 });
}

/** Settles `p` or throws "hang" after WATCHDOG_MS. */
async function bounded<T>(p: Promise<T>, what: string): Promise<PromiseSettledResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still pending after ${WATCHDOG_MS} ms (hang)`)), WATCHDOG_MS)),
  );
  try {
    return await Promise.race([Promise.allSettled([p]).then(([r]) => r!), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** A rejection must be a typed error; early ends say whether the request was sent. */
function expectTyped(reason: unknown, what: string): CtTimeoutError {
  expect(reason, what).toBeInstanceOf(CtTimeoutError);
  const e = reason as CtTimeoutError;
  expect(e.code, what).toMatch(/^(E[A-Z0-9]+|ERR_[A-Z_]+)$/);
  expect(e.code, `${what}: ${e.message}`).not.toBe('ERR_INTERNAL');
  if (['ERR_TIMEOUT', 'ERR_ABORTED', 'ENOBUFS', 'ERR_CLOSED'].includes(e.code))
    expect(typeof e.sent, `${what}: ${e.code} says whether it was sent`).toBe('boolean');
  return e;
}

interface Outcome {
  open: PromiseSettledResult<CtTimeout>;
  op?: PromiseSettledResult<unknown>;
  companion?: PromiseSettledResult<unknown>;
  chunks: number;
  sends: number;
  fired: FaultKind[];
}

/** Opens a client over `k` with `faults`, runs `op` beside a get('b'), checks nothing is left pending. */
async function runOp(k: CttimeoutKernel, op: Op, faults: Fault[], timeoutMs: number): Promise<Outcome> {
  const f = withFaults(k.socket, faults);
  const open = await bounded(CtTimeout.open({ socket: f.socket, hz: 250, timeoutMs }), `${op.name}: open`);
  const out: Outcome = { open, chunks: 0, sends: 0, fired: f.log.fired };
  if (open.status === 'fulfilled') {
    const ct = open.value;
    const [mine, other] = [bounded(op.run(ct), op.name), bounded(ct.get('b'), `${op.name}: get('b') beside it`)];
    out.op = await mine;
    out.companion = await other;
    await expectNothingPending(ct, op.name);
    await ct.close();
  }
  expect(k.openSockets).toBe(0);
  out.chunks = f.log.chunks;
  out.sends = f.log.sends;
  return out;
}

// The first requests compile the codec and the model: warm them so the small timeouts below
// measure the transport, not a cold start.
beforeAll(async () => {
  for (const op of OPS) await runOp(seeded(), op, [], 5000);
});

describe.each(FAULTS)('fault %s', (kind) => {
  it('every client operation completes correctly or fails typed, at every step', { timeout: 120_000 }, async () => {
    let fired = 0;
    let failed = 0;
    const codes = new Map<string, number>();
    const typed = (reason: unknown, what: string) => {
      const e = expectTyped(reason, what);
      codes.set(`${e.code}`, (codes.get(e.code) ?? 0) + 1);
      failed++;
    };
    for (const op of OPS) {
      const k0 = seeded();
      const ref = await runOp(k0, op, [], 5000);
      expect(ref.op?.status, `${op.name} without faults: ${(ref.op as PromiseRejectedResult)?.reason}`).toBe('fulfilled');
      const refState = state(k0);
      const positions = SEND_FAULTS.includes(kind as never) ? ref.sends : ref.chunks;
      for (let at = 0; at < positions; at++) {
        const what = `${op.name}, ${kind} at ${at}`;
        const k = seeded();
        const got = await runOp(k, op, [{ kind, at, delayMs: 10 }], TIMEOUT_MS);
        fired += got.fired.length;
        if (got.open.status === 'rejected') {
          typed(got.open.reason, `${what}: open`);
          continue;
        }
        if (got.op!.status === 'fulfilled') {
          expect((got.op as PromiseFulfilledResult<unknown>).value, what).toEqual((ref.op as PromiseFulfilledResult<unknown>).value);
          expect(state(k), `${what}: the kernel did what was reported`).toEqual(refState);
        } else typed(got.op!.reason, what);
        // The request beside it gets its own reply or a typed error, never the other's.
        if (got.companion!.status === 'fulfilled')
          expect((got.companion as PromiseFulfilledResult<unknown>).value, what).toEqual((ref.companion as PromiseFulfilledResult<unknown>).value);
        else expectTyped(got.companion!.reason, `${what}: get('b')`);
      }
    }
    expect(fired, 'the fault fired').toBeGreaterThan(0);
    console.log(
      `${kind}: ${fired} faults injected over ${OPS.length} operations; ${failed} typed failures (${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')}), the rest correct`,
    );
  });
});

const WANTED: Policy[] = [
  { name: 'a', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 200 } }, // update
  { name: 'b', family: 'inet', protocol: 'udp', timeouts: { REPLIED: 50 } }, // in sync
  { name: 'd', family: 'inet', protocol: 'udp', timeouts: { REPLIED: 7 } }, // recreate
  { name: 'e', family: 'inet6', protocol: 'tcp', timeouts: { CLOSE: 2 } }, // create
  // c: pruned
];

/** What apply said it did must be what the kernel holds. */
function expectDoneStepsTrue(k: CttimeoutKernel, e: unknown, what: string): void {
  if (!(e instanceof ApplyError)) return;
  const held = new Map(state(k).policies.map((p) => [p.name, p]));
  for (const s of e.steps) {
    if (s.status !== 'done') continue;
    if (s.action === 'delete') expect(held.has(s.name), `${what}: ${s.action} ${s.name} reported done`).toBe(false);
    else expect(held.get(s.name)?.timeouts, `${what}: ${s.action} ${s.name} reported done`).toEqual(s.after!.timeouts);
  }
}

describe('apply under faults', () => {
  it.each(FAULTS)('%s at every step: apply is right or fails typed, says only what happened, and a re-run converges', { timeout: 120_000 }, async (kind) => {
    const k0 = seeded();
    const f0 = withFaults(k0.socket, []);
    const ref = await CtTimeout.open({ socket: f0.socket, hz: 250 });
    await ref.apply(WANTED, { prune: true });
    await ref.close();
    const want = state(k0);
    const positions = SEND_FAULTS.includes(kind as never) ? f0.log.sends : f0.log.chunks;
    let fired = 0;
    for (let at = 0; at < positions; at++) {
      const what = `apply, ${kind} at ${at}`;
      const k = seeded();
      const f = withFaults(k.socket, [{ kind, at, delayMs: 10 }]);
      const open = await bounded(CtTimeout.open({ socket: f.socket, hz: 250, timeoutMs: TIMEOUT_MS }), `${what}: open`);
      if (open.status === 'fulfilled') {
        const ct = open.value;
        const r = await bounded(ct.apply(WANTED, { prune: true }), what);
        if (r.status === 'fulfilled') expect(state(k), what).toEqual(want);
        else {
          expectTyped(r.reason, what);
          expectDoneStepsTrue(k, r.reason, what);
        }
        await expectNothingPending(ct, what);
        await ct.close();
      } else expectTyped(open.reason, `${what}: open`);
      fired += f.log.fired.length;
      // A re-run without faults converges.
      const again = await CtTimeout.open({ socket: k.socket, hz: 250 });
      await again.apply(WANTED, { prune: true });
      await again.close();
      expect(state(k), `${what}: re-run converges`).toEqual(want);
    }
    expect(fired).toBeGreaterThan(0);
    console.log(`apply, ${kind}: ${fired} faults injected at ${positions} steps`);
  });
});
