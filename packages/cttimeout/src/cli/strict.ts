// Where we part from nfct on purpose: names and numbers are checked instead of being cut to
// 31 characters or read with atoi ("abc" = 0, "-1" = 4294967295, "10s" = 10).
import { CtTimeoutError, ERROR_CODES, EXIT, type ErrorCode, type ErrorSource } from '../errors.js';
import { NAME_MAX_BYTES } from '../generated/table.js';
import { checkName as validateName } from '../validate.js';
import type { RawPair } from './nfct.js';

export { EXIT, NAME_MAX_BYTES };

/** Where in a file an error is (1-based line and column). */
export interface FilePosition {
  file: string;
  line?: number;
  column?: number;
}

/**
 * A refused command line or input: a CtTimeoutError (source from the registry) with the field
 * and, for policy files, the file position; `cause` keeps a library error it rewords.
 */
export class CliError extends CtTimeoutError {
  override name = 'CliError';
  readonly position?: FilePosition;
  constructor(message: string, code: ErrorCode = 'ERR_USAGE', field?: string, details: { cause?: unknown; position?: FilePosition } = {}) {
    const lib = details.cause instanceof CtTimeoutError ? details.cause : undefined;
    super(code, message, {
      source: (ERROR_CODES as Record<string, { source: ErrorSource } | undefined>)[code]?.source ?? lib?.source ?? 'usage',
      ...(field !== undefined ? { field } : {}),
      ...(lib?.errno !== undefined ? { errno: lib.errno } : {}),
      ...(lib?.operation !== undefined ? { operation: lib.operation } : {}),
      cause: details.cause,
    });
    if (details.position) this.position = details.position;
  }
}

/**
 * An argument's exact bytes: the string, bytes that are not UTF-8, or null when Node's lossy
 * decoding replaced bytes that could not be read back.
 */
export type ExactArg = string | Uint8Array | null;

/**
 * Node decodes argv as UTF-8 with U+FFFD for bytes that are not UTF-8, so `$'\xff'` and the
 * three bytes of U+FFFD arrive as the same string. An argument holding U+FFFD is looked up in
 * the raw command line (/proc/self/cmdline; its last arguments are ours): its exact bytes when
 * they are not UTF-8, the string when they really are U+FFFD, null when the bytes cannot be had.
 */
export function exactArgs(args: readonly string[], readCmdline: () => Uint8Array): ExactArg[] {
  if (!args.some((a) => a.includes('\uFFFD'))) return [...args];
  let raw: Uint8Array[] | undefined;
  try {
    const cmdline = readCmdline();
    const parts: Uint8Array[] = [];
    let start = 0;
    for (let i = 0; i < cmdline.length; i++) {
      if (cmdline[i] === 0) {
        parts.push(cmdline.subarray(start, i));
        start = i + 1;
      }
    }
    const tail = parts.slice(Math.max(0, parts.length - args.length));
    // Only when every argument decodes to what Node gave us is the match certain.
    if (tail.length === args.length && tail.every((b, i) => Buffer.from(b).toString('utf8') === args[i])) raw = tail;
  } catch {
    // not Linux, or no /proc
  }
  return args.map((a, i) => {
    if (!a.includes('\uFFFD')) return a;
    if (raw === undefined) return null;
    const bytes = raw[i]!;
    return Buffer.from(a, 'utf8').equals(bytes) ? a : Uint8Array.from(bytes);
  });
}

/** A name as messages show it: JSON-quoted text, or the shell's $'\xff' form for bytes that are not UTF-8. */
export function showName(name: string | Uint8Array): string {
  if (typeof name === 'string') return JSON.stringify(name);
  let s = "$'";
  for (const b of name) s += b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return s + "'";
}

/**
 * A policy name the kernel takes as typed (validate.ts's rules: at most 31 bytes, no NUL).
 * Bytes that are not UTF-8 stay bytes; `null` is an argument whose exact bytes could not be
 * read (see exactArgs).
 */
export function checkName(name: string | Uint8Array | null, typed: string): string | Uint8Array {
  if (name === null) {
    throw new CliError(
      `policy name ${JSON.stringify(typed)}: its bytes are not UTF-8 and their exact value could not be read (/proc/self/cmdline); refusing rather than acting on another policy`,
      'ERR_INVALID_NAME',
      'name',
    );
  }
  try {
    return validateName(name).name;
  } catch (e) {
    if (!(e instanceof CtTimeoutError)) throw e;
    const bytes = typeof name === 'string' ? Buffer.from(name, 'utf8') : Buffer.from(name);
    // What nfct would do instead is the reason to refuse: say it.
    const nfct = bytes.length > NAME_MAX_BYTES ? ` (nfct would silently cut it to ${showName(cut(bytes))} and act on that policy instead)` : '';
    let why = e.message.replace(/^name: (name )?/, '').replace(/^(?=\d+ bytes)/, 'is ');
    // Ours names the very policy nfct would act on instead of the codec's general remark.
    if (nfct) why = why.replace(/ \(nfct and the C library [^)]*\)$/, '');
    throw new CliError(`policy name ${showName(name)}${why.startsWith('is ') ? ' ' : ': '}${why}${nfct}`, e.code, 'name', { cause: e });
  }
}

/** The first 31 bytes, as nfct keeps them. */
function cut(bytes: Buffer): string | Uint8Array {
  const b = bytes.subarray(0, NAME_MAX_BYTES);
  const text = b.toString('utf8');
  return Buffer.from(text, 'utf8').equals(b) ? text : new Uint8Array(b);
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
