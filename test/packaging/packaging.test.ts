// The package as users get it: scripts/cross-pack.sh packs packages/cttimeout (with its built
// WebAssembly, the platform packages as optionalDependencies) and the four platform packages
// (npm/*, each with its addon), which are installed into a fresh Node ESM project, into a
// workspace of a fresh npm monorepo and into a Vite browser app, and used for real in each;
// plus publint and are-the-types-wrong. npm resolves the platform packages through `overrides`
// pointing at their tarballs (standing in for the registry) and installs only the one that
// matches os/cpu/libc (npm's --cpu/--libc pretend to be another machine). Kernel work runs
// under `unshare -n`, in a namespace of its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encodeRequest } from '../../packages/cttimeout/src/codec/node.js';
import { launchChromium, serveStatic } from '../helpers/browser.js';
import { bytes, toHex } from '../helpers/fixtures.js';
import { arm64Node } from '../platforms/nodes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
let dir: string;
let tarball: string;
/** platform package name -> its tarball */
let platforms: Record<string, string>;

const npm = (cwd: string, args: string[]) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** A project's files; its package.json gets the overrides that stand in for the registry. */
function project(name: string, files: Record<string, string>): string {
  const p = join(dir, name);
  const pkg = JSON.parse(files['package.json']!);
  pkg.overrides = Object.fromEntries(Object.entries(platforms).map(([n, t]) => [n, `file:${t}`]));
  files = { ...files, 'package.json': JSON.stringify(pkg) };
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(p, f, '..'), { recursive: true });
    writeFileSync(join(p, f), text);
  }
  return p;
}

