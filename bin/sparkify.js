#!/usr/bin/env node
'use strict';
// Local-disk lakes are thousands of small files: more libuv threads let their syscalls overlap. Read once, when the
// pool first starts, so it must be set before any asynchronous file call.
process.env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE || '16';
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', 'dist', 'client', 'cli.js');
if (!fs.existsSync(entry)) {
  console.error('sparkify: not built yet; run `npm install` (or `npm run build`) in ' + path.join(__dirname, '..'));
  process.exit(2);
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code ?? 0))
  .catch((err) => {
    console.error(`sparkify: ${err && err.message ? err.message : err}`);
    process.exit(1);
  });
