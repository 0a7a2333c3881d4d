#!/usr/bin/env node
'use strict';
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
