/**
 * A small, generic Airflow-style DAG runner for Temporal workflows: tasks, their upstream tasks and per-task activity
 * options. Tasks whose upstreams are done run in parallel; a fan-out task first asks its activity for a plan, then
 * runs one call per part. Only keys and counts pass through here: data stays in object storage.
 */
import { ApplicationFailure, defineQuery, isCancellation, proxyActivities, setHandler, type ActivityOptions } from '@temporalio/workflow';

export interface TaskSpec {
  /** The registered activity's name; several tasks may share one activity with different params. */
  activity: string;
  upstream?: string[];
  params?: Record<string, unknown>;
  /** Run as plan + parts: the activity is called with `fanOut: { phase: 'plan' }`, then once per part. */
  fanOut?: { maxParallel: number };
  options: ActivityOptions;
}

export interface DagSpec {
  name: string;
  tasks: Record<string, TaskSpec>;
  /** The task whose result is the DAG's result. */
  output: string;
}

/** Identifies the run to every task: who it is and what it loads, never data or secrets. */
export interface RunRef {
  workflowId: string;
  runId: string;
  [key: string]: unknown;
}

export type FanOutCall = { phase: 'plan' } | { phase: 'part'; part: number; parts: number };

/** What every task's activity receives. */
export interface TaskCall<P = Record<string, unknown>> {
  run: RunRef;
  task: string;
  params: P;
  fanOut?: FanOutCall;
  /** Seconds each finished task took so far, for reports. */
  taskSeconds: Record<string, number>;
}

export interface FanOutPlan {
  parts: number;
}

export type TaskState = 'waiting' | 'running' | 'done' | 'failed' | 'cancelled' | 'upstream_failed';

export interface DagProgress {
  dag: string;
  tasks: Record<string, { state: TaskState; seconds?: number; partsDone?: number; parts?: number }>;
}

export const dagProgressQuery = defineQuery<DagProgress>('dagProgress');

export interface DagResult<R> {
  output: R;
  taskSeconds: Record<string, number>;
}

type TaskActivity = (call: TaskCall) => Promise<unknown>;

export async function runDag<R>(dag: DagSpec, run: RunRef): Promise<DagResult<R>> {
  validateDag(dag);
  const progress: DagProgress = { dag: dag.name, tasks: {} };
  for (const id of Object.keys(dag.tasks)) progress.tasks[id] = { state: 'waiting' };
  setHandler(dagProgressQuery, () => progress);

  const results: Record<string, unknown> = {};
  const taskSeconds: Record<string, number> = {};
  const running = new Map<string, Promise<void>>();
  let failure: unknown;

  const isReady = (id: string) =>
    progress.tasks[id].state === 'waiting' && (dag.tasks[id].upstream ?? []).every((up) => progress.tasks[up].state === 'done');

  for (;;) {
    if (failure === undefined) {
      for (const id of Object.keys(dag.tasks).filter(isReady)) {
        progress.tasks[id].state = 'running';
        // Workflow time: deterministic on replay, measured in the workflow as Airflow measures task duration.
        const started = Date.now();
        const done = executeTask(dag.tasks[id], id, run, taskSeconds, progress).then(
          (result) => {
            results[id] = result;
            taskSeconds[id] = (Date.now() - started) / 1000;
            progress.tasks[id] = { ...progress.tasks[id], state: 'done', seconds: taskSeconds[id] };
          },
          (err: unknown) => {
            progress.tasks[id].state = isCancellation(err) ? 'cancelled' : 'failed';
            failure ??= { task: id, err };
          },
        );
        running.set(id, done.finally(() => running.delete(id)));
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  if (failure !== undefined) {
    for (const task of Object.values(progress.tasks)) if (task.state === 'waiting') task.state = 'upstream_failed';
    const { task, err } = failure as { task: string; err: Error };
    // A cancelled run ends as cancelled, not as failed, so callers and the Web UI tell the two apart.
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.create({
      type: 'DagTaskFailed',
      message: `Task ${task} of DAG ${dag.name} failed: ${err.message}`,
      cause: err,
      nonRetryable: true,
    });
  }
  return { output: results[dag.output] as R, taskSeconds };
}

async function executeTask(
  spec: TaskSpec,
  id: string,
  run: RunRef,
  taskSeconds: Record<string, number>,
  progress: DagProgress,
): Promise<unknown> {
  const activity = proxyActivities<Record<string, TaskActivity>>(spec.options)[spec.activity];
  const call: TaskCall = { run, task: id, params: spec.params ?? {}, taskSeconds: { ...taskSeconds } };
  if (!spec.fanOut) return activity(call);

  const plan = (await activity({ ...call, fanOut: { phase: 'plan' } })) as FanOutPlan;
  const parts = plan.parts;
  progress.tasks[id] = { ...progress.tasks[id], parts, partsDone: 0 };
  const results = new Array<unknown>(parts);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < parts && !failed) {
      const part = next++;
      try {
        results[part] = await activity({ ...call, fanOut: { phase: 'part', part, parts } });
      } catch (err) {
        failed = true;
        throw err;
      }
      progress.tasks[id].partsDone = (progress.tasks[id].partsDone ?? 0) + 1;
    }
  };
  // Settle every lane before reporting a failure: a part still running must not outlive its task, or whatever runs
  // after the failure (a cancelled run's cleanup) would race its writes.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(spec.fanOut.maxParallel, Math.max(parts, 1)) }, lane));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return { parts: results };
}

/** Unknown upstreams and cycles are programming errors in the DAG file; fail before scheduling anything. */
export function validateDag(dag: DagSpec): void {
  const ids = Object.keys(dag.tasks);
  if (!dag.tasks[dag.output]) throw ApplicationFailure.nonRetryable(`DAG ${dag.name}: output task ${dag.output} is not defined`, 'InvalidDag');
  for (const id of ids) {
    for (const up of dag.tasks[id].upstream ?? []) {
      if (!dag.tasks[up]) throw ApplicationFailure.nonRetryable(`DAG ${dag.name}: task ${id} depends on unknown task ${up}`, 'InvalidDag');
    }
  }
  const visiting = new Set<string>();
  const visited = new Set<string>();
  const visit = (id: string, path: string[]) => {
    if (visited.has(id)) return;
    if (visiting.has(id)) throw ApplicationFailure.nonRetryable(`DAG ${dag.name} has a cycle: ${[...path, id].join(' -> ')}`, 'InvalidDag');
    visiting.add(id);
    for (const up of dag.tasks[id].upstream ?? []) visit(up, [...path, id]);
    visiting.delete(id);
    visited.add(id);
  };
  ids.forEach((id) => visit(id, []));
}
