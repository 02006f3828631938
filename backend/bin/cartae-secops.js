#!/usr/bin/env node
'use strict';
// Entry point of the `cartae-secops` command; the compiled code lives in dist/ (npm run build).
try {
  require('../dist/src/cli/index.js').main();
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli')) {
    process.stderr.write('cartae-secops: not built yet; run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
}
