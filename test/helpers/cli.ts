// The CLI part of the test kit: Debian's nfct and our built CLI side by side, each INSIDE a
// private network namespace (nsenter --net=/proc/PID/ns/net), never in the machine's own;
// policy files written to a temp dir; the namespace's state read back through nfct.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, beforeEach, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../packages/cttimeout/src/cli/run.js';
import { privateNetns, useNetns, useTmpDir, type Netns } from './netns.js';

export { privateNetns, type Netns };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The command as npm installs it: the launcher, which starts the bundle in dist/bin/ (npm run build). */
export const CLI = `${ROOT}packages/cttimeout/bin/cttimeout.cjs`;
const BUNDLE = `${ROOT}packages/cttimeout/dist/bin/main.cjs`;
export const NFCT = '/usr/sbin/nfct';

export interface Run {
  stdout: string;
  stderr: string;
  status: number;
}

/** Fails the test file early, with the reason, when the CLI has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: build with npm run build`);
  const src = `${ROOT}packages/cttimeout/src/cli/run.ts`;
  if (statSync(src).mtimeMs > statSync(BUNDLE).mtimeMs) throw new Error(`${BUNDLE} is older than src/cli/run.ts: rebuild before testing`);
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
 * dir (both consts from the top of the file, removed after it). `flushEach` flushes the
 * namespace's policies before each test, `rawRulesEach` its raw-table rules first.
 */
export function useNetnsAndDir(opts: { flushEach?: boolean; rawRulesEach?: boolean } = {}): { ns: Netns; dir: string } {
  beforeAll(requireBuiltCli);
  const ns = useNetns();
  const dir = useTmpDir('cttimeout-cli-');
  if (opts.flushEach) {
    beforeEach(() => {
      if (opts.rawRulesEach) runIn(ns, 'iptables', ['-t', 'raw', '-F']);
      nfct(ns, ['flush', 'timeout']);
    });
  }
  return { ns, dir };
}

/** Writes `text` to dir/rel (making folders) and returns the path. */
export function write(dir: string, rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A YAML policy list from [name, family, protocol, {STATE: seconds}] rows. */
export function yaml(...rows: Array<[string, string, string, Record<string, number>?]>): string {
  return (
    rows
      .map(([name, family, protocol, t]) => {
        const timeouts =
          t && Object.keys(t).length > 0
            ? `\n  timeouts:\n${Object.entries(t)
                .map(([k, v]) => `    ${k}: ${v}`)
                .join('\n')}`
            : '';
        return `- name: ${name}\n  family: ${family}\n  protocol: ${protocol}${timeouts}`;
      })
      .join('\n') + '\n'
  );
}

/** Names of the namespace's policies, from Debian's nfct (not from our own output). */
export function policyNames(ns: Netns): string[] {
  const r = nfct(ns, ['list', 'timeout']);
  expect(r.status, r.stderr).toBe(0);
  return [...r.stdout.matchAll(/^\.(.+) = \{$/gm)].map((m) => m[1]!);
}

/** A policy's values as nfct prints them. */
export function values(ns: Netns, name: string): Record<string, number> {
  const r = nfct(ns, ['get', 'timeout', name]);
  expect(r.status, `${name}: ${r.stderr}`).toBe(0);
  return Object.fromEntries([...r.stdout.matchAll(/\t\t\.(\w+) = (\d+),/g)].map((m) => [m[1]!, Number(m[2])]));
}

/** Our CLI in the namespace, expecting `status`. */
export function expectRun(ns: Netns, args: string[], status: number, opts?: Parameters<typeof ours>[2]): Run {
  const r = ours(ns, args, opts);
  expect(r.status, `cttimeout ${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(status);
  return r;
}

/** A CliIo for runCli in-process that keeps what the CLI writes in `text`; `extra` sets the rest (exactArgs, socket, …). */
export function memoryIo(extra: Partial<CliIo> = {}): { io: CliIo; text: { out: string; err: string } } {
  const text = { out: '', err: '' };
  const io: CliIo = {
    out: (d) => void (text.out += typeof d === 'string' ? d : new TextDecoder().decode(d)),
    err: (t) => void (text.err += t),
    readStdin: async () => new Uint8Array(),
    stdinIsTTY: false,
    version: '0.0.0-test',
    ...extra,
  };
  return { io, text };
}
