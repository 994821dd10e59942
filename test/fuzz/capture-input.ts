// What the capture-reader harnesses share: the check every reading keeps (a capture that does
// not outgrow its input, or an ERR_CAPTURE_* error) and the seed files that get mutated.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect } from 'vitest';
import '../../packages/cttimeout/src/codec/node.js';
import { readCapture, writePcap, type Capture, type Datagram } from '../../packages/cttimeout/src/capture/index.js';
import { MAX_DATAGRAM_BYTES } from '../../packages/cttimeout/src/capture/util.js';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { bytes, captures } from '../helpers/fixtures.js';
import { ownError } from './harness.js';

export function readAny(input: string | Uint8Array): Capture | undefined {
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

export const sample: Datagram[] = captures.slice(0, 12).map((c) => ({ bytes: bytes(c.id), direction: c.direction === 'request' ? 'sent' : 'received' }));
export const seeds: Uint8Array[] = [
  writePcap(sample),
  new Uint8Array(readFileSync(new URL('../fixtures/capture/transport-session.pcapng', import.meta.url))),
  new Uint8Array(readFileSync(new URL('../fixtures/strace/session-f-tt.strace', import.meta.url))),
  new Uint8Array(readFileSync(new URL('../fixtures/strace/sendmsg-iovec.strace', import.meta.url))),
  new TextEncoder().encode(
    captures
      .slice(0, 6)
      .map((c) => `request\n${c.hex.replace(/(..)/g, '$1 ')}\n`)
      .join('\n'),
  ),
];
export const textUnit = fc.constantFrom(
  ...'0123456789abcdefABCDEF  \n\n\t|*:x()<>.-#'.split(''),
  '0000  ',
  '00000000  ',
  ' | 00000  ',
  'sendmsg(',
  'recvmsg(',
  '<unfinished ...>',
  ' resumed>',
  '[pid 1] ',
  'request',
  'reply',
  '\r\n',
);
