// The C library's object API in camelCase, with the defects of PROTOCOL.md §8.2 fixed.
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  CtTimeoutError,
  IPCTNL_MSG_TIMEOUT_GET,
  IPCTNL_MSG_TIMEOUT_NEW,
  MNL_SOCKET_BUFFER_SIZE,
  NFCT_TIMEOUT_ATTR_GENERIC,
  NFCT_TIMEOUT_ATTR_ICMP,
  NFCT_TIMEOUT_ATTR_L3PROTO,
  NFCT_TIMEOUT_ATTR_L4PROTO,
  NFCT_TIMEOUT_ATTR_NAME,
  NFCT_TIMEOUT_ATTR_POLICY,
  NFCT_TIMEOUT_ATTR_SCTP_HEARTBEAT_SENT,
  NFCT_TIMEOUT_ATTR_TCP_CLOSE,
  NFCT_TIMEOUT_ATTR_TCP_ESTABLISHED,
  NFCT_TIMEOUT_ATTR_TCP_MAX,
  NFCT_TIMEOUT_ATTR_TCP_SYN_RECV,
  NFCT_TIMEOUT_ATTR_TCP_SYN_SENT,
  NFCT_TIMEOUT_ATTR_TCP_UNACK,
  NLM_F,
  NetlinkTransport,
  decode,
  nfctTimeoutAlloc,
  nfctTimeoutAttrGet,
  nfctTimeoutAttrIsSet,
  nfctTimeoutAttrSet,
  nfctTimeoutAttrSetU16,
  nfctTimeoutAttrSetU8,
  nfctTimeoutAttrUnset,
  nfctTimeoutFree,
  nfctTimeoutNlmsgBuildHdr,
  nfctTimeoutNlmsgBuildPayload,
  nfctTimeoutNlmsgParsePayload,
  nfctTimeoutPolicyAttrGetU32,
  nfctTimeoutPolicyAttrSetU32,
  nfctTimeoutPolicyAttrToName,
  nfctTimeoutPolicyAttrUnset,
  nfctTimeoutSnprintf,
  type TimeoutPolicy,
} from '../../packages/cttimeout/src/index.js';
import { bytes, toHex } from '../helpers/fixtures.js';
import { privateNetns } from '../helpers/netns.js';

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CtTimeoutError);
    return (e as CtTimeoutError).code;
  }
  throw new Error('expected an error');
};

function testTcp(): TimeoutPolicy {
  const t = nfctTimeoutAlloc();
  nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_NAME, 'test-tcp');
  nfctTimeoutAttrSetU16(t, NFCT_TIMEOUT_ATTR_L3PROTO, 2);
  nfctTimeoutAttrSetU8(t, NFCT_TIMEOUT_ATTR_L4PROTO, 6);
  nfctTimeoutPolicyAttrSetU32(t, NFCT_TIMEOUT_ATTR_TCP_ESTABLISHED, 100);
  nfctTimeoutPolicyAttrSetU32(t, NFCT_TIMEOUT_ATTR_TCP_CLOSE, 10);
  return t;
}

