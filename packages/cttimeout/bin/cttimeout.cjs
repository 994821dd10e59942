#!/usr/bin/env node
// The `cttimeout` command. A committed launcher (not the build output itself) so that npm links
// it into node_modules/.bin at install time, before the TypeScript is built, and so that it is
// executable without a chmod step. The CLI proper is src/cli/main.ts; dist/bin/ is its bundle
// (scripts/bundle-cli.mjs), CommonJS: require() starts a command sooner than the ES module
// loader does (README "What made it fast").
'use strict';
const { join } = require('node:path');

// Node 22.1+ keeps the bundle's compiled code between runs. In the package's own directory, not
// the shared default under /tmp: only who can change the code can change its cache (this
// command runs as root). A directory that cannot be written means no cache, silently.
// NODE_COMPILE_CACHE / NODE_DISABLE_COMPILE_CACHE still decide when set.
require('node:module').enableCompileCache?.(join(__dirname, '..', '.compile-cache'));

try {
  require.resolve('../dist/bin/main.cjs');
} catch {
  process.stderr.write('cttimeout: the package is not built yet (dist/bin/main.cjs is missing): run "npm run build"\n');
  process.exit(1);
}
require('../dist/bin/main.cjs');
