import { ERROR_CODES, EXIT, type ErrnoName, type ErrorCode, type ErrorSource } from './generated/errors.js';
import { ERRNO } from './generated/table.js';

export { ERROR_CODES, EXIT, type ErrnoName, type ErrorCode, type ErrorSource };

/**
 * The one error class of cttimeout. `code` is stable and registered (crates/codec/src/registry.rs,
 * docs/errors.md): the errno name for kernel errors ('ENOENT', 'EBUSY', ...), `ERR_*` for the
 * others. A misspelt code does not compile.
 */
export class CtTimeoutError extends Error {
  override name = 'CtTimeoutError';
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  readonly source: ErrorSource;
  /** Positive errno for kernel and system errors. */
  readonly errno?: number;
  /** The operation that failed ('add', 'get', 'decode', ...). */
  readonly operation?: string;
  /** Netlink sequence number of the failed request. */
  readonly seq?: number;
  /** The kernel's extended-ACK text, when it sent one. */
  readonly extAckMessage?: string;
  /** The kernel's extended-ACK offset: byte of the offending attribute in the request. */
  readonly extAckOffset?: number;
  /** Byte offset in the input where decoding stopped (codec errors). */
  readonly offset?: number;
  /** The input field at fault ('name', 'timeouts.ESTABLISHED', ...). */
  readonly field?: string;
  /**
   * Transport errors that end a request early (abort, timeout, ENOBUFS, close): whether the
   * request had been handed to the kernel. true = it may have been executed; false = it was not.
   */
  readonly sent?: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    details: {
      source: ErrorSource;
      errno?: number;
      operation?: string;
      seq?: number;
      extAckMessage?: string;
      extAckOffset?: number;
      offset?: number;
      field?: string;
      sent?: boolean;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.source = details.source;
    for (const k of ['errno', 'operation', 'seq', 'extAckMessage', 'extAckOffset', 'offset', 'field', 'sent'] as const) {
      if (details[k] !== undefined) (this as Record<string, unknown>)[k] = details[k];
    }
  }
}

const byNumber = new Map(ERRNO.map(([n, name, text]) => [n, { name, text }]));

/** 'EBUSY' for 16; `E${n}` for numbers Linux does not name. */
export function errnoName(errno: number): ErrnoName | `E${number}` {
  return (byNumber.get(errno)?.name as ErrnoName | undefined) ?? `E${errno}`;
}

/** glibc's strerror text ("Device or resource busy"), as nfct prints it. */
export function errnoMessage(errno: number): string {
  return byNumber.get(errno)?.text ?? `Unknown error ${errno}`;
}

/** The error for a kernel NLMSG_ERROR. */
export function kernelError(errno: number, details: { operation?: string; seq?: number; extAckMessage?: string; extAckOffset?: number } = {}): CtTimeoutError {
  const name = errnoName(errno);
  let message = `${details.operation ? details.operation + ': ' : ''}${errnoMessage(errno)} (${name})`;
  if (details.extAckMessage) message += `: ${details.extAckMessage}`;
  if (details.extAckOffset !== undefined) message += ` [at request byte ${details.extAckOffset}]`;
  return new CtTimeoutError(name, message, { source: 'kernel', errno, ...details });
}

/** Whether a string is a code CtTimeoutError can carry (for codes that come in as data, e.g. JSON). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code) || byName.has(code) || /^E\d+$/.test(code);
}

const byName = new Set(ERRNO.map(([, name]) => name));

/**
 * The CLI's exit status for an error (docs/errors.md): the registered code's, else by source
 * (an errno the kernel returned: 7; a system errno from the transport: 9, from a file: 8).
 */
export function exitStatus(e: { code: string; source?: string }): number {
  const known = (ERROR_CODES as Record<string, { exit: number } | undefined>)[e.code];
  if (known !== undefined) return known.exit;
  switch (e.source) {
    case 'kernel':
      return EXIT.KERNEL;
    case 'transport':
      return EXIT.TRANSPORT;
    case 'io':
      return EXIT.IO;
    case 'usage':
      return EXIT.USAGE;
    default:
      return EXIT.ERROR;
  }
}
