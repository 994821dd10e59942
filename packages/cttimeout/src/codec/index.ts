/**
 * `cttimeout/codec`: the WebAssembly codec for netlink cttimeout messages — encode requests,
 * decode any datagram into typed objects, the inspector's field tree, nfct's text. Works in
 * Node and in browsers. In a browser call `await init()` once first; in Node it is ready on
 * import (`init()` resolves at once), so portable code can always `await init()`.
 */
import initWasm, * as wasm from '../../wasm/cttimeout_codec.js';
import { setBinding } from './binding.js';

export * from './surface.js';

let ready: Promise<void> | undefined;

/**
 * Loads the WebAssembly module. `input` may be a URL, a Response, bytes or a compiled
 * WebAssembly.Module; by default the .wasm file next to the JS glue is fetched.
 */
export function init(input?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module): Promise<void> {
  ready ??= initWasm(input === undefined ? undefined : { module_or_path: input }).then((exports) => setBinding({ glue: wasm, memory: exports.memory }));
  return ready;
}