/** The platform packages npm installed under node_modules/@cttimeout. */
const installed = (p: string) => (existsSync(join(p, 'node_modules/@cttimeout')) ? readdirSync(join(p, 'node_modules/@cttimeout')).sort() : []);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cttimeout-packaging-'));
  const [main, ...rest] = execFileSync('bash', [join(root, 'scripts/cross-pack.sh'), dir], { encoding: 'utf8' })
    .trim()
    .split('\n');
  tarball = main!;
  platforms = Object.fromEntries(rest.map((t) => [`@cttimeout/${/cttimeout-(linux-.+)-\d+\.\d+\.\d+\.tgz$/.exec(t)![1]}`, t]));
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed tarballs', () => {
  it('cttimeout holds the build output, the WebAssembly and the bin, no addon, and nothing else', () => {
    const files = execFileSync('tar', ['tzf', tarball]).toString().trim().split('\n');
    for (const f of [
      'package/dist/index.js',
      'package/dist/codec/index.js',
      'package/dist/codec/node.d.ts',
      'package/wasm/cttimeout_codec_bg.wasm',
      'package/bin/cttimeout.cjs',
      'package/LICENSE',
      'package/README.md',
    ]) {
      expect(files).toContain(f);
    }
    expect(
      files.filter(
        (f) => f.startsWith('package/src/') || f.startsWith('package/native/') || f.endsWith('.node') || f.endsWith('.map') || f.endsWith('.tsbuildinfo'),
      ),
    ).toEqual([]);
  });

  it('cttimeout ships its documentation and points at nothing that does not exist (no made-up repository or tracker)', () => {
    const files = execFileSync('tar', ['tzf', tarball]).toString().trim().split('\n');
    for (const f of ['package/man/cttimeout.8', 'package/docs/OPERATIONS.md', 'package/docs/KERNEL.md', 'package/docs/errors.md', 'package/README.md'])
      expect(files).toContain(f);
    expect(execFileSync('tar', ['xzOf', tarball, 'package/docs/errors.md']).toString()).toBe(readFileSync(join(root, 'docs/errors.md'), 'utf8'));
    const pkg = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json']).toString());
    expect(pkg.homepage).toBe('https://www.npmjs.com/package/cttimeout');
    expect(pkg.repository).toBeUndefined();
    expect(pkg.bugs).toBeUndefined();
    expect(JSON.stringify(pkg)).not.toMatch(/github\.com/);
  });

  it('cttimeout lists the four platform packages as optionalDependencies at its own version', () => {
    const pkg = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json']).toString());
    expect(Object.keys(platforms).sort()).toEqual([
      '@cttimeout/linux-arm64-gnu',
      '@cttimeout/linux-arm64-musl',
      '@cttimeout/linux-x64-gnu',
      '@cttimeout/linux-x64-musl',
    ]);
    expect(pkg.optionalDependencies).toEqual(
      Object.fromEntries(
        Object.keys(platforms)
          .sort()
          .map((n) => [n, pkg.version]),
      ),
    );
    // the repo's own package.json stays without them (npm ci of this monorepo would look for them on the registry)
    expect(JSON.parse(readFileSync(join(root, 'packages/cttimeout/package.json'), 'utf8')).optionalDependencies).toBeUndefined();
  });

  it('each platform package holds its addon, its package.json, README and licence', () => {
    for (const [name, t] of Object.entries(platforms)) {
      const p = name.slice('@cttimeout/'.length);
      expect(execFileSync('tar', ['tzf', t]).toString().trim().split('\n').sort()).toEqual([
        'package/LICENSE',
        'package/README.md',
        `package/cttimeout-socket.${p}.node`,
        'package/package.json',
      ]);
    }
  });

  it('passes publint and are-the-types-wrong (ESM only)', () => {
    expect(execFileSync(bin('publint'), [join(root, 'packages/cttimeout')]).toString()).toContain('All good');
    // --profile esm-only: no CommonJS entry, by design. ./codec.wasm is an asset, not a module.
    const r = spawnSync(bin('attw'), [tarball, '--profile', 'esm-only', '--exclude-entrypoints', './codec.wasm', '--format', 'ascii'], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe('installed into a fresh Node ESM project', () => {
  it('encodes, decodes, talks to the kernel in a private namespace, and runs the bin', () => {
    const p = project('esm-app', {
      'package.json': JSON.stringify({ name: 'esm-app', private: true, type: 'module' }),
      'app.mjs': `
        import { CtTimeout, decode, encodeRequest, formatNfct } from 'cttimeout';
        import * as codec from 'cttimeout/codec';
        const ct = await CtTimeout.open();
        await ct.add({ name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 3000 } });
        const got = await ct.get('web');
        await ct.delete('web');
        const after = await ct.list().toArray();
        await ct.close();
        const bytes = encodeRequest({ op: 'GET', name: 'web', seq: 7 });
        console.log(JSON.stringify({
          established: got.timeouts.ESTABLISHED, use: got.use, after: after.length,
          same: codec.decode === decode, seq: decode(bytes).messages[0].header.seq,
        }));
      `,
    });
    npm(p, ['install', tarball]);
    expect(installed(p)).toEqual(['linux-x64-gnu']);
    expect(existsSync(join(p, 'node_modules/cttimeout/native'))).toBe(false);
    const r = spawnSync('unshare', ['-n', process.execPath, 'app.mjs'], { cwd: p, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ established: 3000, use: 1, after: 0, same: true, seq: 7 });
    const cli = spawnSync('unshare', ['-n', 'sh', '-c', 'npx cttimeout add timeout t inet udp replied 9 && npx cttimeout get timeout t'], {
      cwd: p,
      encoding: 'utf8',
    });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toBe('.t = {\n\t.l3proto = 2,\n\t.l4proto = 17,\n\t.policy = {\n\t\t.UNREPLIED = 30,\n\t\t.REPLIED = 9,\n\t},\n};\n');
  });
});

describe('installed for another machine (npm --cpu / --libc / --omit=optional)', () => {
  const app = `
    import { CtTimeout } from 'cttimeout';
    try {
      await (await CtTimeout.open()).close();
      console.log(JSON.stringify({ ok: true }));
    } catch (e) {
      console.log(JSON.stringify({ ok: false, code: e.code, errno: e.errno, message: e.message }));
    }
  `;
  const install = (name: string, args: string[]) => {
    const p = project(name, { 'package.json': JSON.stringify({ name, private: true, type: 'module' }), 'app.mjs': app });
    npm(p, ['install', tarball, ...args]);
    return p;
  };
  const runApp = (p: string, node: string[] = [process.execPath]) => {
    const r = spawnSync('unshare', ['-n', ...node, 'app.mjs'], { cwd: p, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('arm64: only @cttimeout/linux-arm64-gnu, and under qemu-user the loader takes it from there', () => {
    const p = install('arm64-app', ['--cpu=arm64', '--os=linux', '--libc=glibc']);
    expect(installed(p)).toEqual(['linux-arm64-gnu']);
    // qemu-user refuses NETLINK_NETFILTER sockets (EPROTONOSUPPORT): reaching that error means
    // the addon loaded; there is no native/ and no CTTIMEOUT_NATIVE_PATH to load it from instead.
    const got = runApp(p, arm64Node());
    expect(got).toMatchObject({ ok: false, errno: 93 });
    expect(got.code).not.toBe('ERR_ADDON_MISSING');
  }, 300_000);

  it('musl: only @cttimeout/linux-x64-musl; on this glibc machine the error shows its real load error and what to install', () => {
    const p = install('musl-app', ['--libc=musl']);
    expect(installed(p)).toEqual(['linux-x64-musl']);
    const got = runApp(p);
    expect(got).toMatchObject({ ok: false, code: 'ERR_ADDON_MISSING' });
    expect(got.message).toMatch(/on linux x64, glibc \d+\.\d+, Node v/);
    expect(got.message).toContain('@cttimeout/linux-x64-gnu: not installed');
    // the musl package was found and tried: its line carries dlopen's own words
    expect(got.message).toMatch(/@cttimeout\/linux-x64-musl \(\/.+cttimeout-socket\.linux-x64-musl\.node\): .+/);
    expect(got.message).toContain('npm install @cttimeout/linux-x64-gnu');
    expect(got.message).not.toContain('build-native');
  }, 120_000);

  it('--omit=optional: no platform package, and the error says which one to install', () => {
    const p = install('omit-app', ['--omit=optional']);
    expect(installed(p)).toEqual([]);
    const got = runApp(p);
    expect(got).toMatchObject({ ok: false, code: 'ERR_ADDON_MISSING' });
    expect(got.message).toContain('@cttimeout/linux-x64-gnu: not installed');
    expect(got.message).toContain('@cttimeout/linux-x64-musl: not installed');
    expect(got.message).toContain('npm install @cttimeout/linux-x64-gnu');
  }, 120_000);
});

describe('installed into a workspace of a fresh npm monorepo', () => {
  it('resolves through the hoisted node_modules, type-checks with NodeNext, and runs', () => {
    const p = project('mono', {
      'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['packages/*'] }),
      'packages/edge/package.json': JSON.stringify({ name: '@mono/edge', private: true, type: 'module', dependencies: { cttimeout: `file:${tarball}` } }),
      'packages/edge/tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, outDir: 'dist', skipLibCheck: false, types: [] },
        include: ['src'],
      }),
      'packages/edge/src/index.ts': `
        import { CtTimeout, type Policy } from 'cttimeout';
        import { decode, type DecodedMessage } from 'cttimeout/codec';
        export const policies: Policy[] = [{ name: 'dns', family: 'inet', protocol: 'udp', timeouts: { UNREPLIED: 5 } }];
        export async function sync(): Promise<number> {
          const ct = await CtTimeout.open();
          try {
            await ct.apply(policies);
            return (await ct.list().toArray()).length;
          } finally {
            await ct.close();
          }
        }
        export const kinds = (b: Uint8Array): DecodedMessage['kind'][] => decode(b).messages.map((m) => m.kind);
      `,
      'packages/edge/bad.ts': `
        import type { Policy } from 'cttimeout';
        export const p: Policy = { name: 'x', family: 'inet', protocol: 'udp', timeouts: { ESTABLISHED: 5 } };
      `,
    });
    npm(p, ['install']);
    expect(installed(p)).toEqual(['linux-x64-gnu']);
    expect(installed(join(p, 'packages/edge'))).toEqual([]);
    // hoisted to the monorepo root, not nested in the workspace
    expect(
      execFileSync('node', ['-p', "require.resolve('cttimeout/package.json')"], { cwd: join(p, 'packages/edge') })
        .toString()
        .trim(),
    ).toBe(join(p, 'node_modules/cttimeout/package.json'));
    execFileSync(bin('tsc'), ['-p', 'packages/edge/tsconfig.json'], { cwd: p });
    // the literal types reach the consumer: a TCP state on a UDP policy does not compile
    const bad = spawnSync(bin('tsc'), ['--noEmit', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--strict', 'packages/edge/bad.ts'], {
      cwd: p,
      encoding: 'utf8',
    });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain('ESTABLISHED');
    const r = spawnSync(
      'unshare',
      [
        '-n',
        process.execPath,
        '--input-type=module',
        '-e',
        `import('@mono/edge/dist/index.js').catch(() => import('./packages/edge/dist/index.js')).then(async (m) => console.log(await m.sync(), JSON.stringify(m.kinds(Uint8Array.from(Buffer.from('${toHex(bytes('C.done'))}', 'hex'))))))`,
      ],
      { cwd: p, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('1 ["done"]');
  }, 240_000);
});

describe('installed into a Vite browser app (codec only)', () => {
  it('bundles the WebAssembly and decodes and encodes in Chromium like Node', async () => {
    const hex = toHex(bytes('B.policy'));
    const p = project('vite-app', {
      'package.json': JSON.stringify({ name: 'vite-app', private: true, type: 'module' }),
      'index.html': '<!doctype html><html><body><pre id="out">loading</pre><script type="module" src="/main.js"></script></body></html>',
      // 'cttimeout' itself must resolve to the codec in the browser.
      'main.js': `
        import { init, decode, encodeRequest } from 'cttimeout';
        import { formatNfct } from 'cttimeout/codec';
        await init();
        const b = new Uint8Array('${hex}'.match(/../g).map((h) => parseInt(h, 16)));
        const enc = encodeRequest({ op: 'NEW', seq: 1, name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 3000 } });
        document.getElementById('out').textContent = JSON.stringify({ decoded: decode(b), text: formatNfct(b).blocks, encoded: Array.from(enc) });
      `,
    });
    npm(p, ['install', tarball]);
    // The repo's vite (its node_modules are not needed by the app itself).
    execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: p });
    const assets = execFileSync('ls', [join(p, 'dist/assets')]).toString();
    expect(assets).toMatch(/\.wasm/);
    // no native code reaches the bundle, though npm installed the addon next to it
    expect(installed(p)).toEqual(['linux-x64-gnu']);
    expect(assets).not.toMatch(/\.node\b/);
    const js = readdirSync(join(p, 'dist/assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(p, 'dist/assets', f), 'utf8'))
      .join('');
    expect(js).not.toMatch(/@cttimeout\/linux|cttimeout-socket|createRequire/);
    const server = await serveStatic(join(p, 'dist'));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(server.url);
      await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'loading', undefined, { timeout: 20_000 });
      const got = JSON.parse((await page.textContent('#out'))!);
      expect(errors).toEqual([]);
      expect(got.decoded).toStrictEqual(decode(bytes('B.policy')));
      expect(got.decoded.messages[0].timeouts.ESTABLISHED).toBe(100);
      expect(got.text[0]).toMatch(/^\.test-tcp = \{\n/);
      expect(got.encoded).toEqual(
        Array.from(encodeRequest({ op: 'NEW', seq: 1, name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 3000 } })),
      );
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
