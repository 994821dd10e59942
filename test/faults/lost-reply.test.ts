// An ENOBUFS that loses a read-only request's reply (its object; the ACK still comes) is a typed
// ENOBUFS that says the request may be retried, not an "unexpected reply".
import { describe, expect, it } from 'vitest';
import { CtTimeout } from '../../packages/cttimeout/src/client.js';
import { cttimeoutKernel, withFaults } from '../../packages/cttimeout/src/testing/index.js';

async function lose(run: (ct: CtTimeout) => Promise<unknown>): Promise<unknown> {
  const k = cttimeoutKernel();
  expect(k.model.handle({ command: 'NEW', flags: 0x405, name: 'a', l3proto: 2, l4proto: 6, timeouts: { ESTABLISHED: 100 } }).errno).toBe(0);
  // Chunk 0 is open's probe reply; chunk 1 the object the request asked for.
  const f = withFaults(k.socket, { kind: 'enobufs', at: 1 });
  const ct = await CtTimeout.open({ socket: f.socket, hz: 250, timeoutMs: 200 });
  try {
    const err = await run(ct).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(f.log.fired).toEqual(['enobufs']);
    return err;
  } finally {
    await ct.close();
  }
}

describe('a reply lost to ENOBUFS', () => {
  it.each([
    ['get', (ct: CtTimeout) => ct.get('a')],
    ['getDefaults', (ct: CtTimeout) => ct.getDefaults('inet', 'tcp')],
  ])('%s rejects with ENOBUFS, read-only and safe to retry', async (operation, run) => {
    const err = await lose(run);
    expect(err).toMatchObject({ code: 'ENOBUFS', operation, sent: true });
    expect((err as Error).message).toMatch(/read-only.*retr/);
  });
});
