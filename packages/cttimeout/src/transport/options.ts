// Options of the transport, checked once at the door: a bad option is a CtTimeoutError
// ERR_INVALID_ARGUMENT naming the field, never a TypeError, a napi error or a silent coercion.
import { CtTimeoutError } from '../errors.js';
import type { OpenSocket } from './socket.js';

export interface TransportOptions {
  /**
   * Network namespace: a name (= /run/netns/NAME; no '/', not '.' or '..') or an absolute path
   * (/proc/PID/ns/net, /run/netns/NAME). Anything else is refused.
   */
  netns?: string;
  /** Initial SO_RCVBUF in bytes (default 1 MiB); grown automatically with the requests in flight. */
  receiveBufferBytes?: number;
  /** pcap file that receives every datagram sent and received (default: env CTTIMEOUT_CAPTURE). */
  capture?: string;
  /** Default per-request timeout in ms (default 30,000; 0 = none). */
  timeoutMs?: number;
  /**
   * Probe the kernel when opening (default true): a GET of the name "" tells a missing cttimeout
   * subsystem (ERR_NO_CTTIMEOUT) and a missing CAP_NET_ADMIN (EPERM) apart right away.
   */
  probe?: boolean;
  /**
   * Called with every request as it is handed to the socket ('out', seq and flags filled in)
   * and every reply chunk as it arrives ('in'): for --verbose / CTTIMEOUT_DEBUG logging.
   * Exceptions it throws are ignored.
   */
  trace?: (direction: 'out' | 'in', bytes: Uint8Array) => void;
  /** The socket implementation (default: the native addon). cttimeout/testing has fakes. */
  socket?: OpenSocket;
}

/** Options used by the tests only; not part of the public API. */
export interface InternalTransportOptions extends TransportOptions {
  /** nfnetlink subsystem the probe asks (default 8, cttimeout). */
  _probeSubsystem?: number;
  /** Send everything at once, ignoring the receive-buffer window (to provoke ENOBUFS). */
  _noFlowControl?: boolean;
}

export interface RequestOptions {
  /**
   * How long to wait for the kernel's next reply to this request, in ms (the clock restarts with
   * each chunk, so a long dump does not time out while it is flowing). 0 = no timeout. A request
   * still queued when it runs out fails with `sent: false`.
   */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Named in errors ('add', 'list', ...). */
  operation?: string;
}

export interface StreamOptions extends RequestOptions {
  /** Chunks buffered before the transport stops reading the socket (default 8). */
  highWaterMark?: number;
}

/** Largest timeout setTimeout honours (larger ones fire at once). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** SO_RCVBUF is an int; the kernel doubles what it is given. */
const MAX_RECEIVE_BUFFER_OPTION = 2 ** 30;

export function invalid(field: string, message: string, operation = 'open'): CtTimeoutError {
  return new CtTimeoutError('ERR_INVALID_ARGUMENT', `${operation}: ${field} ${message}`, { source: 'usage', operation, field });
}

function integerIn(v: unknown, field: string, min: number, max: number, operation: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(field, `must be an integer from ${min} to ${max}; got ${describe(v)}`, operation);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

function optionalType(o: Record<string, unknown>, key: string, type: string, operation: string): void {
  if (o[key] !== undefined && typeof o[key] !== type) throw invalid(key, `must be a ${type}; got ${describe(o[key])}`, operation);
}

/** The namespace file a netns option names: a bare name is /run/netns/NAME. */
export function netnsPath(spec: unknown): string {
  if (typeof spec !== 'string' || spec === '') throw invalid('netns', `must be a namespace name or an absolute path; got ${describe(spec)}`);
  if (spec.includes('\0')) throw invalid('netns', 'must not contain a NUL byte');
  if (spec.startsWith('/')) return spec;
  if (spec.includes('/') || spec === '.' || spec === '..') {
    throw invalid(
      'netns',
      `${JSON.stringify(spec)} is neither a name under /run/netns (no '/') nor an absolute path; write /run/netns/NAME or /proc/PID/ns/net`,
    );
  }
  return `/run/netns/${spec}`;
}

/** Checks open()'s options; returns them typed. */
export function checkOpenOptions(options: unknown): InternalTransportOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw invalid('options', `must be an object; got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  if (o.netns !== undefined) netnsPath(o.netns);
  if (o.receiveBufferBytes !== undefined) integerIn(o.receiveBufferBytes, 'receiveBufferBytes', 1, MAX_RECEIVE_BUFFER_OPTION, 'open');
  if (o.capture !== undefined && (typeof o.capture !== 'string' || o.capture === '' || o.capture.includes('\0'))) {
    throw invalid('capture', `must be a file path; got ${describe(o.capture)}`);
  }
  if (o.timeoutMs !== undefined) integerIn(o.timeoutMs, 'timeoutMs', 0, MAX_TIMEOUT_MS, 'open');
  optionalType(o, 'probe', 'boolean', 'open');
  optionalType(o, 'trace', 'function', 'open');
  optionalType(o, 'socket', 'function', 'open');
  return o as InternalTransportOptions;
}

/** Checks a request's options; throws ERR_INVALID_ARGUMENT. */
export function checkRequestOptions(options: unknown, operation = 'request'): StreamOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw invalid('options', `must be an object; got ${describe(options)}`, operation);
  const o = options as Record<string, unknown>;
  optionalType(o, 'operation', 'string', operation);
  const op = (o.operation as string | undefined) ?? operation;
  if (o.timeoutMs !== undefined) integerIn(o.timeoutMs, 'timeoutMs', 0, MAX_TIMEOUT_MS, op);
  if (o.highWaterMark !== undefined) integerIn(o.highWaterMark, 'highWaterMark', 1, 1 << 20, op);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw invalid('signal', `must be an AbortSignal; got ${describe(o.signal)}`, op);
  return o as StreamOptions;
}
