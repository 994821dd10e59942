#!/usr/bin/env node
// The `cttimeout` command. A committed launcher (not the build output itself) so that npm links
// it into node_modules/.bin at install time, before the TypeScript is built, and so that it is
// executable without a chmod step. The CLI proper is src/cli/main.ts; dist/bin/ is its bundle
// (scripts/bundle-cli.mjs), CommonJS: require() starts a command sooner than the ES module
// loader does (README "What made it fast").
'use strict';
const { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');

// Compiled code is kept between runs in the package's own directory, not the shared default
// under /tmp: only who can change the code can change its cache (this command runs as root).
// A directory that cannot be written means no cache, silently. NODE_COMPILE_CACHE /
// NODE_DISABLE_COMPILE_CACHE still decide when set, for both caches below.
const cacheDir = process.env.NODE_COMPILE_CACHE || join(__dirname, '..', '.compile-cache');
// Node 22.1+: the chunks the bundle loads (and this file).
Module.enableCompileCache?.(cacheDir);

const main = join(__dirname, '..', 'dist', 'bin', 'main.cjs');
// The first word of a cache file's header line; a new layout gets a new one.
const CACHE_FORMAT = 'cttimeout-cli-cache-1';
let source;
try {
  source = readFileSync(main);
} catch {
  process.stderr.write('cttimeout: the package is not built yet (dist/bin/main.cjs is missing): run "npm run build"\n');
  process.exit(1);
}
if (process.env.NODE_DISABLE_COMPILE_CACHE) require(main);
else runWithCodeCache(main, source);

/**
 * Runs the bundle with a V8 code cache made after a run, not before it. Node's compile cache
 * (like any cache made at compile time) holds only what V8 compiled eagerly, the module's top
 * level: every function a command calls is parsed and compiled again on every run (README "What
 * made it fast"). A cache made at exit holds each function that ran. One file per Node version:
 * a header line (format, length of the source, the commands it has seen), the exact source it
 * was made from (V8 checks only a source's length), then V8's cache. A command it has not seen
 * rewrites it at exit (the functions V8 loaded from the old cache stay compiled, so the new one
 * holds both), as does a cache V8 rejects (another V8 build, other flags).
 * CTTIMEOUT_CODE_CACHE_TRACE=1 says on standard error what happened to the cache.
 */
function runWithCodeCache(file, source) {
  const vm = require('node:vm');
  const cacheFile = join(cacheDir, `cli-${process.version}-${process.arch}.v8`);
  const verb = /^[a-z][a-z-]{0,23}$/.test(process.argv[2] ?? '') ? process.argv[2] : '-';
  let state = 'none';
  let seen = [];
  let cachedData;
  try {
    const b = readFileSync(cacheFile);
    const nl = b.indexOf(10);
    const [format, length, ...verbs] = b.toString('latin1', 0, nl).split(' ');
    state = 'stale';
    if (format === CACHE_FORMAT && Number(length) === source.length && b.subarray(nl + 1, nl + 1 + source.length).equals(source)) {
      cachedData = b.subarray(nl + 1 + source.length);
      seen = verbs;
    }
  } catch {
    // No cache yet, or one that cannot be read: run without.
  }
  const script = new vm.Script(Module.wrap(source.toString('utf8').replace(/^#!.*/, '')), { filename: file, cachedData });
  if (cachedData !== undefined) state = script.cachedDataRejected ? 'rejected' : 'used';
  const verbs = state !== 'used' ? [verb] : !seen.includes(verb) && seen.length < 32 ? [...seen, verb] : undefined;
  process.once('exit', () => {
    const written = verbs !== undefined && save(script, cacheFile, source, verbs);
    if (process.env.CTTIMEOUT_CODE_CACHE_TRACE) writeSync(2, `cttimeout: code cache ${cacheFile}: ${state}, ${written ? 'written' : 'kept'}\n`);
  });
  // The module as require() would make it; in require.cache, so that the bundle's chunks, which
  // require('./main.cjs') for what they share with it, get this one instead of a second run.
  const m = new Module(file, module);
  m.filename = file;
  require.cache[file] = m;
  script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, dirname(file));
  m.loaded = true;
}

/** Writes the cache file; false if it cannot be (a read-only directory: no cache, as before). */
function save(script, cacheFile, source, verbs) {
  // pid and a random part: processes of other PID namespaces may share this directory.
  const tmp = `${cacheFile}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const header = Buffer.from(`${CACHE_FORMAT} ${source.length} ${verbs.join(' ')}\n`, 'latin1');
    const bytes = Buffer.concat([header, source, script.createCachedData()]);
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
    // Written whole, synced and renamed: a reader sees the old cache or the new one, never part
    // of one, even after a crash (V8 checks a cache's form, not a checksum of its contents).
    const fd = openSync(tmp, 'w', 0o600);
    try {
      if (writeSync(fd, bytes) !== bytes.length) throw new Error('short write');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, cacheFile);
    return true;
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {}
    return false;
  }
}
