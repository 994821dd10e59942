#!/usr/bin/env node
// The `cttimeout` command. A committed launcher (not dist/cli/main.js itself) so that npm links
// it into node_modules/.bin at install time, before the TypeScript is built, and so that it is
// executable without a chmod step. The CLI proper is src/cli/main.ts; dist/bin/ is its bundle
// (scripts/bundle-cli.mjs: a few files start faster than ~40 modules).
import('../dist/bin/main.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/bin/main.js')) {
    process.stderr.write('cttimeout: the package is not built yet (dist/bin/main.js is missing): run "npm run build"\n');
    process.exitCode = 1;
    return;
  }
  throw e;
});
