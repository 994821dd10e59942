/**
 * cttimeout: Linux conntrack timeout policies (nfnetlink cttimeout) from TypeScript.
 *
 * This is the Node entry: the typed client (`CtTimeout`), the C-library-style object API,
 * the raw netlink transport and the WebAssembly codec. Browsers get the codec only, from
 * `cttimeout/codec` (or this package name, which resolves to it there).
 */
export * from './codec/node.js';
export { CtTimeout, ApplyError } from './client.js';
export type { OpenOptions, CallOptions, FlushResult, PolicyList } from './client.js';
export type { ApplyAction, ApplyOptions, ApplyResult, ApplyStep, KeptPolicy, Recovery, StepStatus } from './apply/index.js';
export type { Policy, PolicyOf, KernelPolicy, KernelPolicyOf, FullTimeouts, PolicyName } from './policy.js';
export { NetlinkTransport } from './transport/transport.js';
export type { RequestOptions, StreamOptions, TransportOptions, TransportStats } from './transport/transport.js';
export { errnoName, errnoMessage, type ErrorSource } from './errors.js';
export { detectHz, measureHz } from './kernel-hz.js';
