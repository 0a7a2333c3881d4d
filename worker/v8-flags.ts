/**
 * The V8 flags a `sparkify worker` process starts with (bin/sparkify.js starts the worker as a child to give them;
 * the bench's profiled workers get the same):
 * - a heap cap, SPARKIFY_WORKER_HEAP_MB (default 1024): the steps stream and spill, so what they hold is far less,
 *   and without a cap V8 lets garbage pile up to gigabytes before it collects;
 * - a 32 MB young generation (V8's default semi-space is 16 MB), unless the user's own flags set one: a step's rows,
 *   parsed and encoded, die young in bulk, and with small semi-spaces V8 scavenges so often that it promotes many of
 *   them to the old generation, where they cost a full collection. It made a medium month 11% faster on this
 *   project's bench (docs/benchmarks.md) for at most 48 MB more per worker.
 * Throws, naming the setting, when SPARKIFY_WORKER_HEAP_MB is not a usable size.
 */
export function workerV8Flags(userFlags: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const mb = Number(env.SPARKIFY_WORKER_HEAP_MB || '1024');
  if (!Number.isInteger(mb) || mb < 128) throw new Error('SPARKIFY_WORKER_HEAP_MB must be a whole number of megabytes, at least 128');
  const semiSpaceSet = userFlags.some((flag) => flag.includes('semi-space-size'));
  return [`--max-old-space-size=${mb}`, ...(semiSpaceSet ? [] : ['--max-semi-space-size=32'])];
}
