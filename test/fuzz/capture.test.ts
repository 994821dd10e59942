// Fuzz harness: the capture readers (hex, strace, pcap, pcapng). Any input gives a capture or
// an ERR_CAPTURE_* error; never a TypeError, never a hang. See harness.ts for the budget.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../packages/cttimeout/src/codec/node.js';
import { readCapture, readPcap, writePcap, type Capture, type Datagram } from '../../packages/cttimeout/src/capture/index.js';
import { MAX_DATAGRAM_BYTES } from '../../packages/cttimeout/src/capture/util.js';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { bytes, captures } from '../helpers/fixtures.js';
import { budget, count, ownError, TIMEOUT } from './harness.js';

function readAny(input: string | Uint8Array): Capture | undefined {
  try {
    const c = readCapture(input);
    const size = typeof input === 'string' ? input.length : input.length;
    let total = 0;
    for (const d of c.datagrams) total += d.bytes.length;
    // Output never outgrows the input, but for a hexdump "*" repeat (capped).
    expect(total).toBeLessThanOrEqual(Math.max(size, MAX_DATAGRAM_BYTES * c.datagrams.length));
    return c;
  } catch (e) {
    expect(ownError(e, [CtTimeoutError]).constructor).toBe(CtTimeoutError);
    expect((e as CtTimeoutError).code).toMatch(/^ERR_CAPTURE_/);
    return undefined;
  }
}

const sample: Datagram[] = captures.slice(0, 12).map((c) => ({ bytes: bytes(c.id), direction: c.direction === 'request' ? 'sent' : 'received' }));
const seeds: Uint8Array[] = [
  writePcap(sample),
  new Uint8Array(readFileSync(new URL('../fixtures/capture/transport-session.pcapng', import.meta.url))),
  new Uint8Array(readFileSync(new URL('../fixtures/strace/session-f-tt.strace', import.meta.url))),
  new Uint8Array(readFileSync(new URL('../fixtures/strace/sendmsg-iovec.strace', import.meta.url))),
  new TextEncoder().encode(captures.slice(0, 6).map((c) => `request\n${c.hex.replace(/(..)/g, '$1 ')}\n`).join('\n')),
];
const textUnit = fc.constantFrom(...'0123456789abcdefABCDEF  \n\n\t|*:x()<>.-#'.split(''), '0000  ', '00000000  ', ' | 00000  ', 'sendmsg(', 'recvmsg(', '<unfinished ...>', ' resumed>', '[pid 1] ', 'request', 'reply', '\r\n');

describe('capture readers', () => {
  it('random bytes and text: a capture or an ERR_CAPTURE_* error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: textUnit, maxLength: 200 }), fc.string()), (input) => {
        count('capture random');
        readAny(input);
      }),
      budget(2000),
    );
  }, TIMEOUT);

  it('mutated pcap, pcapng, strace and hex files: a capture or an ERR_CAPTURE_* error', () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(), (i, edits, cut) => {
        count('capture mutated');
        const b = seeds[i]!.slice(0, 1 + (cut % seeds[i]!.length));
        for (const [at, v] of edits) b[at % b.length] = v;
        readAny(b);
      }),
      budget(2000),
    );
  }, TIMEOUT);

  it('a pcap cut anywhere gives the records before the cut, and an error iff a record is cut', () => {
    const whole = writePcap(sample);
    const full = readPcap(whole).datagrams.map((d) => Buffer.from(d.bytes).toString('hex'));
    fc.assert(
      fc.property(fc.integer({ min: 24, max: whole.length }), (n) => {
        count('pcap cut');
        const c = readPcap(whole.subarray(0, n));
        const got = c.datagrams.map((d) => Buffer.from(d.bytes).toString('hex'));
        expect(got).toEqual(full.slice(0, got.length));
        let end = 24;
        const ends = sample.map((d) => (end += 32 + d.bytes.length));
        expect(c.error === undefined).toBe(n === 24 || ends.includes(n));
        if (c.error) expect(c.error).toMatchObject({ code: 'ERR_CAPTURE_TRUNCATED', offset: n === 24 ? 24 : [24, ...ends].filter((e) => e < n).at(-1) });
      }),
      budget(500),
    );
  }, TIMEOUT);
});

