// Real strace output (test/fixtures/strace/, made with `unshare -n strace ... nfct ...` and a
// raw-socket script) to datagrams with directions from the system calls.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode } from '../../packages/cttimeout/src/codec/node.js';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { readCapture, readStrace } from '../../packages/cttimeout/src/capture/index.js';
import { captures, toHex } from '../helpers/fixtures.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/strace/${name}`, import.meta.url), 'utf8');

/** What each datagram holds, as kind[/command|code] per message. */
function kinds(d: { bytes: Uint8Array }): string[] {
  const r = decode(d.bytes);
  expect(r.error).toBeUndefined();
  return r.messages.map((m) => (m.kind === 'timeout' ? `timeout/${m.command}` : m.kind === 'error' ? `error/${m.code}` : m.kind));
}

describe('readStrace', () => {
  it('reads `nfct list timeout`: the dump request, a datagram of two policies, DONE', () => {
    const r = readCapture(fixture('list.strace'));
    expect(r.format).toBe('strace');
    expect(r.datagrams.map((d) => [d.direction, d.bytes.length])).toEqual([
      ['sent', 20],
      ['received', 232],
      ['received', 20],
    ]);
    expect(r.datagrams.map(kinds)).toEqual([['timeout/GET'], ['timeout/NEW', 'timeout/NEW'], ['done']]);
    // same bytes as PROTOCOL.md §7.C apart from seq and port id
    const c = captures.find((x) => x.id === 'C.datagram1')!.hex;
    const got = toHex(r.datagrams[1]!.bytes);
    expect(got.length).toBe(c.length);
    expect(got.slice(0, 16)).toBe(c.slice(0, 16));
    expect(got.slice(32, 0x98 * 2)).toBe(c.slice(32, 0x98 * 2));
    expect(r.datagrams[1]!.source).toBe('line 4');
  });

  it('reads a -f -tt session of eight nfct runs: pids, times, errors', () => {
    const r = readStrace(fixture('session-f-tt.strace'));
    const dirs = r.datagrams.map((d) => d.direction);
    expect(dirs.filter((d) => d === 'sent')).toHaveLength(8);
    expect(dirs[0]).toBe('sent');
    const all = r.datagrams.flatMap(kinds);
    expect(all).toEqual(expect.arrayContaining(['error/EBUSY', 'error/ENOENT', 'error/EOPNOTSUPP', 'timeout/DEFAULT_SET', 'ack']));
    // -tt: seconds since midnight, increasing
    const times = r.datagrams.map((d) => d.time!);
    expect(times.every((t) => t > 0 && t < 86400)).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('reads -ttt epoch timestamps and a hostile policy name as bytes', () => {
    const r = readStrace(fixture('hostile-name.strace'));
    expect(r.datagrams[0]!.time).toBeGreaterThan(1.7e9);
    const m = decode(r.datagrams[1]!.bytes).messages[0]!;
    expect(m.kind === 'timeout' && m.name).toBe('<img src=x onerror=alert(1)>');
  });

  it('joins the iovec buffers of one sendmsg into one datagram', () => {
    const r = readStrace(fixture('sendmsg-iovec.strace'));
    expect(r.datagrams.map((d) => [d.direction, d.bytes.length])).toEqual([
      ['sent', 92],
      ['received', 36],
      ['received', 76],
      ['received', 36],
    ]);
    expect(kinds(r.datagrams[0]!)).toEqual(['timeout/NEW', 'timeout/GET']);
  });

  it('says where a hexdump line is broken', () => {
    const text = fixture('list.strace').replace(' | 00010  00 00 00 00 ', ' | 00010  00 0g 00 00 ');
    try {
      readStrace(text);
      throw new Error('did not throw');
    } catch (e) {
      expect(e).toBeInstanceOf(CtTimeoutError);
      expect((e as CtTimeoutError).code).toBe('ERR_CAPTURE_FORMAT');
      expect((e as CtTimeoutError).message).toBe('line 3, column 14: "0g " is not a hexdump byte');
    }
    const skipped = fixture('list.strace').replace(' | 00010  00 00 00 00  ', ' | 00020  00 00 00 00  ');
    expect(() => readStrace(skipped)).toThrow(/^line 3: hexdump offset 0x00020 does not follow the 16 bytes dumped before it for the call at line 1$/);
  });

  it('asks for -e write/-e read when there is no dump', () => {
    expect(() => readStrace('sendto(3, "x", 1, 0, NULL, 0) = 1\n')).toThrow(/-e write=FD -e read=FD/);
  });
});
