// `cttimeout/codec` for Node: the WebAssembly module is compiled synchronously on import.
import { readFileSync } from 'node:fs';
import * as wasm from '../../wasm/cttimeout_codec.js';
import { setBinding } from './binding.js';

const exports = wasm.initSync({ module: readFileSync(new URL('../../wasm/cttimeout_codec_bg.wasm', import.meta.url)) });
setBinding({ glue: wasm, memory: exports.memory });

export * from './api.js';
export * from './name.js';
export * from '../validate.js';
export * from './wire.js';
export type * from './types.js';
export { PROTOCOLS, FAMILIES, OPERATIONS, KNOWN_PROTOCOLS, NAME_MAX_BYTES } from '../generated/table.js';
export { CtTimeoutError } from '../errors.js';
export * from '../object/index.js';
export * from '../capture/index.js';
export { checkName, checkPolicy, checkSeconds, checkTimeouts, parseSeconds, type Limits } from '../validate.js';

/** Already initialised in Node; kept so portable code can always `await init()`. */
export function init(_input?: unknown): Promise<void> {
  return Promise.resolve();
}
