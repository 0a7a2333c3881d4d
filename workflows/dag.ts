/**
 * A small, generic Airflow-style DAG runner for Temporal workflows: tasks, their upstream tasks and per-task activity
 * options. Tasks whose upstreams are done run in parallel; a fan-out task first asks its activity for a plan, then
 * runs one call per part. Only keys and counts pass through here: data stays in object storage.
 */
import { ApplicationFailure, CancellationScope, defineQuery, isCancellation, setCurrentDetails, setHandler, type ActivityOptions } from '@temporalio/workflow';
import type { FanOutPlan, NoParams, TaskCall } from '../activities/contract';
import { callSummary } from '../lake/call-label';

/**
 * What a DAG's activities must look like: each takes a TaskCall of its own params for the DAG's run type. (`any`
 * here only lets each activity name its own params; TaskSpec below pairs every task with exactly those.)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DagActivities<A, Run> = { [K in keyof A]: (call: TaskCall<any, Run>) => Promise<unknown> };

type ParamsOf<F> = F extends (call: TaskCall<infer P, infer _Run>) => unknown ? P : never;

/** An activity without params may leave `params` out; one with params must give them, of its own type. */
type ParamsField<P> = NoParams extends P ? { params?: P } : { params: P };

interface TaskOptions<T extends string> {
  upstream?: T[];
  /**
   * Run as plan + parts: the activity is called with `fanOut: { phase: 'plan' }`, then once per part, spread over
   * every worker; with `finish`, once more after every part succeeded (`{ phase: 'finish' }`), whose result is the
   * task's: a reduce after the map.
   */
  fanOut?: {
    maxParallel: number;
    finish?: boolean;
    /**
     * An upstream fan-out task whose parts this task follows one for one, without a plan of its own: part i starts
     * as soon as that task's part i succeeded, so (say) reading back overlaps writing. The finish still waits for all.
     */
    partsOf?: T;
  };
  options: ActivityOptions;
}

/** One task: its activity (a key of the DAG's activity interface, several tasks may share one) and that activity's params. */
export type TaskSpec<A, T extends string = string> = {
  [K in keyof A & string]: TaskOptions<T> & { activity: K } & ParamsField<ParamsOf<A[K]>>;
}[keyof A & string];

export interface DagSpec<A, T extends string = string> {
  name: string;
  tasks: Record<T, TaskSpec<A, T>>;
  /** The task whose result is the DAG's result. */
  output: T;
  /** Runs once when the DAG fails or is cancelled, after every running task has stopped; cannot itself be cancelled. */
  onFailure?: { task: string } & TaskSpec<A, never>;
}

export type TaskState = 'waiting' | 'running' | 'done' | 'failed' | 'cancelled' | 'upstream_failed';

export interface DagProgress {
  dag: string;
  tasks: Record<string, { state: TaskState; seconds?: number; partsDone?: number; parts?: number }>;
}

export const dagProgressQuery = defineQuery<DagProgress>('dagProgress');

/** The result type of the activity that the DAG's output task runs. */
export type DagOutput<A, D extends DagSpec<A>> = D['tasks'][D['output']] extends { activity: infer K extends keyof A }
  ? A[K] extends (...args: never[]) => Promise<infer R>
    ? R
    : never
  : never;

export interface DagResult<R> {
  output: R;
  taskSeconds: Record<string, number>;
}

/** The DAG's activities with one task's options: the workflow's `proxyActivities<TheirInterface>`. */
export type ActivityProxy<A, Run> = (options: ActivityOptions) => DagActivities<A, Run>;

/**
 * Runs the DAG for one run; its result is what the output task's activity returned. `activities` is the workflow's
 * typed proxy, e.g. `(options) => proxyActivities<SparkifyActivities>(options)`, called with each task's options.
 */
