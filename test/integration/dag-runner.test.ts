import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { TaskCall } from '../../activities/contract';
import type { DiamondActivities, DiamondRun } from '../fixtures/diamond-workflows';
import { causeChain } from '../helpers/observe';
import { describeWithServers, uniqueName } from '../helpers/servers';

interface Call {
  task: string;
  part?: number;
  start: number;
  end: number;
}

describeWithServers('the generic DAG runner on a second DAG', () => {
  const calls: Call[] = [];
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  const taskQueue = uniqueName('diamond');

  const timed = async <T>(call: TaskCall<unknown, DiamondRun>, body: () => T): Promise<T> => {
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    const result = body();
    calls.push({ task: call.task, part: call.fanOut?.phase === 'part' ? call.fanOut.part : undefined, start, end: Date.now() });
    return result;
  };

  beforeAll(async () => {
    native = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
    worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowsPath: require.resolve('../fixtures/diamond-workflows'),
      activities: {
        step: (call) =>
          timed(call, () => {
            if (call.params.fail) throw ApplicationFailure.nonRetryable(`${call.params.name} was told to fail`, 'Told');
            return { name: call.params.name, saw: Object.keys(call.taskSeconds).sort() };
          }),
        fanned: (call) =>
          timed(call, () => {
            if (call.fanOut?.phase === 'plan') return { parts: call.params.parts };
            const part = call.fanOut?.phase === 'part' ? call.fanOut.part : -1;
            if (part === call.params.failPart) throw ApplicationFailure.nonRetryable(`part ${part} was told to fail`, 'Told');
            return { part };
          }),
      } satisfies DiamondActivities,
    });
    running = worker.run();
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
    client = new Client({ connection });
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await native?.close();
    await connection?.close();
  });

  it('runs tasks when their upstreams are done, in parallel, fanning out with bounded parallelism', async () => {
    calls.length = 0;
    const output = await client.workflow.execute('diamondDag', { taskQueue, workflowId: uniqueName('diamond'), args: [] });
    expect(output).toEqual({ name: 'join', saw: ['check', 'extract', 'left', 'right'] });

    const of = (task: string) => calls.filter((c) => c.task === task);
    const extract = of('extract')[0];
    const join = of('join')[0];
    const leftParts = of('left').filter((c) => c.part !== undefined);
    expect(leftParts.map((c) => c.part).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const c of [...of('left'), ...of('right')]) {
      expect(c.start).toBeGreaterThanOrEqual(extract.end);
      expect(join.start).toBeGreaterThanOrEqual(c.end);
    }
    // right ran beside left (its plan or its parts), and left never ran more than two parts at once.
    const right = of('right')[0];
    expect(of('left').some((p) => p.start < right.end && right.start < p.end)).toBe(true);
    for (const p of leftParts) expect(leftParts.filter((q) => q.start < p.end && p.start < q.end).length).toBeLessThanOrEqual(2);

    // check followed left part by part, without a plan call, and started before left had finished.
    const checkParts = of('check');
    expect(checkParts.map((c) => c.part).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const c of checkParts) expect(c.start).toBeGreaterThanOrEqual(leftParts.find((l) => l.part === c.part)!.end);
    expect(Math.min(...checkParts.map((c) => c.start))).toBeLessThan(Math.max(...leftParts.map((l) => l.end)));
    for (const c of of('join')) expect(c.start).toBeGreaterThanOrEqual(Math.max(...checkParts.map((p) => p.end)));
  });

  it('stops a task that follows the parts of a failed one, without waiting for parts that never come', async () => {
    calls.length = 0;
    const workflowId = uniqueName('diamond-part-fail');
    const err = await client.workflow.execute('diamondDag', { taskQueue, workflowId, args: [undefined, 2] }).catch((e: unknown) => e);
    expect(causeChain(err)).toMatch(/Task left of DAG diamond failed: .* <- part 2 was told to fail$/);
    const checked = calls.filter((c) => c.task === 'check').map((c) => c.part);
    expect(checked).not.toContain(2);
    const progress = await client.workflow.getHandle(workflowId).query<{ tasks: Record<string, { state: string }> }>('dagProgress');
    expect(progress.tasks.left.state).toBe('failed');
    expect(progress.tasks.check.state).toBe('upstream_failed');
    expect(progress.tasks.join.state).toBe('upstream_failed');
  });

  it('fails the run naming the failed task, and never starts its downstream tasks', async () => {
    calls.length = 0;
    const workflowId = uniqueName('diamond-fail');
    const err = await client.workflow.execute('diamondDag', { taskQueue, workflowId, args: ['right'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/Task right of DAG diamond failed/);
    expect(calls.map((c) => c.task)).not.toContain('join');
    const progress = await client.workflow.getHandle(workflowId).query<{ tasks: Record<string, { state: string }> }>('dagProgress');
    expect(progress.tasks.right.state).toBe('failed');
    expect(progress.tasks.join.state).toBe('upstream_failed');
    expect(progress.tasks.left.state).toBe('done');
  });
});