describe('object API', () => {
  it('builds the same bytes nfct sent (PROTOCOL.md §7.A)', () => {
    const buf = new Uint8Array(MNL_SOCKET_BUFFER_SIZE);
    const nlh = nfctTimeoutNlmsgBuildHdr(buf, IPCTNL_MSG_TIMEOUT_NEW, NLM_F.CREATE | NLM_F.ACK, 0x6b05e381);
    expect(nlh.nlmsgLen).toBe(20);
    nfctTimeoutNlmsgBuildPayload(nlh, testTcp());
    expect(toHex(nlh.bytes())).toBe(toHex(bytes('A.request')));
  });

  it('has the getters the C library lacks', () => {
    const t = testTcp();
    expect(nfctTimeoutAttrGet(t, NFCT_TIMEOUT_ATTR_NAME)).toBe('test-tcp');
    expect(nfctTimeoutAttrGet(t, NFCT_TIMEOUT_ATTR_L4PROTO)).toBe(6);
    expect(nfctTimeoutAttrIsSet(t, NFCT_TIMEOUT_ATTR_POLICY)).toBe(true);
    expect(nfctTimeoutPolicyAttrGetU32(t, NFCT_TIMEOUT_ATTR_TCP_ESTABLISHED)).toBe(100);
    expect(nfctTimeoutPolicyAttrGetU32(t, NFCT_TIMEOUT_ATTR_TCP_SYN_SENT)).toBeUndefined();
  });

  it('defect 1: parses SCTP replies from modern kernels whole, heartbeat states included', () => {
    const t = nfctTimeoutAlloc();
    nfctTimeoutNlmsgParsePayload(bytes('K.sctp.reply'), t);
    expect(nfctTimeoutPolicyAttrGetU32(t, NFCT_TIMEOUT_ATTR_SCTP_HEARTBEAT_SENT)).toBe(30);
    expect(nfctTimeoutPolicyAttrToName(132, NFCT_TIMEOUT_ATTR_SCTP_HEARTBEAT_SENT)).toBe('HEARTBEAT_SENT');
  });

  it('defect 2: snprintf returns the whole length and never writes past the buffer', () => {
    const t = testTcp();
    const text = t.toString();
    const small = new Uint8Array(24).fill(0xaa);
    const n = nfctTimeoutSnprintf(small.subarray(0, 20), t);
    expect(n).toBe(Buffer.byteLength(text));
    expect(Buffer.from(small.subarray(0, 19)).toString()).toBe(text.slice(0, 19));
    expect(small[19]).toBe(0);
    expect([...small.subarray(20)]).toEqual([0xaa, 0xaa, 0xaa, 0xaa]);
    const big = new Uint8Array(1024);
    expect(nfctTimeoutSnprintf(big, t)).toBe(n);
    expect(Buffer.from(big.subarray(0, n)).toString()).toBe(text);
    expect(text).toBe(
      '.test-tcp = {\n\t.l3proto = 2,\n\t.l4proto = 6,\n\t.policy = {\n\t\t.SYN_SENT = 0,\n\t\t.SYN_RECV = 0,\n\t\t.ESTABLISHED = 100,\n\t\t.FIN_WAIT = 0,\n\t\t.CLOSE_WAIT = 0,\n\t\t.LAST_ACK = 0,\n\t\t.TIME_WAIT = 0,\n\t\t.CLOSE = 10,\n\t\t.SYN_SENT2 = 0,\n\t\t.RETRANS = 0,\n\t\t.UNACKNOWLEDGED = 0,\n\t},\n};',
    );
  });

  it('defect 3: a state index equal to the state count is rejected', () => {
    const t = nfctTimeoutAlloc();
    nfctTimeoutAttrSetU8(t, NFCT_TIMEOUT_ATTR_L4PROTO, 1);
    expect(codeOf(() => nfctTimeoutPolicyAttrSetU32(t, NFCT_TIMEOUT_ATTR_ICMP + 1, 5))).toBe('ERR_VALUE_RANGE');
    nfctTimeoutAttrUnset(t, NFCT_TIMEOUT_ATTR_L4PROTO);
    nfctTimeoutAttrSetU8(t, NFCT_TIMEOUT_ATTR_L4PROTO, 6);
    expect(codeOf(() => nfctTimeoutPolicyAttrSetU32(t, NFCT_TIMEOUT_ATTR_TCP_MAX, 5))).toBe('ERR_VALUE_RANGE');
    expect(codeOf(() => nfctTimeoutPolicyAttrSetU32(nfctTimeoutAlloc(), 0, 5))).toBe('ERR_MISSING');
  });

  it('defect 4: state names are bounds-checked and nothing is printed', () => {
    const out = vi.spyOn(process.stdout, 'write');
    expect(nfctTimeoutPolicyAttrToName(6, NFCT_TIMEOUT_ATTR_TCP_UNACK)).toBe('UNACKNOWLEDGED');
    expect(nfctTimeoutPolicyAttrToName(6, 11)).toBeUndefined();
    expect(nfctTimeoutPolicyAttrToName(6, -1)).toBeUndefined();
    expect(nfctTimeoutPolicyAttrToName(50, 0)).toBeUndefined();
    expect(nfctTimeoutPolicyAttrToName(255, NFCT_TIMEOUT_ATTR_GENERIC)).toBe('TIMEOUT');
    expect(out).not.toHaveBeenCalled();
    out.mockRestore();
  });

  it('defect 5: unsetting a state clears that state and nothing else', () => {
    const t = testTcp();
    nfctTimeoutPolicyAttrSetU32(t, NFCT_TIMEOUT_ATTR_TCP_SYN_RECV, 7);
    nfctTimeoutPolicyAttrUnset(t, NFCT_TIMEOUT_ATTR_TCP_SYN_RECV);
    expect(nfctTimeoutAttrIsSet(t, NFCT_TIMEOUT_ATTR_L3PROTO)).toBe(true);
    const [m] = decode(t.toMessage(IPCTNL_MSG_TIMEOUT_NEW, 0, 0)).messages;
    expect(m).toMatchObject({ l3proto: 2, timeouts: { ESTABLISHED: 100, CLOSE: 10 } });
    expect(Object.keys((m as { timeouts: object }).timeouts)).toEqual(['ESTABLISHED', 'CLOSE']);
  });

  it('defect 6: names longer than 31 bytes are errors, not cut', () => {
    expect(codeOf(() => nfctTimeoutAttrSet(nfctTimeoutAlloc(), NFCT_TIMEOUT_ATTR_NAME, 'x'.repeat(32)))).toBe('ERR_NAME_TOO_LONG');
    expect(codeOf(() => nfctTimeoutAttrSet(nfctTimeoutAlloc(), NFCT_TIMEOUT_ATTR_NAME, 'é'.repeat(16)))).toBe('ERR_NAME_TOO_LONG');
    nfctTimeoutAttrSet(nfctTimeoutAlloc(), NFCT_TIMEOUT_ATTR_NAME, 'x'.repeat(31));
  });

  it('checks names and values with the same rules as the client (validate.ts)', () => {
    const t = nfctTimeoutAlloc();
    expect(codeOf(() => nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_NAME, 'web\uD800'))).toBe('ERR_INVALID_NAME');
    expect(codeOf(() => nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_NAME, 'a\0b'))).toBe('ERR_NAME_NUL');
    nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_NAME, new Uint8Array([0x77, 0x65, 0x62]));
    expect(nfctTimeoutAttrGet(t, NFCT_TIMEOUT_ATTR_NAME)).toBe('web');
    nfctTimeoutAttrSetU8(t, NFCT_TIMEOUT_ATTR_L4PROTO, 6);
    let e: CtTimeoutError | undefined;
    try {
      nfctTimeoutPolicyAttrSetU32(t, NFCT_TIMEOUT_ATTR_TCP_CLOSE, 5n as never);
    } catch (x) {
      e = x as CtTimeoutError;
    }
    expect([e?.code, e?.field, e?.operation]).toEqual(['ERR_INVALID_ARGUMENT', 'timeouts.CLOSE', 'nfctTimeoutPolicyAttrSetU32']);
    expect(codeOf(() => nfctTimeoutPolicyAttrSetU32(t, NFCT_TIMEOUT_ATTR_TCP_CLOSE, 2 ** 32))).toBe('ERR_VALUE_RANGE');
    nfctTimeoutPolicyAttrSetU32(t, NFCT_TIMEOUT_ATTR_TCP_CLOSE, 2 ** 32 - 1); // the C library's u32: any kernel
  });

  it('defect 7: parse errors throw with the byte offset instead of returning 0', () => {
    const bad = bytes('B.policy').slice();
    bad[0x24] = 0x08; // L3PROTO (at 0x24) claims 4 bytes
    const t = nfctTimeoutAlloc();
    let err: CtTimeoutError | undefined;
    try {
      nfctTimeoutNlmsgParsePayload(bad, t);
    } catch (e) {
      err = e as CtTimeoutError;
    }
    expect(err?.code).toBe('ERR_ATTR_SIZE');
    expect(err?.offset).toBe(0x24);
    expect(codeOf(() => nfctTimeoutNlmsgParsePayload(bytes('A.ack'), t))).toBe('ERR_NOT_A_POLICY');
  });

  it('defect 8: POLICY cannot be set without states, and free(null) is fine', () => {
    const t = nfctTimeoutAlloc();
    nfctTimeoutAttrSetU8(t, NFCT_TIMEOUT_ATTR_L4PROTO, 6);
    expect(codeOf(() => nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_POLICY, 1))).toBe('ERR_INVALID_ARGUMENT');
    expect(t.toString()).toBe('\t.l4proto = 6,\n};');
    nfctTimeoutFree(null);
    nfctTimeoutFree(t);
    expect(codeOf(() => t.toString())).toBe('ERR_FREED');
  });

  it('checks the buffer given to build_hdr / build_payload', () => {
    const nlh = nfctTimeoutNlmsgBuildHdr(new Uint8Array(40), IPCTNL_MSG_TIMEOUT_NEW, NLM_F.ACK, 1);
    expect(codeOf(() => nfctTimeoutNlmsgBuildPayload(nlh, testTcp()))).toBe('ERR_BUFFER_TOO_SMALL');
    expect(codeOf(() => nfctTimeoutNlmsgBuildHdr(new Uint8Array(8), IPCTNL_MSG_TIMEOUT_GET, 0, 1))).toBe('ERR_BUFFER_TOO_SMALL');
  });
});