export async function runDag<A extends DagActivities<A, Run>, Run, D extends DagSpec<A>>(
  dag: D,
  run: Run,
  activities: ActivityProxy<A, Run>,
): Promise<DagResult<DagOutput<A, D>>> {
  validateDag(dag);
  const progress: DagProgress = { dag: dag.name, tasks: {} };
  const ids = Object.keys(dag.tasks);
  for (const id of ids) progress.tasks[id] = { state: 'waiting' };
  setHandler(dagProgressQuery, () => progress);
  // The Web UI shows a run's current details: the DAG's grid, as Airflow shows it, kept up to date.
  const changed = () => setCurrentDetails(renderProgress(progress));
  changed();

  const results: Record<string, unknown> = {};
  const taskSeconds: Record<string, number> = {};
  const running = new Map<string, Promise<void>>();
  let failure: unknown;
  // A plan coming back can make a task that follows its parts ready while nothing has finished: it wakes the loop.
  let wake = () => {};
  const parts = new PartSignals(() => wake());

  const followed = (id: string) => dag.tasks[id].fanOut?.partsOf;
  const isReady = (id: string) =>
    progress.tasks[id].state === 'waiting' &&
    (dag.tasks[id].upstream ?? []).every((up) => progress.tasks[up].state === 'done' || (up === followed(id) && parts.planned(up)));

  for (;;) {
    if (failure === undefined) {
      for (const id of ids.filter(isReady)) {
        progress.tasks[id].state = 'running';
        changed();
        // Workflow time: deterministic on replay, measured in the workflow as Airflow measures task duration.
        const started = Date.now();
        const task = { activities, spec: dag.tasks[id], id, run, taskSeconds, progress, changed, parts, stopped: () => failure !== undefined };
        const done = executeTask(task).then(
          (result) => {
            results[id] = result;
            taskSeconds[id] = (Date.now() - started) / 1000;
            progress.tasks[id] = { ...progress.tasks[id], state: 'done', seconds: taskSeconds[id] };
            changed();
          },
          (err: unknown) => {
            progress.tasks[id].state = err instanceof UpstreamPartFailed ? 'upstream_failed' : isCancellation(err) ? 'cancelled' : 'failed';
            changed();
            if (!(err instanceof UpstreamPartFailed)) failure ??= { task: id, err };
            // Whoever follows this task's parts stops waiting for the ones that will never come.
            parts.abandon(id);
          },
        );
        running.set(id, done.finally(() => running.delete(id)));
      }
    }
    if (running.size === 0) break;
    await Promise.race([...running.values(), new Promise<void>((resolve) => (wake = resolve))]);
  }

  if (failure !== undefined) {
    for (const task of Object.values(progress.tasks)) if (task.state === 'waiting') task.state = 'upstream_failed';
    changed();
    const { task, err } = failure as { task: string; err: Error };
    if (dag.onFailure) {
      const cleanup = dag.onFailure;
      progress.tasks[cleanup.task] = { state: 'running' };
      changed();
      const task = { activities, spec: cleanup, id: cleanup.task, run, taskSeconds, progress, changed, parts, stopped: () => false };
      await CancellationScope.nonCancellable(() => executeTask(task));
      progress.tasks[cleanup.task].state = 'done';
      changed();
    }
    // A cancelled run ends as cancelled, not as failed, so callers and the Web UI tell the two apart.
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.create({
      type: 'DagTaskFailed',
      message: `Task ${task} of DAG ${dag.name} failed: ${err.message}`,
      // The task as data, so whoever explains the failure need not parse the message.
      details: [{ dag: dag.name, task }],
      cause: err,
      nonRetryable: true,
    });
  }
  // The one place the DAG's output meets its type: DagOutput derives it from the output task's activity.
  return { output: results[dag.output] as DagOutput<A, D>, taskSeconds };
}

/** One task being run, with what it shares with the rest of the run. */
interface TaskRun<A extends DagActivities<A, Run>, Run> {
  activities: ActivityProxy<A, Run>;
  spec: TaskSpec<A>;
  id: string;
  run: Run;
  taskSeconds: Record<string, number>;
  progress: DagProgress;
  changed: () => void;
  parts: PartSignals;
  /** Whether the DAG has failed: a task following another's parts starts no new part then. */
  stopped: () => boolean;
}

async function executeTask<A extends DagActivities<A, Run>, Run>(task: TaskRun<A, Run>): Promise<unknown> {
  const { activities, spec, id, run, taskSeconds, progress, changed } = task;
  // Each call carries its task and part as its summary, so the Web UI tells write-dimensions 3/8 from publish.
  const activity = (body: TaskCall<unknown, Run>) => activities({ ...spec.options, summary: callSummary(id, body.fanOut) })[spec.activity](body);
  const call: TaskCall<unknown, Run> = { run, task: id, params: spec.params ?? {}, taskSeconds: { ...taskSeconds } };
  if (!spec.fanOut) return activity(call);

  const leader = spec.fanOut.partsOf;
  const parts = leader ? task.parts.count(leader) : await planParts(id, spec, () => activity({ ...call, fanOut: { phase: 'plan' } }));
  task.parts.plan(id, parts);
  progress.tasks[id] = { ...progress.tasks[id], parts, partsDone: 0 };
  changed();
  const results = new Array<unknown>(parts);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < parts && !failed && !(leader && task.stopped())) {
      const part = next++;
      try {
        if (leader) await task.parts.succeeded(leader, part);
        results[part] = await activity({ ...call, fanOut: { phase: 'part', part, parts } });
      } catch (err) {
        failed = true;
        throw err;
      }
      task.parts.succeed(id, part);
      progress.tasks[id].partsDone = (progress.tasks[id].partsDone ?? 0) + 1;
      changed();
    }
  };
  // Settle every lane before reporting a failure: a part still running must not outlive its task, or whatever runs
  // after the failure (a cancelled run's cleanup) would race its writes.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(spec.fanOut.maxParallel, Math.max(parts, 1)) }, lane));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  if (spec.fanOut.finish) return activity({ ...call, fanOut: { phase: 'finish', parts } });
  return { parts: results };
}

