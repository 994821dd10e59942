import { CtTimeoutError, type ErrorCode } from '../errors.js';
import type { Capture, CaptureProblem, Skipped } from './types.js';

/** The largest datagram a reader builds (a hexdump `*` line repeats bytes up to an offset). */
export const MAX_DATAGRAM_BYTES = 4 * 1024 * 1024;

export function captureError(code: ErrorCode, message: string, offset?: number): CtTimeoutError {
  return new CtTimeoutError(code, message, { source: 'usage', operation: 'readCapture', ...(offset === undefined ? {} : { offset }) });
}

/**
 * Runs a reader's record loop; a CtTimeoutError it throws past byte 0 ends the capture there:
 * the datagrams read so far are kept and the problem is reported in `error`.
 */
export function readRecords(format: Capture['format'], datagrams: Capture['datagrams'], skip: SkipLog, loop: () => void): Capture {
  let error: CaptureProblem | undefined;
  try {
    loop();
  } catch (e) {
    // A problem in the first block means this is not a readable file at all.
    if (!(e instanceof CtTimeoutError) || !e.offset) throw e;
    error = { code: e.code, message: e.message, ...(e.offset !== undefined ? { offset: e.offset } : {}) };
  }
  const skipped = skip.list();
  return { format, datagrams, ...(skipped ? { skipped } : {}), ...(error ? { error } : {}) };
}

/** A growable byte buffer. */
export class ByteSink {
  private buf = new Uint8Array(64);
  length = 0;

  push(b: number): void {
    if (this.length === this.buf.length) this.grow(this.length + 1);
    this.buf[this.length++] = b;
  }

  pushAll(bytes: ArrayLike<number>): void {
    if (this.length + bytes.length > this.buf.length) this.grow(this.length + bytes.length);
    for (let i = 0; i < bytes.length; i++) this.buf[this.length++] = bytes[i]!;
  }

  /** Byte `i` bytes before the end... used to repeat a hexdump line. */
  slice(from: number, to: number): Uint8Array {
    return this.buf.slice(from, to);
  }

  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }

  private grow(min: number): void {
    const next = new Uint8Array(Math.max(min, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

/** Counts skipped records by reason. */
export class SkipLog {
  private byReason = new Map<string, Skipped>();

  add(reason: string, where: string): void {
    const s = this.byReason.get(reason);
    if (s) s.count++;
    else this.byReason.set(reason, { reason, count: 1, first: where });
  }

  list(): Skipped[] | undefined {
    return this.byReason.size === 0 ? undefined : [...this.byReason.values()];
  }
}

export const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export function hexPreview(b: Uint8Array, n = 8): string {
  return Array.from(b.subarray(0, n), hex2).join(' ');
}
