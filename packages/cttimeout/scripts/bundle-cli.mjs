// The `cttimeout` command as a few files instead of ~40 modules: dist/cli/main.js (tsc's output)
// bundled into dist/bin/, what bin/cttimeout.cjs starts. Node pays for every ES module it loads
// (resolve, read, compile, link): bundled, `cttimeout list timeout` starts ~15 ms sooner, and
// as CommonJS, loaded with require(), ~10 ms sooner again (README "What made it fast"). The
// library stays unbundled ES modules in dist/. Dynamic imports (help, apply's policy files,
// --watch, ...) stay separate chunks, loaded only by the commands that use them.
// dist/bin/ sits two levels below the package like dist/cli/, so the paths the code builds from
// import.meta.url (../../wasm, ../../native, ../../package.json) stay right.
import { rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(pkg, 'dist/bin');
rmSync(out, { recursive: true, force: true });
await build({
  input: join(pkg, 'dist/cli/main.js'),
  platform: 'node',
  // Node's modules, and the addon's platform packages (loaded with require at run time).
  external: [/^node:/, ...builtinModules, /^@cttimeout\//],
  logLevel: 'warn',
  output: { dir: out, format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs', minify: false },
});
