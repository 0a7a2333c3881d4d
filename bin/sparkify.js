#!/usr/bin/env node
'use strict';
// Local-disk lakes are thousands of small files: more libuv threads let their syscalls overlap. Read once, when the
// pool first starts, so it must be set before any asynchronous file call.
process.env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE || '16';
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');

const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('sparkify: not built yet; run `npm install` (or `npm run build`) in ' + path.join(__dirname, '..'));
  process.exit(2);
}

/**
 * A worker's V8 heap is capped and its young generation enlarged (dist/worker/v8-flags.js says why) unless the user
 * set a heap size. Those are start-up flags, so the worker runs as a child of this process, which passes its signals
 * on; if this process is killed outright, the child sees its IPC channel close and dies the same way, never orphaned.
 */
function workerHeapArgs(argv) {
  if (argv[0] !== 'worker') return undefined;
  const userFlags = [...process.execArgv, process.env.NODE_OPTIONS || ''];
  if (userFlags.some((a) => a.includes('--max-old-space-size')) || process.env.SPARKIFY_WORKER_CHILD) return undefined;
  try {
    const { workerV8Flags } = require(path.join(__dirname, '..', 'dist', 'worker', 'v8-flags.js'));
    // --no-warnings: the worker logs Node's warnings as JSON lines (worker/main.ts) instead of as text on stderr.
    return [...workerV8Flags(userFlags, process.env), '--no-warnings', ...process.execArgv];
  } catch (err) {
    console.error(`sparkify: ${err.message}`);
    process.exit(2);
  }
}

const heapArgs = workerHeapArgs(process.argv.slice(2));
if (heapArgs) {
  const child = spawn(process.execPath, [...heapArgs, __filename, ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, SPARKIFY_WORKER_CHILD: '1' },
  });
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (require('node:os').constants.signals[signal] || 0)));
} else {
  if (process.env.SPARKIFY_WORKER_CHILD && process.channel) {
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
    process.channel.unref();
  }
  require(entry)
    .main(process.argv.slice(2))
    .then((code) => process.exit(code ?? 0))
    .catch((err) => {
      console.error(`sparkify: ${err && err.message ? err.message : err}`);
      process.exit(1);
    });
}
