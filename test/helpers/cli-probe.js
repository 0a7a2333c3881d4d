'use strict';
// Preloaded (node --require) into a `sparkify` process by test/helpers/cli.ts: at exit, writes the CPU time it used and
// whether it loaded the Temporal SDK to $SPARKIFY_PROBE_FILE. A command that loaded the SDK may have connected to a
// server or started one; one that did neither answered from its own parsing.
const fs = require('node:fs');
const file = process.env.SPARKIFY_PROBE_FILE;
if (file) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    const temporalLoaded = Object.keys(require.cache).some((k) => k.includes(`${require('node:path').sep}@temporalio${require('node:path').sep}`));
    fs.writeFileSync(file, JSON.stringify({ cpuMs: (user + system) / 1000, temporalLoaded }));
  });
}
