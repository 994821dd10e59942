// A private network namespace per test: every kernel test opens its sockets (and runs nfct,
// iptables, our CLI) inside one made here, never in the machine's own namespace.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, onTestFinished } from 'vitest';

export interface Netns {
  pid: number;
  /** /proc/PID/ns/net */
  path: string;
  /** Runs a command inside the namespace (nsenter --net) and returns its stdout. */
  run(cmd: string, args: string[]): string;
  dispose(): void;
}

/** A fresh network namespace held open by `unshare -n sleep infinity`. */
export async function privateNetns(): Promise<Netns> {
  const child: ChildProcess = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('unshare did not start');
  const path = `/proc/${pid}/ns/net`;
  const host = execFileSync('readlink', ['/proc/self/ns/net']).toString().trim();
  // unshare first runs in our namespace, then moves: wait until it has its own.
  for (let i = 0; i < 200; i++) {
    try {
      if (execFileSync('readlink', [path]).toString().trim() !== host) break;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  if (execFileSync('readlink', [path]).toString().trim() === host) throw new Error('unshare -n did not create a namespace');
  return {
    pid,
    path,
    run: (cmd, args) => execFileSync('nsenter', [`--net=${path}`, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString(),
    dispose: () => child.kill('SIGKILL'),
  };
}

// ---- netlink bytes ----

/**
 * An object a beforeAll makes, usable as a const from the top of the file: `value` forwards
 * to it once `set` has run (and throws before).
 */
export function late<T extends object>(what: string): { value: T; set(v: T): void } {
  let real: T | undefined;
  const value = new Proxy({} as T, {
    get(_, key) {
      if (real === undefined) throw new Error(`${what} is used before the beforeAll that makes it`);
      const v: unknown = Reflect.get(real, key, real);
      return typeof v === 'function' ? v.bind(real) : v;
    },
  });
  return {
    value,
    set: (v) => {
      real = v;
    },
  };
}

/** A private network namespace for the running test alone: removed when the test finishes. */
export async function testNetns(): Promise<Netns> {
  const ns = await privateNetns();
  onTestFinished(() => ns.dispose());
  return ns;
}

/** A private network namespace for the whole test file (made before its tests, removed after). */
export function useNetns(): Netns {
  const ns = late<Netns>('the private namespace');
  let made: Netns | undefined;
  beforeAll(async () => {
    made = await privateNetns();
    ns.set(made);
  });
  afterAll(() => made?.dispose());
  return ns.value;
}

/**
 * Something opened in the file's namespace before its tests (a transport, a client) and closed
 * after them; a const from the top of the file, as `late` makes it.
 */
export function useOpenedIn<T extends object>(ns: Netns, what: string, open: (ns: Netns) => Promise<T>, close: (t: T) => Promise<unknown>): T {
  const value = late<T>(what);
  let opened: T | undefined;
  beforeAll(async () => {
    opened = await open(ns);
    value.set(opened);
  });
  afterAll(async () => {
    if (opened !== undefined) await close(opened);
  });
  return value.value;
}

/** A temp dir for the whole test file: made now, removed after its tests. */
export function useTmpDir(prefix = 'cttimeout-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
