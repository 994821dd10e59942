import { CtTimeoutError } from '../errors.js';
import type { Skipped } from './types.js';

export function captureError(code: string, message: string, offset?: number): CtTimeoutError {
  return new CtTimeoutError(code, message, { source: 'usage', operation: 'readCapture', ...(offset === undefined ? {} : { offset }) });
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
