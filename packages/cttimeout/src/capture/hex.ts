// Hex text: continuous ("4800000000080504..."), spaced ("48 00 00 00"), 0x-prefixed, and
// hexdumps with an offset column (PROTOCOL.md's "0000  48 00 ...", `xxd`, `hexdump -C`
// including its `*` lines). Blank lines and label lines ("request (72)", "reply", "sent")
// separate datagrams; a label naming a direction gives the next datagram that direction.
import type { Capture, Datagram } from './types.js';
import { ByteSink, captureError, MAX_DATAGRAM_BYTES } from './util.js';

const SENT = /^[\s#/*-]*(?:request|requests|sent|send|sendto|sendmsg|tx|outgoing|to kernel|>|→)(?![a-z])/i;
const RECEIVED = /^[\s#/*-]*(?:reply|replies|response|received|receive|recv|recvmsg|recvfrom|rx|incoming|from kernel|<|←)(?![a-z])/i;

/** The direction a label line names, if any. */
export function labelDirection(label: string): Datagram['direction'] {
  if (SENT.test(label)) return 'sent';
  if (RECEIVED.test(label)) return 'received';
  return undefined;
}

interface HexLine {
  offset?: number;
  /** Hex digit groups, in order. */
  groups: string[];
  /** Column (1-based) of each group, for errors. */
  columns: number[];
  /** Only an offset: hexdump's last line (the total length). */
  offsetOnly?: boolean;
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Reads one line as hex. Returns undefined for text that is not hex (a label). An offset
 * column is a first token of 4-8 hex digits followed by ':' or two spaces, or a tab.
 */
function parseLine(line: string): HexLine | 'repeat' | undefined {
  const s = line.trimEnd(); // not /\s+$/, which is quadratic on long runs of spaces
  if (/^\s*\*\s*$/.test(s)) return 'repeat';
  let i = 0;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  let offset: number | undefined;
  const first = /^([0-9a-fA-F]{4,8})(:|\s{2,}|\t|$)/.exec(s.slice(i));
  if (first) {
    const rest = s.slice(i + first[0].length);
    const sep = first[2]!;
    if (sep === '') {
      // A lone token: hexdump's closing offset line (8 digits) is told apart by the caller.
      return { groups: [first[1]!], columns: [i + 1], offsetOnly: first[1]!.length === 8 };
    }
    if (sep === ':' || /^[0-9a-fA-F]{2}(\s|$)/.test(rest) || /^[0-9a-fA-F]{4}\s/.test(rest)) {
      offset = parseInt(first[1]!, 16);
      i += first[0].length;
    }
  }
  const groups: string[] = [];
  const columns: number[] = [];
  const re = /[^\s,;]+/g;
  re.lastIndex = i;
  let prevEnd = i;
  let bytes = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    let tok = m[0];
    let col = m.index + 1;
    const gap = m.index - prevEnd;
    prevEnd = m.index + tok.length;
    // In a dump with an offset column, two or more spaces end the bytes (xxd's and annotated
    // dumps' text column), except hexdump -C's gap after the eighth byte.
    if (offset !== undefined && groups.length > 0 && gap >= 2 && !(bytes === 8 && tok.length === 2)) break;
    if (tok.startsWith('|') || tok.startsWith('"')) break; // hexdump -C / annotated ASCII column
    if (/^0x/i.test(tok)) {
      tok = tok.slice(2);
      col += 2;
      if (tok.length === 1) tok = '0' + tok;
    }
    if (tok.endsWith(':') && groups.length === 0 && offset === undefined) break;
    if (!HEX.test(tok)) {
      if (groups.length === 0) return undefined; // a label line
      break; // an ASCII or comment column after the bytes
    }
    groups.push(tok);
    columns.push(col);
    bytes += tok.length / 2;
  }
  if (groups.length === 0) return offset === undefined ? undefined : { offset, groups, columns, offsetOnly: true };
  return offset === undefined ? { groups, columns } : { offset, groups, columns };
}

export function readHex(text: string): Capture {
  const lines = text.split(/\r\n|\r|\n/);
  const r = new HexReader();
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const raw = lines[n]!;
    if (raw.trim() === '') {
      if (r.open) r.close(lineNo);
      continue;
    }
    const parsed = parseLine(raw);
    if (parsed === 'repeat') r.repeatPending = true;
    else if (parsed === undefined) {
      // A label: it ends the datagram before it and may name the next one's direction.
      if (r.open) r.close(lineNo);
      r.direction = labelDirection(raw.trim());
    } else r.line(lineNo, parsed);
  }
  r.close(lines.length);
  if (r.datagrams.length === 0) throw captureError('ERR_CAPTURE_FORMAT', 'no hex bytes found');
  return { format: 'hex', datagrams: r.datagrams };
}

/** readHex's state between lines: the datagrams so far, the one being read, what a dump line continues. */
class HexReader {
  readonly datagrams: Datagram[] = [];
  readonly #sink = new ByteSink();
  #startLine = 0;
  direction: Datagram['direction'];
  #digits = '';
  #firstOdd: { line: number; column: number; token: string } | undefined;
  /** A hexdump line's bytes, for a `*` line after it. */
  #lastLineBytes: Uint8Array | undefined;
  repeatPending = false;
  #sawOffsets = false;

  /** A datagram is being read. */
  get open(): boolean {
    return this.#sink.length > 0 || this.#digits.length > 0;
  }

  /** One line of hex digit groups, with or without an offset column. */
  line(lineNo: number, parsed: HexLine): void {
    let { offset, groups } = parsed;
    if (parsed.offsetOnly && offset === undefined) {
      // An 8-digit token alone: hexdump's closing offset if it continues an offset dump.
      const v = parseInt(groups[0]!, 16);
      if (this.#sawOffsets && v >= this.#sink.length + this.#digits.length / 2) {
        offset = v;
        groups = [];
      }
    }
    if (offset !== undefined) this.#offset(lineNo, offset);
    if (groups.length === 0) return;
    if (this.#startLine === 0) this.#startLine = lineNo;
    const before = this.#sink.length;
    for (let g = 0; g < groups.length; g++) {
      const tok = groups[g]!;
      if (tok.length % 2 !== 0) {
        this.#firstOdd = { line: lineNo, column: parsed.columns[g]!, token: tok };
        this.#digits += tok;
        this.#flushDigits(lineNo);
      }
      this.#digits += tok;
    }
    if (offset !== undefined) {
      this.#flushDigits(lineNo);
      this.#lastLineBytes = this.#sink.slice(before, this.#sink.length);
    }
  }

  /** An offset column: a new dump at 0, the bytes a `*` line stands for, and no gap. */
  #offset(lineNo: number, offset: number): void {
    this.#flushDigits(lineNo);
    const sink = this.#sink;
    if (offset === 0 && sink.length > 0) this.close(lineNo);
    const last = this.#lastLineBytes;
    if (this.repeatPending && last && last.length > 0) {
      if (offset > MAX_DATAGRAM_BYTES) {
        throw captureError(
          'ERR_CAPTURE_FORMAT',
          `line ${lineNo}: offset 0x${offset.toString(16)} after a "*" line would repeat bytes past ${MAX_DATAGRAM_BYTES} bytes, more than any netlink datagram`,
        );
      }
      while (sink.length < offset) {
        for (let k = 0; k < last.length && sink.length < offset; k++) sink.push(last[k]!);
      }
      this.repeatPending = false;
    }
    if (offset !== sink.length) {
      throw captureError(
        'ERR_CAPTURE_FORMAT',
        `line ${lineNo}: offset 0x${offset.toString(16)} does not follow the ${sink.length} (0x${sink.length.toString(16)}) bytes before it in this dump`,
      );
    }
    this.#sawOffsets = true;
  }

  #flushDigits(line: number): void {
    const digits = this.#digits;
    if (digits.length % 2 !== 0) {
      const at = this.#firstOdd ?? { line, column: 1, token: digits.slice(-8) };
      throw captureError(
        'ERR_CAPTURE_FORMAT',
        `line ${at.line}, column ${at.column}: odd number of hex digits in "${at.token}" (a byte is cut in half or a digit is missing)`,
      );
    }
    for (let k = 0; k < digits.length; k += 2) this.#sink.push(parseInt(digits.slice(k, k + 2), 16));
    this.#digits = '';
    this.#firstOdd = undefined;
  }

  /** Ends the datagram being read (if it has bytes). */
  close(line: number): void {
    this.#flushDigits(line);
    if (this.#sink.length > 0) {
      const d: Datagram = { bytes: this.#sink.take(), source: `line ${this.#startLine}` };
      if (this.direction) d.direction = this.direction;
      this.datagrams.push(d);
    }
    this.direction = undefined;
    this.#startLine = 0;
    this.#sawOffsets = false;
    this.#lastLineBytes = undefined;
    this.repeatPending = false;
  }
}
