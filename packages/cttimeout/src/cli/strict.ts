// Where we part from nfct on purpose: names and numbers are checked instead of being cut to
// 31 characters or read with atoi ("abc" = 0, "-1" = 4294967295, "10s" = 10).
import { CtTimeoutError, type ErrorCode } from '../errors.js';
import { NAME_MAX_BYTES } from '../generated/table.js';
import type { RawPair } from './nfct.js';

export { NAME_MAX_BYTES };

/**
 * A refused command line: a CtTimeoutError with source 'usage' (kept as its own name for the
 * CLI's messages; `instanceof CtTimeoutError` holds).
 */
export class CliError extends CtTimeoutError {
  override name = 'CliError';
  constructor(message: string, code: ErrorCode = 'ERR_USAGE') {
    super(code, message, { source: 'usage' });
  }
}

/** A policy name the kernel takes as typed: at most 31 bytes (UTF-8), no NUL. */
export function checkName(name: string): string {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > NAME_MAX_BYTES) {
    throw new CliError(
      `policy name "${name}" is ${bytes} bytes; the kernel allows at most ${NAME_MAX_BYTES} (nfct would silently cut it to "${truncateBytes(name, NAME_MAX_BYTES)}" and act on that policy instead)`,
      'ERR_NAME_TOO_LONG',
    );
  }
  if (name.includes('\0')) throw new CliError('policy name contains a NUL byte', 'ERR_BAD_NAME');
  return name;
}

function truncateBytes(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8').subarray(0, max);
  return b.toString('utf8').replace(/\uFFFD$/, '');
}

/**
 * Seconds: decimal digits only, at most `maxSeconds` (⌊(2³²−1)/HZ⌋: the kernel stores
 * seconds × HZ in 32 bits and silently wraps above that).
 */
export function parseSeconds(text: string, what: string, maxSeconds: number, hz: number): number {
  if (!/^[0-9]+$/.test(text)) {
    const atoi = atoiLike(text);
    const nfct = atoi === undefined ? '' : ` (nfct's atoi would read it as ${atoi})`;
    const why = /^-[0-9]+$/.test(text) ? 'negative numbers are not timeouts' : 'expected a whole number of seconds, digits only';
    throw new CliError(`${what}: "${text}" is not a number of seconds: ${why}${nfct}`, 'ERR_BAD_NUMBER');
  }
  const n = Number(text);
  if (n > maxSeconds) {
    throw new CliError(
      `${what}: ${text} seconds is more than this kernel can hold: at most ${maxSeconds} (it stores seconds × HZ in 32 bits, HZ=${hz}; larger values wrap silently)`,
      'ERR_VALUE_RANGE',
    );
  }
  return n;
}

/** What glibc's atoi makes of the text, as an unsigned 32-bit timeout (for the error message). */
function atoiLike(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(text);
  if (!m) return undefined;
  const v = Number(m[2] || '0') * (m[1] === '-' ? -1 : 1);
  if (!Number.isSafeInteger(v)) return undefined;
  return v >>> 0;
}

/** STATE VALUE pairs as a timeouts object; a state given twice keeps the last value, as in nfct. */
export function pairsToTimeouts(pairs: readonly RawPair[], maxSeconds: number, hz: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pairs) out[p.state] = parseSeconds(p.value, `value of ${p.typed}`, maxSeconds, hz);
  return out;
}
