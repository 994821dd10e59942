// The codec's wire functions (crates/codec/src/wire.rs through WebAssembly): the one flag rule,
// type-aware dump detection, one-message checks, splitting, the probe and the barrier.
import { describe, expect, it } from 'vitest';
import {
  barrier,
  checkOneMessage,
  CtTimeoutError,
  decode,
  encodeBatch,
  encodeRequest,
  isDump,
  OPERATIONS,
  prepareForSend,
  probeRequest,
  splitMessages,
  wireFlags,
} from '../../packages/cttimeout/src/codec/node.js';
import { NLM_F } from '../../packages/cttimeout/src/generated/c-names.js';
import { NLMSG } from '../../packages/cttimeout/src/generated/table.js';
import { toHex } from '../helpers/fixtures.js';

const GET = 0x0801;
const NEW = 0x0800;

describe('wire rules', () => {
  it('a dump is a cttimeout GET request with ROOT or MATCH, nothing else', () => {
    expect(isDump(GET, NLM_F.REQUEST | NLM_F.DUMP)).toBe(true);
    expect(isDump(GET, NLM_F.REQUEST | NLM_F.ROOT)).toBe(true);
    expect(isDump(GET, NLM_F.REQUEST | NLM_F.MATCH)).toBe(true);
    expect(isDump(GET, NLM_F.REQUEST | NLM_F.ACK)).toBe(false);
    expect(isDump(NEW, NLM_F.REQUEST | NLM_F.REPLACE | NLM_F.EXCL)).toBe(false);
    expect(isDump(0x0804, NLM_F.REQUEST | NLM_F.DUMP)).toBe(false);
    expect(isDump(NLMSG.NOOP, NLM_F.REQUEST | NLM_F.DUMP)).toBe(false);
  });

  it('every op of the table goes out with the flags nfct sends', () => {
    for (const o of OPERATIONS) {
      expect(wireFlags(o.type, o.flags), o.op).toBe(o.flags);
      expect(isDump(o.type, o.flags), o.op).toBe(o.dump);
    }
    expect(wireFlags(NEW, NLM_F.REPLACE | NLM_F.EXCL)).toBe(NLM_F.REQUEST | NLM_F.ACK | NLM_F.REPLACE | NLM_F.EXCL);
  });

  it('prepareForSend copies, sets the seq and the flags, and says whether it is a dump', () => {
    const dump = encodeRequest({ op: 'DUMP' });
    const p = prepareForSend(dump, 0xfffffffe);
    expect(p.dump).toBe(true);
    expect(decode(p.bytes).messages[0]!.header).toMatchObject({ seq: 0xfffffffe, flags: NLM_F.REQUEST | NLM_F.DUMP });
    expect(p.bytes).not.toBe(dump);
    // an explicit flag set without ACK gets it
    const del = encodeRequest({ op: 'DELETE', name: 'x', flags: 0 });
    const q = prepareForSend(del, 9);
    expect(q.dump).toBe(false);
    expect(decode(q.bytes).messages[0]!.header.flags).toBe(NLM_F.REQUEST | NLM_F.ACK);
    expect(decode(del).messages[0]!.header.flags).toBe(NLM_F.REQUEST);
  });

  it('refuses what is not exactly one message, saying why', () => {
    const two = encodeBatch([
      { op: 'GET', name: 'a' },
      { op: 'GET', name: 'b' },
    ]);
    expect(checkOneMessage(two)).toMatchObject({ code: 'ERR_LENGTH', offset: 0 });
    expect(checkOneMessage(two)!.message).toMatch(/exactly one netlink message/);
    expect(checkOneMessage(new Uint8Array(8))).toMatchObject({ code: 'ERR_TRUNCATED' });
    expect(checkOneMessage(encodeRequest({ op: 'GET', name: 'a' }))).toBeUndefined();
    expect(() => prepareForSend(two, 1)).toThrow(CtTimeoutError);
    expect(() => prepareForSend(new Uint8Array(3), 1)).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED', source: 'usage' }));
  });

  it('prepareForSend judges the whole length though only the header crosses into WebAssembly', () => {
    const msg = encodeRequest({ op: 'NEW', name: 'body', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 3000, CLOSE: 10 } });
    // Every cut and every overlong copy: refused exactly when checkOneMessage refuses, same code.
    for (let len = 0; len <= msg.length + 8; len++) {
      const bytes = new Uint8Array(len);
      bytes.set(msg.subarray(0, Math.min(len, msg.length)));
      const problem = checkOneMessage(bytes);
      if (problem) expect(() => prepareForSend(bytes, 1), `length ${len}`).toThrow(expect.objectContaining({ code: problem.code }));
      else expect(prepareForSend(bytes, 1).bytes.length, `length ${len}`).toBe(msg.length);
    }
    // The body comes back as it was; the header gets the seq and the wire flags.
    const p = prepareForSend(msg, 0x01020304);
    expect(p.bytes.subarray(16)).toEqual(msg.subarray(16));
    expect(decode(p.bytes).messages[0]!.header).toMatchObject({ seq: 0x01020304, len: msg.length });
    // In place: the caller's own bytes are the ones written.
    const own = msg.slice();
    expect(prepareForSend(own, 7, true).bytes).toBe(own);
    expect(decode(own).messages[0]!.header.seq).toBe(7);
  });

  it('splits back-to-back messages and reports a bad tail', () => {
    const two = encodeBatch([
      { op: 'GET', name: 'a' },
      { op: 'NEW', name: 'b', l3proto: 'inet', l4proto: 'tcp', timeouts: { CLOSE: 1 } },
    ]);
    const s = splitMessages(two);
    expect(s.error).toBeUndefined();
    expect(s.messages.map((m) => m.length)).toEqual([28, two.length - 28]);
    expect(s.messages[1]!.buffer).toBe(two.buffer);
    const cut = splitMessages(two.subarray(0, 40));
    expect(cut.messages).toHaveLength(1);
    expect(cut.error).toMatchObject({ code: 'ERR_TRUNCATED', offset: 28 });
    expect(splitMessages(two.subarray(0, 48)).error).toMatchObject({ code: 'ERR_LENGTH', offset: 28 });
    expect(splitMessages(new Uint8Array(0))).toEqual({ messages: [] });
  });

  it('builds the probe and the barrier', () => {
    expect(toHex(probeRequest())).toBe(toHex(prepareForSend(encodeRequest({ op: 'GET', name: '' }), 0).bytes));
    expect(probeRequest(9)[5]).toBe(9);
    const b = barrier();
    expect(decode(b).messages[0]).toMatchObject({ kind: 'noop', header: { len: 16, type: NLMSG.NOOP, flags: NLM_F.REQUEST | NLM_F.ACK } });
  });
});
