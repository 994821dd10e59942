// Every operation of PROTOCOL.md §2 with request bytes from the codec (encodeRequest /
// encodeBatch) and every reply chunk decoded by the codec in one call, against the real
// kernel in a private network namespace.
import { describe, expect, it } from 'vitest';
import { PROTOCOLS, decode, encodeBatch, encodeRequest, type DecodedMessage, type RequestSpec } from '../../packages/cttimeout/src/codec/node.js';
import { useTransport } from '../helpers/netlink.js';

const { t } = useTransport();

/** Sends a codec-built request; decodes each chunk with one codec call. */
async function roundTrip(spec: RequestSpec, operation?: string): Promise<DecodedMessage[]> {
  const chunks = await t.request(encodeRequest(spec), { operation });
  return chunks.flatMap((c) => {
    const d = decode(c);
    expect(d.error).toBeUndefined();
    return d.messages;
  });
}

describe('codec bytes through the transport', () => {
  it('NEW creates, GET reads it back, the reply ends with the ACK', async () => {
    const ack = await roundTrip({ op: 'NEW', name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 3000, CLOSE: 5 } });
    expect(ack.map((m) => m.kind)).toEqual(['ack']);
    const [p, end] = await roundTrip({ op: 'GET', name: 'web' });
    expect(p).toMatchObject({ kind: 'timeout', command: 'NEW', name: 'web', family: 'inet', protocol: 'tcp', use: 1 });
    expect(p?.kind === 'timeout' && p.timeouts).toMatchObject({ ESTABLISHED: 3000, CLOSE: 5, SYN_SENT: 120 });
    expect(end?.kind).toBe('ack');
  });

  it('NEW_EXCLUSIVE on an existing name → EEXIST; NEW → EBUSY; NEW_REPLACE updates', async () => {
    await expect(roundTrip({ op: 'NEW_EXCLUSIVE', name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: {} }, 'create')).rejects.toMatchObject({
      code: 'EEXIST',
      operation: 'create',
    });
    await expect(roundTrip({ op: 'NEW', name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: {} })).rejects.toMatchObject({ code: 'EBUSY' });
    await roundTrip({ op: 'NEW_REPLACE', name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 60 } });
    const [p] = await roundTrip({ op: 'GET', name: 'web' });
    expect(p?.kind === 'timeout' && p.timeouts).toMatchObject({ ESTABLISHED: 60, CLOSE: 10 });
  });

  it('a batch from encodeBatch: one buffer, every request settled on its own', async () => {
    const protos = PROTOCOLS.filter((p) => p.name !== 'dccp');
    const batch = encodeBatch(protos.map((p) => ({ op: 'NEW', name: `b-${p.name}`, l3proto: 'inet', l4proto: p.name, timeouts: {} }) as RequestSpec));
    const res = await t.requestBatch(batch);
    expect(res.map((r) => r.status)).toEqual(protos.map(() => 'fulfilled'));
  });

  it('GET without a name is the dump: every policy, one codec call per chunk, ending with DONE', async () => {
    const ms = await roundTrip({ op: 'GET' });
    expect(ms.at(-1)?.kind).toBe('done');
    const names = ms.flatMap((m) => (m.kind === 'timeout' ? [m.name] : []));
    expect(names).toEqual(['web', ...PROTOCOLS.filter((p) => p.name !== 'dccp').map((p) => `b-${p.name}`)]);
  });

  it('DEFAULT_GET for every tracker on this kernel (dccp → EOPNOTSUPP); DEFAULT_SET changes the namespace', async () => {
    for (const p of PROTOCOLS) {
      const spec: RequestSpec = { op: 'DEFAULT_GET', l3proto: 'inet', l4proto: p.name };
      if (p.name === 'dccp') {
        await expect(roundTrip(spec)).rejects.toMatchObject({ code: 'EOPNOTSUPP' });
        continue;
      }
      const [m, end] = await roundTrip(spec);
      expect(m).toMatchObject({ kind: 'timeout', command: 'DEFAULT_SET', protocol: p.name });
      expect(end?.kind).toBe('ack');
    }
    await roundTrip({ op: 'DEFAULT_SET', l3proto: 'inet', l4proto: 'udp', timeouts: { UNREPLIED: 44 } });
    const [m] = await roundTrip({ op: 'DEFAULT_GET', l3proto: 'inet', l4proto: 'udp' });
    expect(m?.kind === 'timeout' && m.timeouts).toMatchObject({ UNREPLIED: 44, REPLIED: 120 });
  });

  it('DELETE one, then flush (DELETE without a name) empties the table', async () => {
    await roundTrip({ op: 'DELETE', name: 'web' });
    await expect(roundTrip({ op: 'DELETE', name: 'web' })).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await roundTrip({ op: 'DELETE' })).map((m) => m.kind)).toEqual(['ack']);
    expect((await roundTrip({ op: 'GET' })).map((m) => m.kind)).toEqual(['done']);
  });
});
