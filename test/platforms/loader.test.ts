// The addon loader (packages/cttimeout/src/transport/native.ts): where it looks, in which
// order, and what its error says when nothing loads. The installed-package paths are covered
// by test/packaging (npm --cpu/--libc/--omit=optional).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { addonCandidates, describePlatform, libcInfo, loadNative } from '../../packages/cttimeout/src/transport/native.js';
import type { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const armAddon = join(root, 'npm/linux-arm64-gnu/cttimeout-socket.linux-arm64-gnu.node');
const saved = process.env.CTTIMEOUT_NATIVE_PATH;
afterEach(() => {
  if (saved === undefined) delete process.env.CTTIMEOUT_NATIVE_PATH;
  else process.env.CTTIMEOUT_NATIVE_PATH = saved;
});

function failure(f: () => unknown): CtTimeoutError {
  try {
    f();
  } catch (e) {
    return e as CtTimeoutError;
  }
  throw new Error('expected an error');
}

describe('the addon loader', () => {
  it('looks in the platform packages first, then native/', () => {
    const c = addonCandidates({}, 'arm64');
    expect(c.map((x) => x.kind)).toEqual(['package', 'package', 'native', 'native']);
    expect(c.slice(0, 2).map((x) => x.id)).toEqual(['@cttimeout/linux-arm64-gnu', '@cttimeout/linux-arm64-musl']);
    expect(c[2]!.id).toBe(join(root, 'packages/cttimeout/native/cttimeout-socket.linux-arm64-gnu.node'));
  });

  it('CTTIMEOUT_NATIVE_PATH replaces them all', () => {
    expect(addonCandidates({ CTTIMEOUT_NATIVE_PATH: '/x/a.node' })).toEqual([{ kind: 'env', id: '/x/a.node' }]);
  });

  it('loads without CTTIMEOUT_NATIVE_PATH (this checkout: native/)', () => {
    delete process.env.CTTIMEOUT_NATIVE_PATH;
    expect(typeof loadNative().open).toBe('function');
  });

  it('a CTTIMEOUT_NATIVE_PATH that does not exist is an error, though native/ would load', () => {
    delete process.env.CTTIMEOUT_NATIVE_PATH;
    loadNative(); // cached now: the override must still be honoured
    process.env.CTTIMEOUT_NATIVE_PATH = '/nonexistent/cttimeout-socket.node';
    const e = failure(() => loadNative());
    expect(e).toMatchObject({ code: 'ERR_ADDON_MISSING', source: 'transport' });
    expect(e.message).toContain('CTTIMEOUT_NATIVE_PATH=/nonexistent/cttimeout-socket.node: no such file');
    expect(e.message).toContain('nothing else was tried');
  });

  it('a CTTIMEOUT_NATIVE_PATH that does not load reports the real load error (an arm64 addon on x64)', () => {
    process.env.CTTIMEOUT_NATIVE_PATH = armAddon;
    const e = failure(() => loadNative());
    expect(e.code).toBe('ERR_ADDON_MISSING');
    // dlopen's own words (glibc says "No such file or directory" for a file of another CPU),
    // and what the file's ELF header says
    expect(e.message).toContain(`CTTIMEOUT_NATIVE_PATH=${armAddon}: ${armAddon}: cannot open shared object file`);
    expect(e.message).toContain('(the file is built for arm64, this is x64)');
    expect((e.cause as Error).message).toContain(armAddon);
  });

  it('names the platform: os, cpu, libc and its version, Node', () => {
    const glibc = /(\d+\.\d+)/.exec(execFileSync('ldd', ['--version'], { encoding: 'utf8' }))![1];
    expect(libcInfo()).toEqual({ libc: 'glibc', version: glibc });
    expect(describePlatform()).toBe(`linux ${process.arch}, glibc ${glibc}, Node ${process.version}`);
    const e = failure(() => loadNative({ paths: ['/nonexistent/a.node', '/nonexistent/b.node'] }));
    expect(e.message).toContain(`on linux ${process.arch}, glibc ${glibc}`);
    expect(e.message).toContain('/nonexistent/a.node: no such file');
    expect(e.message).toContain('/nonexistent/b.node: no such file');
    expect(e.message).toContain(`npm install @cttimeout/linux-${process.arch}-gnu`);
    expect(e.message).not.toContain('build-native');
  });
});
