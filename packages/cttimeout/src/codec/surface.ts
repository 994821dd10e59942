// What `cttimeout/codec` exports, for both entry points (index.ts for browsers, node.ts for
// Node); they differ only in how the WebAssembly module is loaded.
export * from './api.js';
export * from './name.js';
export * from '../validate.js';
export * from './wire.js';
export type * from './types.js';
export { PROTOCOLS, FAMILIES, OPERATIONS, KNOWN_PROTOCOLS, NAME_MAX_BYTES, NLA_F } from '../generated/table.js';
export { CtTimeoutError } from '../errors.js';
export * from '../object/index.js';
export * from '../capture/index.js';
