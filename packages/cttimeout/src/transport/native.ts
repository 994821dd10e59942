// Loads the napi-rs addon (crates/socket). Where from, in order: the platform package npm
// installed with cttimeout (@cttimeout/linux-<cpu>-<libc>, an optional dependency that only
// installs on a matching os/cpu/libc), then native/ in this package (a local build, see
// README "Platforms"). CTTIMEOUT_NATIVE_PATH, when set, replaces both: that file must load,
// and when it does not that is the error (a set override is never skipped silently).
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CtTimeoutError } from '../errors.js';
import type * as Binding from './native.generated.js';

export type NativeBinding = typeof Binding;
export type { NativeBatch, NativeEvent, NativeOpenError, NativeOpenOptions, NativeSocket } from './native.generated.js';

/** The platforms a prebuilt addon ships for (npm/<suffix>/, crates/socket/napi.json). */
export const ADDON_PLATFORMS = ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'linux-arm64-musl'] as const;

const require = createRequire(import.meta.url);
let cached: { binding: NativeBinding; env: string | undefined } | undefined;

/** One place the loader looks: an npm package name or a file. */
export interface AddonCandidate {
  kind: 'package' | 'native' | 'env';
  /** Package name (kind 'package') or absolute file path. */
  id: string;
}

/** Where the addon is looked for, in order. */
export function addonCandidates(env: NodeJS.ProcessEnv = process.env, arch: string = process.arch): AddonCandidate[] {
  if (env.CTTIMEOUT_NATIVE_PATH) return [{ kind: 'env', id: env.CTTIMEOUT_NATIVE_PATH }];
  // Both libcs are tried (npm installs only the matching package; a musl build does not load
  // on glibc and vice versa), which is cheaper than asking which libc this is. src/transport/
  // and dist/transport/ both sit two levels below the package root.
  const libcs = ['gnu', 'musl'];
  return [
    ...libcs.map((libc): AddonCandidate => ({ kind: 'package', id: `@cttimeout/linux-${arch}-${libc}` })),
    ...libcs.map(
      (libc): AddonCandidate => ({
        kind: 'native',
        id: fileURLToPath(new URL(`../../native/cttimeout-socket.linux-${arch}-${libc}.node`, import.meta.url)),
      }),
    ),
  ];
}

/** Files (or package names) tried, in order; kept for callers of the old API. */
export function addonPaths(): string[] {
  return addonCandidates().map((c) => c.id);
}

/** The C library of this process: glibc with its version, musl (version from its loader), or unknown. */
export function libcInfo(): { libc: 'glibc' | 'musl' | 'unknown'; version?: string } {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  if (header?.glibcVersionRuntime) return { libc: 'glibc', version: header.glibcVersionRuntime };
  const musl = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as 'x64' | 'arm64'];
  const loader = musl && `/lib/ld-musl-${musl}.so.1`;
  if (loader && existsSync(loader)) {
    // musl's loader prints "musl libc (x86_64)\nVersion 1.2.3" when run without arguments.
    // child_process (and the net and dgram modules it loads) only here, not at every start-up.
    const { spawnSync } = process.getBuiltinModule('node:child_process');
    const out = spawnSync(loader, [], { encoding: 'utf8', timeout: 2000 }).stderr ?? '';
    return { libc: 'musl', version: /Version ([\d.]+)/.exec(out)?.[1] };
  }
  return { libc: 'unknown' };
}

/** "linux x64, glibc 2.36, Node v24.22.3" */
export function describePlatform(platform: string = process.platform): string {
  const { libc, version } = libcInfo();
  return `${platform} ${process.arch}, ${libc === 'unknown' ? 'libc unknown' : `${libc}${version ? ' ' + version : ''}`}, Node ${process.version}`;
}

const MACHINES: Record<number, string> = { 62: 'x64', 183: 'arm64', 3: 'ia32', 40: 'arm' };

/**
 * What an ELF file's header says about its CPU, when that is not this process's: glibc's
 * dlopen reports a file for another CPU as "cannot open shared object file: No such file or
 * directory", which sends people looking for a file that is there.
 */
function wrongMachine(file: string): string | undefined {
  try {
    const fd = openSync(file, 'r');
    const h = Buffer.alloc(20);
    try {
      readSync(fd, h, 0, 20, 0);
    } finally {
      closeSync(fd);
    }
    if (h.readUInt32BE(0) !== 0x7f454c46) return 'the file is not an ELF shared object';
    const m = MACHINES[h.readUInt16LE(18)] ?? `ELF machine ${h.readUInt16LE(18)}`;
    return m === process.arch ? undefined : `the file is built for ${m}, this is ${process.arch}`;
  } catch {
    return undefined;
  }
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!;
}

/**
 * The addon, loaded once. Throws ERR_UNSUPPORTED_PLATFORM off Linux and ERR_ADDON_MISSING when
 * no candidate loads: the message names the platform, every place tried with its own error,
 * and what to install.
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
  if (cached && options.paths === undefined && cached.env === process.env.CTTIMEOUT_NATIVE_PATH) return cached.binding;
  const candidates = options.paths?.map((id): AddonCandidate => ({ kind: 'native', id })) ?? addonCandidates();
  const tried: string[] = [];
  const errors: unknown[] = [];
  for (const c of candidates) {
    let file = c.id;
    const label = () => (c.kind === 'env' ? `CTTIMEOUT_NATIVE_PATH=${file}` : c.kind === 'package' ? `${c.id} (${file})` : file);
    if (c.kind === 'package') {
      try {
        file = require.resolve(c.id);
      } catch {
        tried.push(`${c.id}: not installed`);
        continue;
      }
    } else if (!existsSync(file)) {
      tried.push(`${label()}: no such file`);
      errors.push(new Error(`${file}: no such file`));
      continue;
    }
    try {
      const binding = require(file) as NativeBinding;
      if (options.paths === undefined) cached = { binding, env: process.env.CTTIMEOUT_NATIVE_PATH };
      return binding;
    } catch (e) {
      const why = wrongMachine(file);
      tried.push(`${label()}: ${firstLine(e)}${why ? ` (${why})` : ''}`);
      errors.push(e);
    }
  }
  const suffix = `linux-${process.arch}-${libcInfo().libc === 'musl' ? 'musl' : 'gnu'}`;
  const advice = candidates.some((c) => c.kind === 'env')
    ? 'CTTIMEOUT_NATIVE_PATH is set, so nothing else was tried: point it at a loadable cttimeout-socket .node file, or unset it to use the installed platform package'
    : (ADDON_PLATFORMS as readonly string[]).includes(suffix)
      ? `install the platform package: npm install @cttimeout/${suffix} (npm installs it with cttimeout unless optional dependencies are omitted, e.g. --omit=optional or a lockfile made on another platform), or set CTTIMEOUT_NATIVE_PATH to a cttimeout-socket .node file`
      : `no prebuilt addon exists for ${suffix} (prebuilt: ${ADDON_PLATFORMS.join(', ')}); build crates/socket from the cttimeout sources and set CTTIMEOUT_NATIVE_PATH to the .node file`;
  throw new CtTimeoutError(
    'ERR_ADDON_MISSING',
    `the native netlink addon could not be loaded on ${describePlatform(platform)}; tried:\n  ${tried.join('\n  ')}\n${advice}`,
    { source: 'transport', operation: 'open', cause: errors.length === 1 ? errors[0] : new AggregateError(errors, 'every addon candidate failed to load') },
  );
}
