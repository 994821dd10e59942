// The typed policy shapes of the client API, and the conversions between them and the codec.
import { CtTimeoutError, type ErrorCode } from './errors.js';
import { checkPolicy as validatePolicy, type Limits, type PolicyName } from './validate.js';
import type { Family, ProtocolName, RequestSpec, StateName, TimeoutMessage, Timeouts } from './codec/types.js';

/**
 * A named timeout policy. The state names are literal types per protocol, so a TCP state on a
 * UDP policy does not compile. Values are seconds; omitted states take the kernel's current
 * defaults when the policy is created or replaced.
 */
export type Policy = { [P in ProtocolName]: PolicyOf<P> }[ProtocolName];

export interface PolicyOf<P extends ProtocolName> {
  /** A string (well-formed Unicode, sent as UTF-8) or the exact bytes; at most 31 bytes. */
  name: PolicyName;
  family: Family;
  protocol: P;
  timeouts: Timeouts<P>;
}

/** Every state of the protocol, as the kernel reports them. */
export type FullTimeouts<P extends ProtocolName> = { [S in StateName<P>]: number };

export type { PolicyName };

/** A policy as the kernel holds it: every state set, and its reference count. */
export type KernelPolicy = { [P in ProtocolName]: KernelPolicyOf<P> }[ProtocolName];

export interface KernelPolicyOf<P extends ProtocolName> {
  /** A string when the kernel's bytes are UTF-8, else a Uint8Array holding the exact bytes. */
  name: PolicyName;
  /** A number only when the kernel holds an l3proto other than 2 or 10 (set by another tool). */
  family: Family | number;
  protocol: P;
  timeouts: FullTimeouts<P>;
  /** 1, plus one per iptables CT rule that uses the policy; > 1 means it cannot be deleted. */
  use: number;
}

/** A usage error of an operation (the client's own checks, beyond validate.ts). */
export function usage(code: ErrorCode, operation: string, message: string, field?: string): CtTimeoutError {
  return new CtTimeoutError(code, `${operation}: ${message}`, { source: 'usage', operation, ...(field ? { field } : {}) });
}

/** Checks a policy at run time (validate.ts rules); errors carry the operation and field. */
export function checkPolicy(p: unknown, operation: string, limits: Limits): Policy {
  try {
    const c = validatePolicy(p, limits);
    return { name: c.name, family: c.family, protocol: c.protocol, timeouts: c.timeouts } as Policy;
  } catch (e) {
    throw withOperation(e, operation);
  }
}

/** The error with `operation: ` in front of its message (once). */
export function withOperation(e: unknown, operation: string): unknown {
  if (e instanceof CtTimeoutError && e.operation === undefined) {
    return new CtTimeoutError(e.code, `${operation}: ${e.message}`, {
      source: e.source,
      operation,
      ...(e.errno !== undefined ? { errno: e.errno } : {}),
      ...(e.field !== undefined ? { field: e.field } : {}),
      ...(e.offset !== undefined ? { offset: e.offset } : {}),
      cause: e,
    });
  }
  return e;
}

/** Runs an operation's argument checks, adding `operation: ` to their errors (client methods, object API functions). */
export function inOperation<T>(operation: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw withOperation(e, operation);
  }
}

/** The NEW request for a policy (checked, or read from the kernel). */
export function policySpec(
  p: { name: PolicyName; family: Family | number; protocol: ProtocolName; timeouts: object },
  op: 'NEW' | 'NEW_EXCLUSIVE' | 'NEW_REPLACE',
): RequestSpec {
  return { op, name: p.name, l3proto: p.family, l4proto: p.protocol, timeouts: p.timeouts as Record<string, number> };
}

/** A decoded kernel message as a KernelPolicy. */
export function toKernelPolicy(m: TimeoutMessage): KernelPolicy {
  if (m.name === undefined || m.protocol === undefined || m.timeouts === undefined) {
    throw new CtTimeoutError(
      'ERR_UNEXPECTED_REPLY',
      `the kernel sent a policy without ${m.name === undefined ? 'a name' : m.protocol === undefined ? 'a known protocol' : 'timeouts'}`,
      { source: 'codec' },
    );
  }
  // A plain Uint8Array, as the API promises (the codec may hand out a Buffer, whose JSON differs).
  const name = typeof m.name === 'string' || m.name.constructor === Uint8Array ? m.name : new Uint8Array(m.name);
  return { name, family: m.family ?? m.l3proto ?? 0, protocol: m.protocol, timeouts: m.timeouts, use: m.use ?? 1 } as KernelPolicy;
}
