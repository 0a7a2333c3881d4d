import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'sparkify.js');

export interface WorkerProcess {
  child: ChildProcess;
  /** stdout and stderr as they came, interleaved. */
  output: () => string;
  /** stdout alone: the worker's log lines. */
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `npx sparkify worker` as its own process, on the test's task queue; resolves once it polls. */
export async function spawnWorker(taskQueue: string, env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [BIN, 'worker'], {
    env: { ...process.env, SPARKIFY_TASK_QUEUE: taskQueue, SPARKIFY_ACTIVITY_CONCURRENCY: '4', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!output.includes('polling task queue')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output, stdout: () => stdout, stderr: () => stderr, exited };
}
