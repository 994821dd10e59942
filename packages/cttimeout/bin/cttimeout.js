#!/usr/bin/env node
// The `cttimeout` command. A committed launcher (not dist/cli/main.js itself) so that npm links
// it into node_modules/.bin at install time, before the TypeScript is built, and so that it is
// executable without a chmod step. The CLI proper is src/cli/main.ts.
import('../dist/cli/main.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli/main.js')) {
    process.stderr.write('cttimeout: the package is not built yet (dist/cli/main.js is missing): run "npm run build"\n');
    process.exitCode = 1;
    return;
  }
  throw e;
});