describe('object API against the kernel', () => {
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('sends what it builds and parses what comes back (the seed walkthrough in C style)', async () => {
    const ns = await privateNetns();
    cleanup.push(() => ns.dispose());
    const t = await NetlinkTransport.open({ netns: ns.path });
    cleanup.push(() => t.close());
    // nfct-timeout-add test 2 6: policy index 0 = 100
    const add = nfctTimeoutAlloc();
    nfctTimeoutAttrSet(add, NFCT_TIMEOUT_ATTR_NAME, 'test');
    nfctTimeoutAttrSetU16(add, NFCT_TIMEOUT_ATTR_L3PROTO, 2);
    nfctTimeoutAttrSetU8(add, NFCT_TIMEOUT_ATTR_L4PROTO, 6);
    nfctTimeoutPolicyAttrSetU32(add, 0, 100);
    const buf = new Uint8Array(MNL_SOCKET_BUFFER_SIZE);
    const nlh = nfctTimeoutNlmsgBuildHdr(buf, IPCTNL_MSG_TIMEOUT_NEW, NLM_F.CREATE | NLM_F.ACK, 1);
    nfctTimeoutNlmsgBuildPayload(nlh, add);
    await t.request(nlh.bytes());
    // nfct-timeout-get test
    const get = nfctTimeoutAlloc();
    nfctTimeoutAttrSet(get, NFCT_TIMEOUT_ATTR_NAME, 'test');
    const q = nfctTimeoutNlmsgBuildHdr(buf, IPCTNL_MSG_TIMEOUT_GET, NLM_F.ACK, 2);
    nfctTimeoutNlmsgBuildPayload(q, get);
    const [reply] = await t.request(q.bytes());
    const got = nfctTimeoutAlloc();
    nfctTimeoutNlmsgParsePayload(reply!, got);
    expect(got.toString()).toBe(
      '.test = {\n\t.l3proto = 2,\n\t.l4proto = 6,\n\t.policy = {\n\t\t.SYN_SENT = 100,\n\t\t.SYN_RECV = 60,\n\t\t.ESTABLISHED = 432000,\n\t\t.FIN_WAIT = 120,\n\t\t.CLOSE_WAIT = 60,\n\t\t.LAST_ACK = 30,\n\t\t.TIME_WAIT = 120,\n\t\t.CLOSE = 10,\n\t\t.SYN_SENT2 = 120,\n\t\t.RETRANS = 300,\n\t\t.UNACKNOWLEDGED = 300,\n\t},\n};',
    );
  });
});
