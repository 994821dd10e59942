// Runs Debian's nfct and our built CLI side by side, each INSIDE a private network namespace
// (nsenter --net=/proc/PID/ns/net): never in the machine's own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { privateNetns, type Netns } from '../helpers/netns.js';

export { privateNetns, type Netns };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI (npx tsc -p packages/cttimeout/tsconfig.json). */
export const CLI = `${ROOT}packages/cttimeout/dist/cli/main.js`;
export const NFCT = '/usr/sbin/nfct';

export interface Run {
  stdout: string;
  stderr: string;
  status: number;
}

/** Fails the test file early, with the reason, when the CLI has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build with "npx tsc -p packages/cttimeout/tsconfig.json" (or npm run build)`);
  const src = `${ROOT}packages/cttimeout/src/cli/run.ts`;
  if (statSync(src).mtimeMs > statSync(`${ROOT}packages/cttimeout/dist/cli/run.js`).mtimeMs) {
    throw new Error(`${CLI} is older than src/cli/run.ts: rebuild before testing`);
  }
}

/** Runs a command inside the namespace. */
export function runIn(
  ns: Netns,
  cmd: string,
  args: readonly string[],
  opts: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv; prefix?: string[] } = {},
): Run {
  const r = spawnSync('nsenter', [`--net=${ns.path}`, ...(opts.prefix ?? []), cmd, ...args], {
    input: opts.input,
    env: opts.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status ?? 128 + (r.signal ? 1 : 0) };
}

/** An argument in a shell's $'\xNN' quoting: every byte passes as it is, UTF-8 or not. */
function shellBytes(arg: string | Uint8Array): string {
  const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : Buffer.from(arg);
  return `$'${[...bytes].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}'`;
}

/**
 * Runs a command inside the namespace with arguments given as exact bytes (Node's spawn passes
 * only UTF-8), through bash; stdout is kept as bytes.
 */
export function runBytes(
  ns: Netns,
  cmd: string,
  args: ReadonlyArray<string | Uint8Array>,
  opts: { input?: string | Uint8Array } = {},
): { stdout: Buffer; stderr: string; status: number } {
  const line = ['exec', 'nsenter', `--net=${ns.path}`, cmd, ...args.map(shellBytes)].join(' ');
  const r = spawnSync('bash', ['-c', line], { input: opts.input, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr.toString(), status: r.status ?? 128 };
}

export const nfct = (ns: Netns, args: readonly string[], opts?: Parameters<typeof runIn>[3]): Run => runIn(ns, NFCT, args, opts);
export const ours = (ns: Netns, args: readonly string[], opts?: Parameters<typeof runIn>[3]): Run => runIn(ns, process.execPath, [CLI, ...args], opts);

/** A command line as the tests write it: words split on spaces, '' for an empty word. */
export function words(line: string): string[] {
  return line === '' ? [] : line.split(' ').map((w) => (w === "''" ? '' : w));
}

/** The HZ our CLI and the kernel use, from the kernel config (as the CLI reads it). */
export async function kernelMaxSeconds(): Promise<{ hz: number; maxSeconds: number }> {
  const { detectHz, maxSecondsFor } = await import('../../packages/cttimeout/src/kernel-hz.js');
  const { hz } = await detectHz();
  return { hz, maxSeconds: maxSecondsFor(hz) };
}

/**
 * For a whole test file: checks the CLI is built, makes a private network namespace and a temp
 * dir, hands both to `use`, and removes them after.
 */
export function useNetnsAndDir(use: (ns: Netns, dir: string) => void): void {
  let ns: Netns | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    requireBuiltCli();
    ns = await privateNetns();
    dir = mkdtempSync(join(tmpdir(), 'cttimeout-cli-'));
    use(ns, dir);
  });
  afterAll(() => {
    ns?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}