/** A Markdown table of the DAG's tasks: state, parts done and seconds. */
export function renderProgress(progress: DagProgress): string {
  const rows = Object.entries(progress.tasks).map(([id, t]) => {
    const parts = t.parts === undefined ? '' : `${t.partsDone ?? 0}/${t.parts}`;
    return `| ${id} | ${t.state} | ${parts} | ${t.seconds === undefined ? '' : t.seconds.toFixed(1)} |`;
  });
  return [`**${progress.dag}**`, '', '| task | state | parts | seconds |', '| --- | --- | ---: | ---: |', ...rows].join('\n');
}

async function planParts<A>(id: string, spec: TaskSpec<A>, call: () => Promise<unknown>): Promise<number> {
  const plan = await call();
  if (!isFanOutPlan(plan)) {
    throw ApplicationFailure.nonRetryable(`Task ${id}: activity ${spec.activity} answered its plan call without a number of parts`, 'InvalidDag');
  }
  return plan.parts;
}

/** A part a task was waiting for will not come: the task it follows failed or was cancelled. */
class UpstreamPartFailed extends Error {
  constructor(task: string) {
    super(`the parts of ${task} did not all succeed`);
  }
}

/** The parts of the DAG's fan-out tasks: how many each has, and one signal per part that succeeded. */
class PartSignals {
  private readonly tasks = new Map<string, { resolve: () => void; reject: (err: Error) => void; done: Promise<void> }[]>();

  constructor(private readonly onPlan: () => void) {}

  plan(task: string, parts: number): void {
    const signals = Array.from({ length: parts }, () => {
      let resolve!: () => void;
      let reject!: (err: Error) => void;
      const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      // Nobody may be waiting on a part when its task fails; that is no unhandled rejection.
      done.catch(() => undefined);
      return { resolve, reject, done };
    });
    this.tasks.set(task, signals);
    this.onPlan();
  }

  planned(task: string): boolean {
    return this.tasks.has(task);
  }

  count(task: string): number {
    return this.tasks.get(task)!.length;
  }

  succeed(task: string, part: number): void {
    this.tasks.get(task)![part].resolve();
  }

  succeeded(task: string, part: number): Promise<void> {
    return this.tasks.get(task)![part].done;
  }

  abandon(task: string): void {
    for (const signal of this.tasks.get(task) ?? []) signal.reject(new UpstreamPartFailed(task));
  }
}

function isFanOutPlan(value: unknown): value is FanOutPlan {
  const parts = (value as Partial<FanOutPlan> | null)?.parts;
  return typeof parts === 'number' && Number.isInteger(parts) && parts >= 0;
}

/** Unknown upstreams and cycles are programming errors in the DAG file; fail before scheduling anything. */
export function validateDag<A>(dag: DagSpec<A>): void {
  const ids = Object.keys(dag.tasks);
  if (!dag.tasks[dag.output]) throw ApplicationFailure.nonRetryable(`DAG ${dag.name}: output task ${dag.output} is not defined`, 'InvalidDag');
  for (const id of ids) {
    for (const up of dag.tasks[id].upstream ?? []) {
      if (!dag.tasks[up]) throw ApplicationFailure.nonRetryable(`DAG ${dag.name}: task ${id} depends on unknown task ${up}`, 'InvalidDag');
    }
    const leader = dag.tasks[id].fanOut?.partsOf;
    if (leader !== undefined && (!(dag.tasks[id].upstream ?? []).includes(leader) || !dag.tasks[leader]?.fanOut || dag.tasks[leader].fanOut?.partsOf)) {
      throw ApplicationFailure.nonRetryable(`DAG ${dag.name}: task ${id} follows the parts of ${leader}, which must be an upstream fan-out task with a plan`, 'InvalidDag');
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
