// Loads the napi-rs addon (crates/socket), built by scripts/build-native.sh into
// packages/cttimeout/native/. Two distinct failures: not Linux (netlink does not exist there)
// and the addon missing or not loadable.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CtTimeoutError } from '../errors.js';
import type * as Binding from './native.generated.js';

export type NativeBinding = typeof Binding;
export type { NativeEvent, NativeOpenError, NativeOpenOptions, NativeSocket } from './native.generated.js';

const require = createRequire(import.meta.url);
let cached: NativeBinding | undefined;

/** Where the addon is looked for, in order. */
export function addonPaths(): string[] {
  const paths: string[] = [];
  if (process.env.CTTIMEOUT_NATIVE_PATH) paths.push(process.env.CTTIMEOUT_NATIVE_PATH);
  // napi-rs names the file by platform, arch and libc. Both libc builds are tried (a musl
  // build does not load on glibc and vice versa), which is cheaper than asking
  // process.report which libc this is. src/transport/ and dist/transport/ both sit two
  // levels below the package root.
  for (const libc of ['gnu', 'musl']) {
    paths.push(fileURLToPath(new URL(`../../native/cttimeout-socket.linux-${process.arch}-${libc}.node`, import.meta.url)));
  }
  return paths;
}

/**
 * The addon, loaded once. Throws ERR_UNSUPPORTED_PLATFORM off Linux and ERR_ADDON_MISSING when
 * no candidate file loads (the error lists where it looked, with the last loader error as cause).
 */
export function loadNative(options: { platform?: string; paths?: string[] } = {}): NativeBinding {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    throw new CtTimeoutError(
      'ERR_UNSUPPORTED_PLATFORM',
      `the cttimeout transport needs Linux netlink sockets; this is ${platform}. The codec (cttimeout/codec) works on any platform.`,
      { source: 'transport', operation: 'open' },
    );
  }
  if (cached && options.paths === undefined) return cached;
  const paths = options.paths ?? addonPaths();
  let cause: unknown;
  for (const p of paths) {
    try {
      const binding = require(p) as NativeBinding;
      if (options.paths === undefined) cached = binding;
      return binding;
    } catch (e) {
      cause = e;
    }
  }
  throw new CtTimeoutError(
    'ERR_ADDON_MISSING',
    `the native netlink addon could not be loaded (looked in ${paths.join(', ')}); build it with "bash scripts/build-native.sh" or point CTTIMEOUT_NATIVE_PATH at the .node file`,
    { source: 'transport', operation: 'open', cause },
  );
}
