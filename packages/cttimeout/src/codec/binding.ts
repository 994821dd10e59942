import { CtTimeoutError } from '../errors.js';
import type * as Glue from '../../wasm/cttimeout_codec.js';

/** The wasm-bindgen module once initialised, and its memory. */
export interface WasmBinding {
  glue: Pick<
    typeof Glue,
    | 'inputBuffer'
    | 'specBuffer'
    | 'decodeInput'
    | 'encodeInput'
    | 'outputPtr'
    | 'lastError'
    | 'decodeJson'
    | 'inspectJson'
    | 'formatNfct'
    | 'formatNfctBytes'
    | 'checkInputName'
    | 'headerNames'
    | 'isDump'
    | 'wireFlags'
    | 'prepareInputHeader'
    | 'checkOneMessage'
    | 'splitMessages'
    | 'probeRequest'
    | 'barrier'
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

/**
 * Views over the whole WebAssembly memory. Growing the memory detaches its old buffer, which
 * empties every view on it, so an empty view means "take new ones"; checking that is much
 * cheaper than reading `memory.buffer`. Take views after every call into WebAssembly and never
 * keep them across calls.
 */
export function memoryViews(memory: WebAssembly.Memory): MemoryViews {
  if (views === undefined || views.u8.byteLength === 0) {
    const buffer = memory.buffer;
    views = { u8: new Uint8Array(buffer), u32: new Uint32Array(buffer), f64: new Float64Array(buffer) };
  }
  return views;
}
