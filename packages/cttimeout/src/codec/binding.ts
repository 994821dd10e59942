import { CtTimeoutError } from '../errors.js';
import type * as Glue from '../../wasm/cttimeout_codec.js';

/** The wasm-bindgen module once initialised, and its memory. */
export interface WasmBinding {
  glue: Pick<
    typeof Glue,
    'inputBuffer' | 'specBuffer' | 'decodeInput' | 'encodeInput' | 'outputPtr' | 'lastError' | 'decodeJson' | 'inspectJson' | 'formatNfct'
  >;
  memory: WebAssembly.Memory;
}

let wasm: WasmBinding | undefined;

export function setBinding(w: WasmBinding): void {
  wasm = w;
}

export function binding(): WasmBinding {
  if (wasm === undefined) {
    throw new CtTimeoutError('ERR_NOT_INITIALIZED', 'the codec is not initialised: `await init()` from "cttimeout/codec" first', {
      source: 'usage',
    });
  }
  return wasm;
}

export interface MemoryViews {
  u8: Uint8Array;
  u32: Uint32Array;
  f64: Float64Array;
}

let views: MemoryViews | undefined;
let viewed: ArrayBuffer | undefined;

/**
 * Views over the whole WebAssembly memory. Growing the memory replaces its buffer, so take
 * them after every call into WebAssembly and never keep them across calls.
 */
export function memoryViews(memory: WebAssembly.Memory): MemoryViews {
  if (memory.buffer !== viewed || views === undefined) {
    viewed = memory.buffer;
    views = { u8: new Uint8Array(viewed), u32: new Uint32Array(viewed), f64: new Float64Array(viewed) };
  }
  return views;
}
