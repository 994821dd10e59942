// What each platform package's addon needs from the system it lands on, read from the ELF file
// itself (test/platforms/elf.ts): the right CPU, glibc 2.28 at most for the gnu builds, and
// nothing but musl's libc for the musl builds, which musl's own loader then resolves.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ADDON_PLATFORMS } from '../../packages/cttimeout/src/transport/native.js';
import { compareVersions, maxGlibc, readElfNeeds } from './elf.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MAX_GLIBC = '2.28';
const addon = (p: string) => join(root, 'npm', p, `cttimeout-socket.${p}.node`);
const gnu = ADDON_PLATFORMS.filter((p) => p.endsWith('-gnu'));
const musl = ADDON_PLATFORMS.filter((p) => p.endsWith('-musl'));
const machine = (p: string) => (p.includes('-arm64-') ? 'aarch64' : 'x86_64');

describe('the platform packages', () => {
  it('are the targets of crates/socket/napi.json, one npm/ folder each, named and fenced by os/cpu/libc', () => {
    const napi = JSON.parse(readFileSync(join(root, 'crates/socket/napi.json'), 'utf8')) as { targets: string[] };
    const suffix = (t: string) => `linux-${t.startsWith('aarch64') ? 'arm64' : 'x64'}-${t.endsWith('musl') ? 'musl' : 'gnu'}`;
    expect(napi.targets.map(suffix).sort()).toEqual([...ADDON_PLATFORMS].sort());
    const main = JSON.parse(readFileSync(join(root, 'packages/cttimeout/package.json'), 'utf8')) as { version: string; engines: unknown };
    for (const p of ADDON_PLATFORMS) {
      const pkg = JSON.parse(readFileSync(join(root, 'npm', p, 'package.json'), 'utf8'));
      const [, cpu, libc] = p.split('-');
      expect(pkg).toMatchObject({
        name: `@cttimeout/${p}`,
        version: main.version,
        main: `cttimeout-socket.${p}.node`,
        files: [`cttimeout-socket.${p}.node`],
        os: ['linux'],
        cpu: [cpu],
        libc: [libc === 'gnu' ? 'glibc' : 'musl'],
        engines: main.engines,
      });
    }
  });

  it.each(ADDON_PLATFORMS.map((p) => [p]))('%s: is built for its CPU', (p) => {
    expect(existsSync(addon(p)), `${addon(p)} missing: scripts/cross-build.sh builds it`).toBe(true);
    expect(readElfNeeds(addon(p)).machine).toBe(machine(p));
  });

  it.each(gnu.map((p) => [p]))(`%s: needs glibc ${MAX_GLIBC} at most, and only glibc and libgcc_s`, (p) => {
    const needs = readElfNeeds(addon(p));
    const newest = maxGlibc(needs);
    expect(newest).toBeDefined();
    expect(compareVersions(newest!, MAX_GLIBC), `needs GLIBC_${newest}: ${JSON.stringify(needs.versions)}`).toBeLessThanOrEqual(0);
    for (const lib of needs.needed)
      expect(lib).toMatch(/^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libgcc_s\.so\.1|ld-linux-(x86-64|aarch64)\.so\.[12])$/);
  });

  it.each(musl.map((p) => [p]))('%s: needs musl libc only, no glibc versions', (p) => {
    const needs = readElfNeeds(addon(p));
    // "libc.so" is how zig names musl's libc; musl's loader maps any libc.so* to itself.
    expect(needs.needed).toEqual(['libc.so']);
    expect(maxGlibc(needs)).toBeUndefined();
    expect(Object.keys(needs.versions)).toEqual([]);
  });

  it('the reader sees what readelf sees: a build against this machine glibc needs newer than 2.28', () => {
    // A probe that must need GLIBC_2.34 (pthread_create moved into libc there); it proves the
    // check above can fail. Built with the host's gcc against Debian 12's glibc 2.36.
    const dir = join(root, 'test/.artifacts');
    const so = join(dir, 'glibc-probe.so');
    const r = spawnSync(
      'sh',
      [
        '-c',
        `mkdir -p ${dir} && printf '#include <pthread.h>\\nvoid *f(void *x){return x;}\\nint g(void){pthread_t t; return pthread_create(&t,0,f,0);}\\n' | gcc -shared -fPIC -x c - -o ${so}`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const needs = readElfNeeds(so);
    expect(needs.needed).toContain('libc.so.6');
    expect(compareVersions(maxGlibc(needs)!, MAX_GLIBC)).toBeGreaterThan(0);
    const readelf = spawnSync('readelf', ['-V', so], { encoding: 'utf8' }).stdout;
    const fromReadelf = [...readelf.matchAll(/Name: (GLIBC_[\d.]+)/g)].map((m) => m[1]).sort();
    expect(needs.versions['libc.so.6']!.filter((v) => v.startsWith('GLIBC_')).sort()).toEqual(fromReadelf);
  });

  it.each(musl.filter((p) => p.includes('-x64-')).map((p) => [p]))("%s: musl's loader resolves everything but Node's own napi_* symbols", (p) => {
    const loader = '/lib/ld-musl-x86_64.so.1';
    expect(existsSync(loader), `${loader} missing (Debian package musl)`).toBe(true);
    // ldd mode: maps the addon and its needs, relocates, and reports each missing symbol.
    const r = spawnSync(loader, ['--list', addon(p)], { encoding: 'utf8' });
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/libc\.so => \/lib\/ld-musl-x86_64\.so\.1/);
    const missing = [...out.matchAll(/Error relocating [^:]+: ([^:]+): symbol not found/g)].map((m) => m[1]!);
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.filter((s) => !s.startsWith('napi_'))).toEqual([]);
    // The same loader on the glibc build fails on glibc's own symbols: the check can fail.
    const g = spawnSync(loader, ['--list', addon(p.replace('-musl', '-gnu'))], { encoding: 'utf8' });
    const gMissing = [...(g.stdout + g.stderr).matchAll(/Error relocating [^:]+: ([^:]+): symbol not found/g)].map((m) => m[1]!);
    expect(gMissing.filter((s) => !s.startsWith('napi_')).length + (g.status ? 1 : 0)).toBeGreaterThan(0);
  });
});
