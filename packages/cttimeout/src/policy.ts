// The typed policy shapes of the client API, and the conversions between them and the codec.
import { CtTimeoutError, type ErrorCode } from './errors.js';
import { familyNumber, findProtocol } from './codec/tables.js';
import type { Family, ProtocolName, RequestSpec, StateName, TimeoutMessage, Timeouts } from './codec/types.js';

/**
 * A named timeout policy. The state names are literal types per protocol, so a TCP state on a
 * UDP policy does not compile. Values are seconds; omitted states take the kernel's current
 * defaults when the policy is created or replaced.
 */
export type Policy = { [P in ProtocolName]: PolicyOf<P> }[ProtocolName];

export interface PolicyOf<P extends ProtocolName> {
  name: string;
  family: Family;
  protocol: P;
  timeouts: Timeouts<P>;
}

/** Every state of the protocol, as the kernel reports them. */
export type FullTimeouts<P extends ProtocolName> = { [S in StateName<P>]: number };

/** A policy as the kernel holds it: every state set, and its reference count. */
export type KernelPolicy = { [P in ProtocolName]: KernelPolicyOf<P> }[ProtocolName];

export interface KernelPolicyOf<P extends ProtocolName> {
  name: string;
  /** A number only when the kernel holds an l3proto other than 2 or 10 (set by another tool). */
  family: Family | number;
  protocol: P;
  timeouts: FullTimeouts<P>;
  /** 1, plus one per iptables CT rule that uses the policy; > 1 means it cannot be deleted. */
  use: number;
}

export function usage(code: ErrorCode, operation: string, message: string, field?: string): CtTimeoutError {
  return new CtTimeoutError(code, `${operation}: ${message}`, { source: 'usage', operation, ...(field ? { field } : {}) });
}

/** Checks a policy's shape at run time (for JavaScript callers and data read from files). */
export function checkPolicy(p: unknown, operation: string): Policy {
  if (p === null || typeof p !== 'object') throw usage('ERR_BAD_ARGUMENT', operation, 'a policy must be an object');
  const x = p as Record<string, unknown>;
  if (typeof x.name !== 'string') throw usage('ERR_BAD_ARGUMENT', operation, 'name must be a string', 'name');
  if (typeof x.family !== 'string' || familyNumber(x.family) === undefined) {
    throw usage('ERR_UNKNOWN_FAMILY', operation, `family must be 'inet' or 'inet6', got ${JSON.stringify(x.family)}`, 'family');
  }
  if (typeof x.protocol !== 'string' || findProtocol(x.protocol)?.name !== x.protocol) {
    throw usage('ERR_UNKNOWN_PROTOCOL', operation, `protocol ${JSON.stringify(x.protocol)} has no timeout table (tcp, udp, udplite, icmp, icmpv6, sctp, gre, generic, dccp)`, 'protocol');
  }
  if (x.timeouts !== undefined && (x.timeouts === null || typeof x.timeouts !== 'object' || Array.isArray(x.timeouts))) {
    throw usage('ERR_BAD_ARGUMENT', operation, 'timeouts must be an object of state: seconds', 'timeouts');
  }
  return { name: x.name, family: x.family, protocol: x.protocol, timeouts: (x.timeouts ?? {}) } as Policy;
}

/** The NEW request for a policy. */
export function policySpec(p: Policy, op: 'NEW' | 'NEW_EXCLUSIVE' | 'NEW_REPLACE'): RequestSpec {
  return { op, name: p.name, l3proto: p.family, l4proto: p.protocol, timeouts: p.timeouts as Record<string, number> };
}

/** A decoded kernel message as a KernelPolicy. */
export function toKernelPolicy(m: TimeoutMessage): KernelPolicy {
  if (m.name === undefined || m.protocol === undefined || m.timeouts === undefined) {
    throw new CtTimeoutError('ERR_UNEXPECTED_REPLY', `the kernel sent a policy without ${m.name === undefined ? 'a name' : m.protocol === undefined ? 'a known protocol' : 'timeouts'}`, { source: 'codec' });
  }
  return { name: m.name, family: m.family ?? m.l3proto ?? 0, protocol: m.protocol, timeouts: m.timeouts, use: m.use ?? 1 } as KernelPolicy;
}
