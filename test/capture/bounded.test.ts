// Hostile input to the capture readers: work grows linearly with the input, output never
// outgrows it (except a hexdump "*" repeat, capped), and every failure is a CtTimeoutError.
// Before these fixes a 20 KB line of spaces took 3 s (/\s+$/), 20,000 newlines 2.4 s
// (looksLikeStrace's multi-line ^\s*), and "*" then offset 7fffffff built 2 GB.
import { describe, expect, it } from 'vitest';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { readCapture, readPcap, readPcapng } from '../../packages/cttimeout/src/capture/index.js';
import { MAX_DATAGRAM_BYTES } from '../../packages/cttimeout/src/capture/util.js';

const MiB = 1024 * 1024;

/** Runs the reader; returns its time, and checks any error is a CtTimeoutError. */
function timed(f: () => unknown): { ms: number; result: unknown } {
  const t = performance.now();
  let result: unknown;
  try {
    result = f();
  } catch (e) {
    expect(e).toBeInstanceOf(CtTimeoutError);
    result = e;
  }
  return { ms: performance.now() - t, result };
}

describe('capture readers on hostile input', () => {
  const cases: Array<[string, () => string | Uint8Array]> = [
    ['a 1 MiB line of spaces between hex and text', () => '00' + ' '.repeat(MiB) + 'x'],
    ['1 MiB of newlines then a word', () => '\n'.repeat(MiB) + 'x'],
    ['1 MiB of spaces and newlines before a strace-like line', () => ' \n'.repeat(MiB / 2) + '| 00000  00 00'],
    ['1 MiB of letters, no call', () => 'a'.repeat(MiB)],
    ['1 MiB of digits (a strace -o prefix run)', () => '1'.repeat(MiB) + '\n'],
    ['50,000 one-byte hex datagrams', () => '00\n\n'.repeat(50_000)],
    ['100,000 label lines', () => '# request\n'.repeat(100_000)],
    ['1 MiB of "|"', () => '|'.repeat(MiB)],
  ];
  for (const [label, make] of cases) {
    it(`${label}: linear time`, () => {
      const input = make();
      const { ms } = timed(() => readCapture(input));
      expect(ms).toBeLessThan(3000);
    });
  }

  it('a "*" repeat to a huge offset is refused, not expanded', () => {
    const { ms, result } = timed(() => readCapture('00000000  01 02 03 04\n*\n7fffffff\n'));
    expect(ms).toBeLessThan(100);
    expect((result as CtTimeoutError).code).toBe('ERR_CAPTURE_FORMAT');
    expect((result as CtTimeoutError).message).toMatch(/^line 3: offset 0x7fffffff after a "\*" line would repeat bytes past/);
    // A repeat up to the cap is still read.
    const ok = readCapture(`00000000  01 02 03 04\n*\n${MAX_DATAGRAM_BYTES.toString(16).padStart(8, '0')}\n`);
    expect(ok.datagrams[0]!.bytes.length).toBe(MAX_DATAGRAM_BYTES);
  });

  it('pcap and pcapng records claiming 4 GiB stop at once with the offset', () => {
    const pcap = new Uint8Array(24 + 16);
    const v = new DataView(pcap.buffer);
    v.setUint32(0, 0xa1b2c3d4, true);
    v.setUint32(20, 253, true);
    v.setUint32(24 + 8, 0xffffffff, true);
    expect(readPcap(pcap).error).toMatchObject({ code: 'ERR_CAPTURE_TRUNCATED', offset: 24 });
    const ng = new Uint8Array(28 + 12);
    const w = new DataView(ng.buffer);
    w.setUint32(0, 0x0a0d0d0a, true);
    w.setUint32(4, 28, true);
    w.setUint32(8, 0x1a2b3c4d, true);
    w.setUint32(24, 28, true);
    w.setUint32(28, 6, true);
    w.setUint32(32, 0xfffffffc, true);
    expect(readPcapng(ng).error).toMatchObject({ code: 'ERR_CAPTURE_TRUNCATED', offset: 28 });
  });

  it('100,000 pcapng blocks read in linear time', () => {
    const blocks = 100_000;
    const ng = new Uint8Array(28 + blocks * 12);
    const w = new DataView(ng.buffer);
    w.setUint32(0, 0x0a0d0d0a, true);
    w.setUint32(4, 28, true);
    w.setUint32(8, 0x1a2b3c4d, true);
    w.setUint32(24, 28, true);
    for (let i = 0, at = 28; i < blocks; i++, at += 12) {
      w.setUint32(at, 0x99, true); // an unknown block type: skipped
      w.setUint32(at + 4, 12, true);
      w.setUint32(at + 8, 12, true);
    }
    const { ms, result } = timed(() => readPcapng(ng));
    expect(ms).toBeLessThan(2000);
    expect((result as { datagrams: unknown[] }).datagrams).toEqual([]);
  });
});
