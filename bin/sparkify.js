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
 * A worker's V8 heap is capped (SPARKIFY_WORKER_HEAP_MB, default 1024) unless the user set one: the steps stream and
 * spill, so what they hold is far less, and without a cap V8 lets garbage pile up to gigabytes before it collects.
 * The cap is a start-up flag, so the worker runs as a child of this process, which passes its signals on; if this
 * process is killed outright, the child sees its IPC channel close and dies the same way, never orphaned.
 */
function workerHeapArgs(argv) {
  if (argv[0] !== 'worker') return undefined;
  const setByUser = [...process.execArgv, process.env.NODE_OPTIONS || ''].some((a) => a.includes('--max-old-space-size'));
  if (setByUser || process.env.SPARKIFY_WORKER_CHILD) return undefined;
  const mb = Number(process.env.SPARKIFY_WORKER_HEAP_MB || '1024');
  if (!Number.isInteger(mb) || mb < 128) {
    console.error('sparkify: SPARKIFY_WORKER_HEAP_MB must be a whole number of megabytes, at least 128');
    process.exit(2);
  }
  // --no-warnings: the worker logs Node's warnings as JSON lines (worker/main.ts) instead of as text on stderr.
  return [`--max-old-space-size=${mb}`, ...youngGenerationArgs(), '--no-warnings', ...process.execArgv];
}

/**
 * A larger young generation (V8's default semi-space is 16 MB): a step's rows, parsed and encoded, die young in
 * bulk, and with small semi-spaces V8 scavenges so often that it promotes many of them to the old generation, where
 * they cost a full collection. 32 MB made a medium month 11% faster on this project's bench (docs/benchmarks.md) for
 * at most 48 MB more per worker. Left alone when the user sets it.
 */
function youngGenerationArgs() {
  const setByUser = [...process.execArgv, process.env.NODE_OPTIONS || ''].some((a) => a.includes('semi-space-size'));
  return setByUser ? [] : ['--max-semi-space-size=32'];
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
