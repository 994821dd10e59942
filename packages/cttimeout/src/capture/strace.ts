// strace output with hexdumps (`strace -f -e trace=sendto,recvmsg -e write=3 -e read=3 ...`):
// every system call whose data strace dumped is one datagram; the call names the direction.
// Handles -f ("[pid N] "), -o with -f ("N "), -t/-tt/-ttt/-r timestamps, <unfinished ...> and
// <... resumed> pairs, and several iovec buffers (" * N bytes in buffer K").
import type { Capture, Datagram } from './types.js';
import { ByteSink, captureError } from './util.js';

const DIRECTION: Record<string, Datagram['direction']> = {
  sendto: 'sent',
  sendmsg: 'sent',
  sendmmsg: 'sent',
  write: 'sent',
  writev: 'sent',
  pwrite64: 'sent',
  recvmsg: 'received',
  recvfrom: 'received',
  recvmmsg: 'received',
  read: 'received',
  readv: 'received',
  pread64: 'received',
};

const PREFIX = /^(?:\[pid\s+\d+\]\s*|\d+\s+(?=\S))?(?:(\d{1,2}):(\d{2}):(\d{2})(\.\d+)?\s+|(\d+\.\d+)\s+)?/;
const CALL = /^(?:<\.\.\.\s+)?([a-z_][a-z0-9_]*)(?:\(|\s+resumed>)/;
const DUMP = /^\s*(?:\[pid\s+\d+\]\s*)?\|\s([0-9a-fA-F]{5,8})\s\s(.*)$/;
const BUFFER = /^\s*(?:\[pid\s+\d+\]\s*)?\*\s+(\d+)\s+bytes\s+in\s+buffer\s+(\d+)/;

/** True when the text looks like strace output with hexdump lines. */
export function looksLikeStrace(text: string): boolean {
  // [ \t]*, not \s*: with the m flag \s* runs across newlines from every line start (quadratic).
  return /^[ \t]*(?:\[pid[ \t]+\d+\][ \t]*)?\|[ \t][0-9a-fA-F]{5,8}[ \t]{2}[0-9a-fA-F]{2}[ \t]/m.test(text) && /[a-z_0-9]\(/.test(text);
}

/** The bytes of one dump line, read by position as strace prints them (16 per line, gap after 8). */
function dumpBytes(hexArea: string, lineNo: number, column: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 16; i++) {
    const p = 3 * i + (i >= 8 ? 1 : 0);
    const pair = hexArea.slice(p, p + 2);
    if (pair.length < 2 || pair === '  ') break;
    if (!/^[0-9a-fA-F]{2}$/.test(pair) || (hexArea.length > p + 2 && hexArea[p + 2] !== ' ')) {
      throw captureError('ERR_CAPTURE_FORMAT', `line ${lineNo}, column ${column + p}: "${hexArea.slice(p, p + 3)}" is not a hexdump byte`);
    }
    out.push(parseInt(pair, 16));
  }
  return out;
}

export function readStrace(text: string): Capture {
  const lines = text.split(/\r\n|\r|\n/);
  const r = new StraceReader();
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n]!;
    const dump = DUMP.exec(line);
    if (dump) {
      r.dump(lineNo, line, dump);
      continue;
    }
    const buf = BUFFER.exec(line);
    if (buf) {
      r.buffer(lineNo, Number(buf[1]));
      continue;
    }
    const prefix = PREFIX.exec(line)!;
    const rest = line.slice(prefix[0].length);
    const m = CALL.exec(rest);
    // An "<unfinished ...>" line only opens the call; its dump follows the "resumed" line.
    if (m && /<unfinished \.\.\.>\s*$/.test(rest)) continue;
    r.close();
    // Program output, "+++ exited", signals: they end the call's dump.
    r.call = m ? callAt(m[1]!, lineNo, prefix) : undefined;
  }
  r.close();
  if (r.datagrams.length === 0) throw captureError('ERR_CAPTURE_FORMAT', 'no hexdumped system calls found (run strace with -e write=FD -e read=FD)');
  return { format: 'strace', datagrams: r.datagrams };
}

interface Call {
  name: string;
  line: number;
  time?: number;
}

/** A system call line: its name, line and the time of strace's -t / -tt / -ttt prefix. */
function callAt(name: string, line: number, prefix: RegExpExecArray): Call {
  const c: Call = { name, line };
  if (prefix[1] !== undefined) c.time = Number(prefix[1]) * 3600 + Number(prefix[2]) * 60 + Number(prefix[3]) + (prefix[4] ? Number(prefix[4]) : 0);
  else if (prefix[5] !== undefined) c.time = Number(prefix[5]);
  return c;
}

/** readStrace's state between lines: the datagrams so far and the call whose dump is being read. */
class StraceReader {
  readonly datagrams: Datagram[] = [];
  call: Call | undefined;
  readonly #sink = new ByteSink();
  #bufferStart = 0;
  #bufferExpect: number | undefined;

  /** A hexdump line of the current call. */
  dump(lineNo: number, line: string, dump: RegExpExecArray): void {
    const call = this.call;
    if (!call) throw captureError('ERR_CAPTURE_FORMAT', `line ${lineNo}: hexdump line before any system call`);
    const sink = this.#sink;
    const offset = parseInt(dump[1]!, 16);
    if (offset === 0 && sink.length > this.#bufferStart && this.#bufferExpect === undefined) {
      // A second dump for the same call without a "* N bytes in buffer" line: a new buffer.
      this.#bufferStart = sink.length;
    }
    if (offset !== sink.length - this.#bufferStart) {
      throw captureError(
        'ERR_CAPTURE_FORMAT',
        `line ${lineNo}: hexdump offset 0x${dump[1]} does not follow the ${sink.length - this.#bufferStart} bytes dumped before it for the call at line ${call.line}`,
      );
    }
    sink.pushAll(dumpBytes(dump[2]!, lineNo, line.length - dump[2]!.length + 1));
  }

  /** A "* N bytes in buffer I" line (readv/writev, sendmsg's iovecs): a buffer starts. */
  buffer(lineNo: number, bytes: number): void {
    if (!this.call) throw captureError('ERR_CAPTURE_FORMAT', `line ${lineNo}: buffer line before any system call`);
    this.#bufferStart = this.#sink.length;
    this.#bufferExpect = bytes;
  }

  /** Ends the current call's datagram (if it dumped bytes). */
  close(): void {
    const call = this.call;
    if (call && this.#sink.length > 0) {
      const d: Datagram = { bytes: this.#sink.take(), source: `line ${call.line}` };
      const dir = DIRECTION[call.name];
      if (dir) d.direction = dir;
      if (call.time !== undefined) d.time = call.time;
      this.datagrams.push(d);
    }
    this.#sink.length = 0;
    this.#bufferStart = 0;
    this.#bufferExpect = undefined;
  }
}
