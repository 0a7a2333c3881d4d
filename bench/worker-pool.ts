import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../client/temporal-cli';
import { workerV8Flags } from '../worker/v8-flags';
import { measure, type MeasuredProcess } from './measure';

export interface WorkerPool {
  /** Stops every worker (SIGTERM, so each drains) and gives the largest one's peak resident set; once. */
  stop(): Promise<{ peak_rss_mb: number }>;
}

/**
 * `count` worker processes (`node bin/sparkify.js worker`) polling `taskQueue`, each under GNU time, as a deployment
 * runs them: one per node or core. With `profileDir`, each writes a V8 CPU profile there when it exits.
 */
export async function startWorkers(
  count: number,
  taskQueue: string,
  profile?: { dir: string; name: string },
  /** Worker i runs on core i only (taskset), so N workers have N cores and no more, whatever else runs. */
  pinToCores = false,
): Promise<WorkerPool> {
  // The heap cap given here keeps bin/sparkify.js from re-running the worker as its child: the profiled process is
  // then the worker itself, not a launcher that waits (whose idle profile overwrote the worker's).
  const profileArgs = (i: number) =>
    profile
      ? [
          ...workerV8Flags([process.env.NODE_OPTIONS ?? ''], process.env),
          '--cpu-prof',
          `--cpu-prof-dir=${path.resolve(profile.dir)}`,
          `--cpu-prof-name=${profile.name}-worker${i}.cpuprofile`,
        ]
      : [];
  const workers: MeasuredProcess[] = Array.from({ length: count }, (_, i) =>
    measure(
      pinToCores ? 'taskset' : process.execPath,
      [...(pinToCores ? ['-c', String(i % os.cpus().length), process.execPath] : []), ...profileArgs(i), path.join(projectRoot, 'bin', 'sparkify.js'), 'worker'],
      { ...process.env, SPARKIFY_TASK_QUEUE: taskQueue },
    ),
  );
  await Promise.all(workers.map((w) => w.printed(/polling task queue/)));
  let stopped: Promise<{ peak_rss_mb: number }> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        workers.forEach((w) => w.signal('SIGTERM'));
        const measured = await Promise.all(workers.map((w) => w.done));
        return { peak_rss_mb: Math.max(...measured.map((m) => m.peak_rss_mb)) };
      })();
      return stopped;
    },
  };
}
