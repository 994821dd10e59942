import { ERRNO } from './generated/table.js';

/** Where an error came from. */
export type ErrorSource = 'kernel' | 'codec' | 'usage' | 'transport';

/**
 * The one error class of cttimeout. `code` is stable: the errno name for kernel errors
 * ('ENOENT', 'EBUSY', ...), `ERR_*` for codec, usage and transport errors.
 */
export class CtTimeoutError extends Error {
  override name = 'CtTimeoutError';
  /** Stable machine-readable code. */
  readonly code: string;
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
    code: string,
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
export function errnoName(errno: number): string {
  return byNumber.get(errno)?.name ?? `E${errno}`;
}

/** glibc's strerror text ("Device or resource busy"), as nfct prints it. */
export function errnoMessage(errno: number): string {
  return byNumber.get(errno)?.text ?? `Unknown error ${errno}`;
}

/** The error for a kernel NLMSG_ERROR. */
export function kernelError(
  errno: number,
  details: { operation?: string; seq?: number; extAckMessage?: string; extAckOffset?: number } = {},
): CtTimeoutError {
  const name = errnoName(errno);
  let message = `${details.operation ? details.operation + ': ' : ''}${errnoMessage(errno)} (${name})`;
  if (details.extAckMessage) message += `: ${details.extAckMessage}`;
  if (details.extAckOffset !== undefined) message += ` [at request byte ${details.extAckOffset}]`;
  return new CtTimeoutError(name, message, { source: 'kernel', errno, ...details });
}
