import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { generateDataset } from '../../lake/generate/generate';
import { runMonth } from '../../client/run-month';
import { createBucket, describeWithServers, testConfig, uniqueName } from '../helpers/servers';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { StoreFactory } from '../../lake/storage/location';
import type { RunReport } from '../../lake/steps/publish';

/** A loopback port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The value of the first sample of `metric` whose labels include every one given, from Prometheus text. */
function sample(text: string, metric: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (!match || match[1] !== metric) continue;
    if (Object.entries(labels).every(([k, v]) => (match[2] ?? '').includes(`${k}="${v}"`))) return Number(match[3]);
  }
  return undefined;
}

type LogLine = Record<string, unknown> & { level: string; msg: string };

describeWithServers('what a worker process tells operators: JSON logs and Prometheus metrics', () => {
  const taskQueue = uniqueName('sparkify-telemetry');
  const config = testConfig(taskQueue);
  let connection: Connection;
  let worker: WorkerProcess;
  let port: number;
  let run: { report: RunReport; runId: string; workflowId: string };
  let metricsDuringRun: string;
  let lines: LogLine[];

  beforeAll(async () => {
    const stores = new StoreFactory(config.s3);
    const input = `s3://${await createBucket(config, 'sparkify-telemetry-in')}/`;
    const output = `s3://${await createBucket(config, 'sparkify-telemetry-out')}/`;
    await generateDataset(stores.open(input), { songs: 300, users: 40, events: 4000, from: { year: 2018, month: 11 }, months: 1, seed: 5 });
    // One line that is not JSON, so quarantine has something to count.
    await stores.open(input).put('log_data/2018/11/2018-11-30-extra.json', 'not json\n');

    port = await freePort();
    worker = await spawnWorker(taskQueue, { SPARKIFY_METRICS_PORT: String(port), SPARKIFY_METRICS_HOST: '127.0.0.1', SPARKIFY_LOG_LEVEL: 'INFO' });
    connection = await Connection.connect({ address: config.temporal.address });
    const client = new Client({ connection, namespace: config.temporal.namespace });
    run = await runMonth(client, config, { year: 2018, month: 11, input, output }, uniqueName('sparkify-etl-telemetry'));
    // Scraped while the worker still runs, as Prometheus would.
    metricsDuringRun = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    lines = worker
      .stdout()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as LogLine;
        } catch {
          throw new Error(`a worker log line is not JSON: ${l}`);
        }
      });
  });
  afterAll(async () => {
    if (worker?.child.exitCode === null) worker.child.kill('SIGKILL');
    await connection?.close();
  });

  it('logs only JSON lines, each line of an activity naming the run, its DAG task and part', () => {
    expect(run.report.quarantined.total).toBe(1);
    // Nothing as text: the SDK core's lines and Node's warnings come through the same JSON logger.
    expect(worker.stderr()).toBe('');
    for (const line of lines) expect(line).toEqual(expect.objectContaining({ time: expect.any(String), level: expect.any(String), msg: expect.any(String) }));
    const inActivities = lines.filter((l) => l.activityId !== undefined);
    expect(inActivities.length).toBeGreaterThan(20);
    for (const line of inActivities) {
      expect(line).toEqual(expect.objectContaining({ workflowId: run.workflowId, workflowRunId: run.runId, task: expect.any(String) }));
      expect(line).toHaveProperty('part');
      expect(line).not.toHaveProperty('taskToken');
    }
    const started = inActivities.filter((l) => l.msg === 'Step started').map((l) => `${l.task} ${l.part}`);
    // The generated month's 30 logs and one extra, two a part.
    const expected = ['stage-songs plan', 'stage-events 16/16', 'transform-dimensions single', 'transform-facts finish', 'write-dimensions 2/2', 'audit-facts single', 'publish single'];
    expect({ missing: expected.filter((e) => !started.includes(e)), started }).toEqual({ missing: [], started: expect.any(Array) });
  });

  it("logs each step's end with its counts", () => {
    const finished = lines.filter((l) => l.msg === 'Step finished');
    // 30 daily logs and the extra one, over the parts of stage-events.
    const stageEvents = finished.filter((l) => l.task === 'stage-events' && l.part !== 'plan').map((l) => l.counts as { objectsRead: number; quarantined: Record<string, number> });
    expect(stageEvents.map((c) => c.objectsRead).reduce((a, b) => a + b, 0)).toBe(31);
    expect(stageEvents.map((c) => c.quarantined['invalid-json'] ?? 0).reduce((a, b) => a + b, 0)).toBe(1);
    const publish = finished.find((l) => l.task === 'publish');
    expect(publish?.counts).toMatchObject({ tables: run.report.tables, staleFilesRemoved: 0 });
    expect(typeof publish?.seconds).toBe('number');
    // Every step that started finished, on this one worker.
    expect(finished.length).toBe(lines.filter((l) => l.msg === 'Step started').length);
  });

  it('never logs a secret', () => {
    const text = worker.output();
    expect(text).not.toContain(process.env.AWS_SECRET_ACCESS_KEY!);
    expect(text).toContain('polling task queue');
  });

  it("serves the SDK's metrics and the pipeline's on the configured port", () => {
    // The SDK's own, from the run just finished.
    expect(sample(metricsDuringRun, 'temporal_activity_execution_latency_count', { activity_type: 'publish' })).toBeGreaterThan(0);
    expect(sample(metricsDuringRun, 'temporal_workflow_completed', { workflow_type: 'sparkifyEtl' })).toBe(1);
    // The pipeline's, on the activities' meter, tagged with the DAG task.
    expect(sample(metricsDuringRun, 'sparkify_rows_written', { table: 'songplays', task: 'write-facts' })).toBe(run.report.tables.songplays);
    expect(sample(metricsDuringRun, 'sparkify_objects_read', { source: 'events' })).toBe(31);
    expect(sample(metricsDuringRun, 'sparkify_records_quarantined', { source: 'events', reason: 'invalid-json' })).toBe(1);
    expect(sample(metricsDuringRun, 'sparkify_bytes_written', { table: 'songs' })).toBeGreaterThan(0);
    expect(sample(metricsDuringRun, 'sparkify_table_rows', { table: 'time' })).toBe(run.report.tables.time);
    expect(sample(metricsDuringRun, 'sparkify_task_seconds', { task: 'stage-events' })).toBeGreaterThan(0);
    expect(sample(metricsDuringRun, 'sparkify_step_seconds_count', { task: 'publish' })).toBe(1);
    // In seconds, with buckets for seconds: a step of this small month takes well under a minute.
    expect(sample(metricsDuringRun, 'sparkify_step_seconds_bucket', { task: 'publish', le: '60' })).toBe(1);
  });
});
