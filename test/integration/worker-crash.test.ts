import { temporal } from '@temporalio/proto';
import { generateDataset } from '../../lake/generate/generate';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import type { RunReport } from '../../lake/steps/publish';
import { runMonth, startMonth } from '../../client/run-month';
import { snapshotLake, type LakeSnapshot } from '../helpers/lake-snapshot';
import { createBucket, describeWithServers, startHarness, uniqueName, type TemporalHarness } from '../helpers/servers';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';

/** Waits until the run has activities started on a worker; returns their ids. */
async function waitForRunningActivities(h: TemporalHarness, workflowId: string): Promise<string[]> {
  const handle = h.client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const running = pending.filter((a) => a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);
    if (running.length > 0) return running.map((a) => a.activityId!);
    if (Date.now() > deadline) throw new Error('no activity of the run ever started');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForObject(store: ObjectStore, prefix: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    for await (const _ of store.list(prefix)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no object under ${prefix} in time`);
}

describeWithServers('workers that die or are stopped in the middle of a run', () => {
  let h: TemporalHarness;
  let inputUri: string;
  let baseline: LakeSnapshot;
  const workers: WorkerProcess[] = [];

  /** The attempt that finally ran each activity: above 1 means an earlier attempt failed or timed out. */
  async function startedAttempts(workflowId: string): Promise<number[]> {
    return [...(await attemptsById(workflowId)).values()].map((a) => a.attempt);
  }

  /** By activity id: the attempt that finally ran it and the failure of the attempt before, if any. */
  async function attemptsById(workflowId: string): Promise<Map<string, { attempt: number; lastFailure?: string }>> {
    const events = (await h.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const idOfScheduled = new Map<string, string>();
    for (const e of events) {
      const id = e.activityTaskScheduledEventAttributes?.activityId;
      if (id) idOfScheduled.set(String(e.eventId), id);
    }
    const out = new Map<string, { attempt: number; lastFailure?: string }>();
    for (const e of events) {
      const started = e.activityTaskStartedEventAttributes;
      if (!started || typeof started.attempt !== 'number') continue;
      const failure = started.lastFailure;
      const lastFailure = failure ? `${failure.message} (${JSON.stringify(failure.timeoutFailureInfo ?? failure.applicationFailureInfo ?? {})})` : undefined;
      out.set(idOfScheduled.get(String(started.scheduledEventId)) ?? '?', { attempt: started.attempt, lastFailure });
    }
    return out;
  }

  beforeAll(async () => {
    h = await startHarness();
    inputUri = `s3://${await createBucket(h.config, 'sparkify-crash-in')}/`;
    await generateDataset(h.stores.open(inputUri), { songs: 3000, users: 150, events: 40_000, from: { year: 2018, month: 11 }, months: 1, seed: 11 });
    const output = `s3://${await createBucket(h.config, 'sparkify-baseline')}/`;
    await runMonth(h.client, h.config, { year: 2018, month: 11, input: inputUri, output }, uniqueName('sparkify-baseline'));
    baseline = await snapshotLake(h.stores.open(output));
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await h?.stop();
  });

  it('a worker killed with SIGKILL mid-run, and started again, leaves the run complete with identical contents', async () => {
    const taskQueue = uniqueName('sparkify-crash');
    const config = { ...h.config, temporal: { ...h.config.temporal, taskQueue } };
    const output = `s3://${await createBucket(h.config, 'sparkify-crash-lake')}/`;
    workers.push(await spawnWorker(taskQueue));
    const handle = await startMonth(h.client, config, { year: 2018, month: 11, input: inputUri, output }, uniqueName('sparkify-crash'));

    // Kill once writePartitions has put its first song partitions, so the kill lands inside a running activity.
    await waitForObject(h.stores.open(output), 'songs/year=');
    workers[0].child.kill('SIGKILL');
    expect(await workers[0].exited).toBeNull();
    workers.push(await spawnWorker(taskQueue));

    const report: RunReport = await handle.result();
    expect(report.tables.songs).toBe(baseline.counts.songs);
    const after = await snapshotLake(h.stores.open(output));
    expect(after.rows).toEqual(baseline.rows);
    expect(after.dataFiles).toEqual(baseline.dataFiles);
    expect((await listAll(h.stores.open(output), '_staging/')).length).toBe(0);

    // The kill really hit a running activity: it timed out on its heartbeat and a later attempt finished it.
    expect(Math.max(...(await startedAttempts(handle.workflowId)))).toBeGreaterThan(1);
  });

  it('a worker sent SIGTERM drains: its running activities finish, it exits 0, and another worker completes the run', async () => {
    const taskQueue = uniqueName('sparkify-drain');
    const config = { ...h.config, temporal: { ...h.config.temporal, taskQueue } };
    const output = `s3://${await createBucket(h.config, 'sparkify-drain-lake')}/`;
    const first = await spawnWorker(taskQueue);
    workers.push(first);
    const handle = await startMonth(h.client, config, { year: 2018, month: 11, input: inputUri, output }, uniqueName('sparkify-drain'));

    // SIGTERM lands while activities run on the first worker; these are the ones it must drain.
    const running = await waitForRunningActivities(h, handle.workflowId);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('drained');
    workers.push(await spawnWorker(taskQueue));

    await handle.result();
    expect((await snapshotLake(h.stores.open(output))).rows).toEqual(baseline.rows);
    // Drained, not abandoned: every activity running at SIGTERM finished there, on its first attempt. (A task the
    // server hands to a poll that the shutdown cuts off can time out and be retried: that is the poll's race, not a
    // running activity abandoned, so only the activities running at SIGTERM are held to one attempt.)
    const attempts = await attemptsById(handle.workflowId);
    expect(running.map((id) => [id, attempts.get(id)])).toEqual(running.map((id) => [id, { attempt: 1, lastFailure: undefined }]));
  });
});
