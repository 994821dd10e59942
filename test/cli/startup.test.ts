// What a `cttimeout` process loads at start-up (issue 10's cold start): commands that send no
// timeouts do not look up HZ (a read and gunzip of /proc/config.gz), no command loads
// child_process or dgram unless it needs them, and a short command builds no stream for its
// output (node:stream and net are ~5 ms of a start) nor loads perf_hooks. Node's own list of
// loaded built-in modules (process.moduleLoadList) is read back from each run, in a private
// network namespace, by a CommonJS hook (an ES module hook would load streams itself).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../packages/cttimeout/src/generated/errors.js';
import { ours, ROOT, useNetnsAndDir, write } from '../helpers/cli.js';

const { ns, dir } = useNetnsAndDir({ flushEach: true });

/** Runs the CLI and returns its status and the built-in modules it loaded. */
function loaded(args: string[], env: NodeJS.ProcessEnv = {}): { status: number; stderr: string; builtins: Set<string> } {
  const list = join(dir, `loaded-${args[0]}.json`);
  const hook = write(
    dir,
    'record-loaded.cjs',
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(process.moduleLoadList)));\n`,
  );
  const base = { ...process.env };
  delete base.CTTIMEOUT_HZ;
  const r = ours(ns, args, { env: { ...base, ...env, NODE_OPTIONS: `--require ${hook}` } });
  const names = JSON.parse(readFileSync(list, 'utf8')) as string[];
  return { status: r.status, stderr: r.stderr, builtins: new Set(names.filter((n) => n.startsWith('NativeModule ')).map((n) => n.slice(13))) };
}

const NEVER_AT_START = ['child_process', 'dgram'];
// Standard output is a pipe here, which Node's process.stdout would make a net.Socket.
const NO_STREAMS = ['stream', 'net', 'tty', 'perf_hooks'];

describe('cttimeout start-up', () => {
  it.each([
    ['list', ['list', 'timeout']],
    ['get', ['get', 'timeout', 'absent']],
    ['delete', ['delete', 'timeout', 'absent']],
  ])('%s sends no timeouts: no HZ lookup (zlib not loaded), no child_process or dgram, no streams', (_verb, args) => {
    const r = loaded(args);
    expect(r.status, r.stderr).toBe(args[0] === 'list' ? 0 : EXIT.NOT_FOUND);
    if (args[0] !== 'list') expect(r.stderr).toMatch(/^cttimeout: /); // the message went out, without a stream
    expect([...r.builtins].filter((m) => m === 'zlib' || NEVER_AT_START.includes(m) || NO_STREAMS.includes(m))).toEqual([]);
  });

  it('add sends timeouts: it still reads the kernel config for HZ (zlib for /proc/config.gz)', () => {
    const r = loaded(['add', 'timeout', 'web', 'inet', 'tcp', 'established', '100']);
    expect(r.status, r.stderr).toBe(0);
    if (existsSync('/proc/config.gz')) expect(r.builtins.has('zlib')).toBe(true);
    expect([...r.builtins].filter((m) => NEVER_AT_START.includes(m))).toEqual([]);
  });

  it('a given HZ is still checked by commands that send no timeouts', () => {
    const r = loaded(['list', 'timeout'], { CTTIMEOUT_HZ: '7' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('CTTIMEOUT_HZ "7"');
  });

  it("Node's compile cache goes to the package's own .compile-cache/, never the shared one under TMPDIR", () => {
    const tmp = join(dir, 'tmpdir');
    mkdirSync(tmp, { recursive: true });
    const base = { ...process.env };
    delete base.NODE_COMPILE_CACHE;
    delete base.NODE_DISABLE_COMPILE_CACHE;
    const r = ours(ns, ['--version'], { env: { ...base, TMPDIR: tmp } });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(tmp)).toEqual([]); // Node's default would be $TMPDIR/node-compile-cache
    // Node 22.1+ has the cache (this Node runs the CLI too); Node 20 has none to write.
    if ('enableCompileCache' in nodeModule) {
      const own = join(ROOT, 'packages/cttimeout/.compile-cache');
      expect(readdirSync(own).some((d) => d.startsWith(`${process.version}-`))).toBe(true);
    }
  });
});

// bin/cttimeout.cjs runs the bundle with a V8 code cache made at exit (Node's compile cache holds
// only the top level, so each function a command calls was compiled again on every run).
describe("the command's code cache", () => {
  const bundle = readFileSync(join(ROOT, 'packages/cttimeout/dist/bin/main.cjs'));
  const env = (cache: string): NodeJS.ProcessEnv => {
    const base = { ...process.env, NODE_COMPILE_CACHE: cache, CTTIMEOUT_CODE_CACHE_TRACE: '1' };
    delete base.NODE_DISABLE_COMPILE_CACHE;
    return base;
  };
  const fileIn = (cache: string) => join(cache, `cli-${process.version}-${process.arch}.v8`);
  /** Runs the command; returns what the launcher said of the cache ("used, kept", ...). */
  const run = (cache: string, args: string[]): string => {
    const r = ours(ns, args, { env: env(cache) });
    expect(r.status, r.stderr).toBe(args[0] === 'list' || args[0] === '--version' ? 0 : EXIT.NOT_FOUND);
    return /code cache .*: (\w+, \w+)\n/.exec(r.stderr)?.[1] ?? `no trace in: ${r.stderr}`;
  };
  /** The cache file's header words, its copy of the source, and V8's part. */
  const parts = (cache: string) => {
    const b = readFileSync(fileIn(cache));
    const nl = b.indexOf(10);
    return { words: b.toString('latin1', 0, nl).split(' '), source: b.subarray(nl + 1, nl + 1 + bundle.length), v8: b.subarray(nl + 1 + bundle.length), nl };
  };

  it('is written by the first run, used as it is by the same command, and rewritten once for each new one', () => {
    const cache = join(dir, 'cache-seen');
    expect(run(cache, ['list', 'timeout'])).toBe('none, written');
    expect(parts(cache).words).toEqual(['cttimeout-cli-cache-1', String(bundle.length), 'list']);
    expect(parts(cache).source.equals(bundle)).toBe(true);
    const first = statSync(fileIn(cache));
    expect(run(cache, ['list', 'timeout'])).toBe('used, kept');
    const again = statSync(fileIn(cache));
    expect([again.ino, again.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
    expect(run(cache, ['get', 'timeout', 'absent'])).toBe('used, written');
    expect(parts(cache).words.slice(2)).toEqual(['list', 'get']);
    expect(run(cache, ['--version'])).toBe('used, written');
    expect(run(cache, ['get', 'timeout', 'absent'])).toBe('used, kept');
    expect(parts(cache).words.slice(2)).toEqual(['list', 'get', '-']);
    expect(readdirSync(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is not used when its copy of the source is not the bundle (V8 checks only the length), nor when V8 rejects it', () => {
    const cache = join(dir, 'cache-stale');
    run(cache, ['list', 'timeout']);
    // One byte of the copy changed: the same length, so V8 alone would take the cache.
    const stale = readFileSync(fileIn(cache));
    const at = parts(cache).nl + 1 + (bundle.length >> 1);
    stale[at] = stale[at]! ^ 1;
    writeFileSync(fileIn(cache), stale);
    expect(run(cache, ['list', 'timeout'])).toBe('stale, written');
    expect(parts(cache).source.equals(bundle)).toBe(true);
    // V8's part zeroed: V8 refuses it, the command runs without, and the next run has a good one.
    const zeroed = readFileSync(fileIn(cache));
    zeroed.fill(0, parts(cache).nl + 1 + bundle.length);
    writeFileSync(fileIn(cache), zeroed);
    expect(run(cache, ['list', 'timeout'])).toBe('rejected, written');
    expect(parts(cache).v8.some((b) => b !== 0)).toBe(true);
    expect(run(cache, ['list', 'timeout'])).toBe('used, kept');
  });

  it('a directory that cannot be made means no cache and the same result; NODE_DISABLE_COMPILE_CACHE means none', () => {
    const file = write(dir, 'not-a-directory', '');
    expect(run(join(file, 'cache'), ['list', 'timeout'])).toBe('none, kept');
    const off = ours(ns, ['list', 'timeout'], { env: { ...env(join(dir, 'cache-off')), NODE_DISABLE_COMPILE_CACHE: '1' } });
    expect(off.status, off.stderr).toBe(0);
    expect(existsSync(join(dir, 'cache-off'))).toBe(false);
  });
});
