// Hex text to datagrams: continuous, spaced, PROTOCOL.md-style dumps with labels and
// annotations, xxd and hexdump -C (with `*`), and errors that say where.
import { describe, expect, it } from 'vitest';
import { readCapture, readHex } from '../../packages/cttimeout/src/capture/index.js';
import { bytes, captures, toHex } from '../helpers/fixtures.js';
import { thrown } from '../helpers/errors.js';

/** PROTOCOL.md §7's layout: a label line, then "0000  48 00 ..." lines of 16 bytes. */
function dump(label: string, b: Uint8Array): string {
  const lines = [label];
  for (let at = 0; at < b.length; at += 16) {
    const row = Array.from(b.subarray(at, at + 16), (x) => x.toString(16).padStart(2, '0')).join(' ');
    lines.push(`${at.toString(16).padStart(4, '0')}  ${row}`);
  }
  return lines.join('\n');
}

describe('readHex', () => {
  it('reads continuous and spaced hex of every §7 capture', () => {
    for (const c of captures) {
      const continuous = readCapture(c.hex);
      expect(continuous.format).toBe('hex');
      expect(continuous.datagrams.map((d) => toHex(d.bytes))).toEqual([c.hex]);
      const spaced = readCapture(c.hex.replace(/(..)/g, '$1 ').toUpperCase());
      expect(toHex(spaced.datagrams[0]!.bytes)).toBe(c.hex);
      const cArray = readCapture(c.hex.replace(/(..)/g, '0x$1, '));
      expect(toHex(cArray.datagrams[0]!.bytes)).toBe(c.hex);
    }
  });

  it('reads every §7 capture as PROTOCOL.md lays it out, one datagram per label, directions from the labels', () => {
    const text = captures.map((c) => dump(`${c.direction === 'request' ? 'request' : 'reply'} (${c.hex.length / 2})`, bytes(c.id))).join('\n');
    const r = readHex(text);
    expect(r.datagrams.map((d) => toHex(d.bytes))).toEqual(captures.map((c) => c.hex));
    expect(r.datagrams.map((d) => d.direction)).toEqual(captures.map((c) => (c.direction === 'request' ? 'sent' : 'received')));
    expect(r.datagrams[1]!.source).toBe(`line ${2 + Math.ceil(captures[0]!.hex.length / 32) + 1}`);
  });

  it('ignores PROTOCOL.md annotations after the bytes', () => {
    // §7.M verbatim (the ext-ack reply's tail)
    const text = `reply
0000  b0 00 00 00 02 00 00 02 ea 03 00 00 52 2e 00 00
0010  ea ff ff ff 58 00 00 00 00 08 05 04 ea 03 00 00
0020  00 00 00 00 00 00 00 00 25 00 01 00 62 62 62 62
0030  62 62 62 62 62 62 62 62 62 62 62 62 62 62 62 62
0040  62 62 62 62 62 62 62 62 62 62 62 62 00 00 00 00
0050  06 00 02 00 00 02 00 00 05 00 03 00 06 00 00 00
0060  0c 00 04 80 08 00 03 00 00 00 00 01 27 00 01 00
0070  41 74 74 72 69 62 75 74 65 20 66 61 69 6c 65 64   "Attribute failed"
0080  20 70 6f 6c 69 63 79 20 76 61 6c 69 64 61 74 69   " policy validati"
0090  6f 6e 00 00 08 00 02 00 14 00 00 00 14 00 04 80   "on" | OFFS=0x14 | POLICY nest
00a0  08 00 07 00 1f 00 00 00 08 00 01 00 0c 00 00 00   max_len 31 | type 12 (NUL_STRING)`;
    const r = readHex(text);
    expect(r.datagrams).toHaveLength(1);
    expect(toHex(r.datagrams[0]!.bytes)).toBe(captures.find((c) => c.id === 'M.einval.reply')!.hex);
    expect(r.datagrams[0]!.direction).toBe('received');
  });

  it('reads xxd and hexdump -C output (real output of both tools)', () => {
    const want = '480000000008050481e3056b00000000000000000d00010074657374';
    const xxd = `00000000: 4800 0000 0008 0504 81e3 056b 0000 0000  H..........k....
00000010: 0000 0000 0d00 0100 7465 7374            ........test`;
    expect(toHex(readHex(xxd).datagrams[0]!.bytes)).toBe(want);
    const hexdumpC = `00000000  48 00 00 00 00 08 05 04  81 e3 05 6b 00 00 00 00  |H..........k....|
00000010  00 00 00 00 0d 00 01 00  74 65 73 74              |........test|
0000001c`;
    const r = readHex(hexdumpC);
    expect(r.datagrams).toHaveLength(1);
    expect(toHex(r.datagrams[0]!.bytes)).toBe(want);
  });

  it("expands hexdump -C's * lines", () => {
    const text = `00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000030  14 00 00 00 03 00 02 00  |........|
00000038`;
    const b = readHex(text).datagrams[0]!.bytes;
    expect(b.length).toBe(0x38);
    expect(toHex(b.subarray(0x30))).toBe('1400000003000200');
    expect(b.subarray(0, 0x30).every((x) => x === 0)).toBe(true);
  });

  it('splits datagrams at blank lines and at offset 0', () => {
    const r = readHex('14000000\n03000200\n\n24 00 00 00\n0000  01 02\n0000  03 04');
    expect(r.datagrams.map((d) => toHex(d.bytes))).toEqual(['1400000003000200', '24000000', '0102', '0304']);
    expect(r.datagrams.map((d) => d.source)).toEqual(['line 1', 'line 4', 'line 5', 'line 6']);
  });

  it('takes directions from labels: request/sent/> and reply/received/<', () => {
    const r = readHex('> sent\n01\n< from kernel\n02\nreceived:\n03\nsomething else\n04');
    expect(r.datagrams.map((d) => d.direction)).toEqual(['sent', 'received', 'received', undefined]);
  });

  it('says which line and column has an odd number of hex digits', () => {
    const e = thrown(() => readHex('48 00 00 00\n00 08 050 04\n'));
    expect(e.code).toBe('ERR_CAPTURE_FORMAT');
    expect(e.message).toMatch(/^line 2, column 7: odd number of hex digits in "050"/);
    const e2 = thrown(() => readCapture('480000000'));
    expect(e2.message).toMatch(/^line 1, column 1: odd number of hex digits/);
  });

  it('says which line breaks a dump offset sequence', () => {
    const e = thrown(() => readHex('0000  48 00 00 00\n0008  00 00'));
    expect(e.code).toBe('ERR_CAPTURE_FORMAT');
    expect(e.message).toBe('line 2: offset 0x8 does not follow the 4 (0x4) bytes before it in this dump');
  });

  it('refuses input without hex', () => {
    expect(thrown(() => readCapture('   \n ')).message).toBe('the input is empty');
    expect(thrown(() => readCapture('hello world')).message).toBe('no hex bytes found');
  });
});
