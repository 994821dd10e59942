// The other Node binaries scripts/cross-setup.sh fetches into the machine-wide cache (its
// node_bin(); same layout), and how to run the arm64 one under qemu-user.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cttimeout');

export const nodeBin = (arch: 'x64' | 'arm64', major: number): string =>
  join(cache, 'node', `linux-${arch}-${major}`, 'node_modules', `node-linux-${arch}`, 'bin', 'node');

/** Debian's libc6-arm64-cross / libstdc++6-arm64-cross: the arm64 Node's shared libraries. */
export const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';

/** argv that runs `node ARGS...` as arm64 under qemu-user. */
export const arm64Node = (...args: string[]): string[] => ['qemu-aarch64', '-L', ARM64_SYSROOT, nodeBin('arm64', 24), ...args];
