// An ENOBUFS that loses a read-only request's reply (its object; the ACK still comes) is a typed
// ENOBUFS that says the request may be retried, not an "unexpected reply".
import { describe, expect, it } from 'vitest';
import { CtTimeout } from '../../packages/cttimeout/src/client.js';
import { runCli } from '../../packages/cttimeout/src/cli/run.js';
import { memoryIo } from '../helpers/cli.js';
import { cttimeoutKernel, withFaults } from '../../packages/cttimeout/src/testing/index.js';

function fakeKernel() {
  const k = cttimeoutKernel();
  expect(k.model.handle({ command: 'NEW', flags: 0x405, name: 'a', l3proto: 2, l4proto: 6, timeouts: { ESTABLISHED: 100 } }).errno).toBe(0);
  return k;
}

async function lose(run: (ct: CtTimeout) => Promise<unknown>): Promise<unknown> {
  const k = fakeKernel();
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

describe('the CLI, a reply lost to ENOBUFS', () => {
  /** The CLI over the fake kernel, the object's reply dropped when `lost`. */
  async function cli(argv: string[], lost: boolean): Promise<{ status: number; out: string; err: string }> {
    const k = fakeKernel();
    const f = lost ? withFaults(k.socket, { kind: 'enobufs', at: 1 }) : undefined;
    const { io, text } = memoryIo({ stdinIsTTY: true, socket: f?.socket ?? k.socket });
    const status = await runCli(['--hz', '250', ...argv], io);
    if (f) expect(f.log.fired).toEqual(['enobufs']);
    return { status, ...text };
  }

  it.each([
    [['get', 'timeout', 'a']],
    [['get', 'timeout', 'a', '--json']],
    [['default-get', 'timeout', 'inet', 'tcp']],
    [['default-get', 'timeout', 'inet', 'tcp', '--json']],
  ])('%j exits 9 with ENOBUFS and prints nothing on stdout, never "done" with nothing', async (argv) => {
    const r = await cli(argv, true);
    expect(r.status).toBe(9);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/ENOBUFS.*read-only.*retry/s);
    // The same command without the fault prints the object: the fault is what made it fail.
    const ok = await cli(argv, false);
    expect([ok.status, ok.err]).toEqual([0, '']);
    expect(ok.out).toMatch(argv[0] === 'get' ? /a/ : /established|ESTABLISHED/);
  });
});
