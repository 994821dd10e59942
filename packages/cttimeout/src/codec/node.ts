// `cttimeout/codec` for Node: the WebAssembly module is compiled synchronously on import.
import { readFileSync } from 'node:fs';
import * as wasm from '../../wasm/cttimeout_codec.js';
import { setBinding } from './binding.js';

const exports = wasm.initSync({ module: readFileSync(new URL('../../wasm/cttimeout_codec_bg.wasm', import.meta.url)) });
setBinding({ glue: wasm, memory: exports.memory });

export * from './surface.js';

/** Already initialised in Node; kept so portable code can always `await init()`. */
export function init(_input?: unknown): Promise<void> {
  return Promise.resolve();
}
