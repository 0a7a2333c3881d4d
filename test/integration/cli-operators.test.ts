/**
 * What operators see and use, through `sparkify` as they run it: failed runs that end FAILED in Temporal, a backfill
 * that names its failed months, rerunning only what failed or was not loaded, schedules on cron, and --embedded on a
 * taken port. Months here (2030, and the current month for the scheduled run) are used by no other test file.
 */
import net from 'node:net';
import { cpSync, rmSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { generateDataset } from '../../lake/generate/generate';
import { listAll } from '../../lake/storage/object-store';
import { formatMonth, monthOf } from '../../lake/month';
import type { BackfillResult } from '../../workflows/sparkify-backfill';
import type { MonthOutcome } from '../../workflows/month-child';
import { sparkify } from '../helpers/cli';
import { tempDir } from '../helpers/temp';
import { until } from '../helpers/observe';
import { describeWithServers, startHarness, uniqueName, type TemporalHarness } from '../helpers/servers';

const JAN_2030 = { year: 2030, month: 1 };

describeWithServers('sparkify for operators, on a real dev server', () => {
  let h: TemporalHarness;
  let env: NodeJS.ProcessEnv;
  afterAll(async () => h?.stop());
  // After the hook that stops the worker: a run it still served would write into the folder again.
  const tmp = tempDir('cli-operators');
  const cli = (args: string[], cwd?: string) => sparkify(args, env, cwd);
  const februaryLogs = () => tmp.path('full', 'log_data', '2030', '02');

  beforeAll(async () => {
    h = await startHarness();
    env = { ...process.env, SPARKIFY_TASK_QUEUE: h.config.temporal.taskQueue, SPARKIFY_CONFIG: '' };
    // Three months of 2030 as input, less February's event logs: its run fails at stage-events.
    await generateDataset(tmp.store('full'), { songs: 40, users: 8, events: 200, from: JAN_2030, months: 3, seed: 7 });
    cpSync(tmp.path('full'), tmp.path('in'), { recursive: true, filter: (from) => !from.startsWith(februaryLogs()) });
  });

  it('a backfill with a failed month ends FAILED naming it, prints every month and exits 1; --only-failed then runs that month alone', async () => {
    const range = ['backfill', '--from', '2030-01', '--to', '2030-03', '--input', tmp.path('in'), '--output', tmp.path('lake')];
    const failed = await cli([...range, '--json']);
    // stdout is the result alone, progress and explanations are on stderr.
    const result = JSON.parse(failed.stdout) as BackfillResult;
    expect(result.months.map((m) => [m.month, m.status])).toEqual([
      ['2030-01', 'completed'],
      ['2030-02', 'failed'],
      ['2030-03', 'completed'],
    ]);
    expect(failed.stderr).toMatch(/months \d\/3 \(\d failed\)/);
    expect(failed.stderr).toMatch(/Run sparkify-etl-2030-02 \(run [0-9a-f-]{36}\) failed\.\n +task: +stage-events/);
    expect(failed.stderr).toContain('1 month(s) failed: 2030-02.');
    expect(failed.code).toBe(1);

    // Temporal says FAILED, and its failure names the month, the task and the error.
    const backfill = h.client.workflow.getHandle('sparkify-backfill-2030-01-2030-03');
    expect((await backfill.describe()).status.name).toBe('FAILED');
    const cause = ((await backfill.result().catch((e: unknown) => e)) as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('BackfillMonthsFailed');
    expect(cause.message).toMatch(/1 of 3 months failed \(2030-02\): 2030-02 \(task stage-events, activity stage\): InputError: No event logs for 2030-02/);
    expect((cause.details?.[0] as BackfillResult).months).toHaveLength(3);

    // February's logs come back; only February runs again.
    cpSync(februaryLogs(), tmp.path('in', 'log_data', '2030', '02'), { recursive: true });
    const rerun = await cli([...range, '--only-failed', '--json']);
    expect(rerun.stderr).toMatch(/Running again 2030-02: its latest run sparkify-etl-2030-02 \(run [0-9a-f-]{36}\) ended FAILED/);
    expect(rerun.stderr).not.toMatch(/Running again 2030-0[13]/);
    expect((JSON.parse(rerun.stdout) as BackfillResult).months.map((m) => [m.month, m.status])).toEqual([['2030-02', 'completed']]);
    expect(rerun.code).toBe(0);
    expect((await backfill.describe()).status.name).toBe('COMPLETED');

    // Nothing failed any more: --only-failed has nothing to do.
    const nothing = await cli([...range, '--only-failed']);
    expect(nothing.stderr).toContain('Nothing to run');
    expect(nothing.code).toBe(0);
  });

  it('--skip-loaded leaves out months loaded from the same input and output, and runs a month whose logs changed since', async () => {
    const range = ['backfill', '--from', '2030-01', '--to', '2030-03', '--input', tmp.path('in'), '--output', tmp.path('lake')];
    const skipped = await cli([...range, '--skip-loaded']);
    for (const month of ['2030-01', '2030-02', '2030-03']) expect(skipped.stderr).toMatch(new RegExp(`Skipping ${month}: loaded by sparkify-etl-${month} \\(run [0-9a-f-]{36}\\)`));
    expect(skipped.stderr).toContain('Nothing to run');
    expect(skipped.code).toBe(0);

    // Another output is another lake: nothing of it is loaded.
    const elsewhere = await cli(['backfill', '--from', '2030-01', '--to', '2030-01', '--input', tmp.path('in'), '--output', tmp.path('other-lake'), '--skip-loaded', '--json']);
    expect(elsewhere.stderr).not.toContain('Skipping');
    expect((JSON.parse(elsewhere.stdout) as BackfillResult).months.map((m) => m.month)).toEqual(['2030-01']);

    // March's logs rewritten after its load: March runs again, the others are skipped.
    const march = tmp.store('in');
    const [log] = await listAll(march, 'log_data/2030/03/');
    await march.put(log.key, await march.get(log.key));
    const again = await cli([...range, '--skip-loaded', '--json']);
    expect(again.stderr).toMatch(/Skipping 2030-01/);
    expect(again.stderr).not.toMatch(/Skipping 2030-03/);
    expect((JSON.parse(again.stdout) as BackfillResult).months.map((m) => m.month)).toEqual(['2030-03']);
    expect(again.code).toBe(0);
  });

  it('a scheduled run whose month fails ends FAILED, naming the month, its task and the error', async () => {
    const scheduleId = uniqueName('sparkify-cli-daily');
    // Input without any event log: the month of the trigger (the current one) fails at stage-events.
    await generateDataset(tmp.store('songs-only'), { songs: 20, users: 4, events: 10, from: JAN_2030, months: 1, seed: 3 });
    rmSync(tmp.path('songs-only', 'log_data'), { recursive: true });
    const created = await cli(['schedule', 'create', '--id', scheduleId, '--paused', '--input', tmp.path('songs-only'), '--output', tmp.path('lake-scheduled')]);
    expect(created.stdout).toContain(`Created schedule ${scheduleId} (daily at 03:00 UTC, paused)`);
    expect(created.code).toBe(0);
    try {
      expect((await cli(['schedule', 'trigger', '--id', scheduleId])).code).toBe(0);
      const run = await until('the scheduled run to close', async () => {
        for await (const w of h.client.workflow.list({ query: `WorkflowId STARTS_WITH '${scheduleId}-run'` })) {
          if (w.status.name !== 'RUNNING') return w;
        }
        return undefined;
      });
      expect(run.status.name).toBe('FAILED');
      const history = await h.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const failure = history.events?.at(-1)?.workflowExecutionFailedEventAttributes?.failure;
      const month = formatMonth(monthOf(run.startTime));
      expect(failure?.applicationFailureInfo?.type).toBe('MonthRunFailed');
      expect(failure?.message).toMatch(new RegExp(`^Month ${month} \\(task stage-events, activity stage\\): InputError: No event logs for ${month}`));
      // The month's own failure is its cause, so the Web UI and `temporal workflow show` show the whole chain.
      expect(failure?.cause?.childWorkflowExecutionFailureInfo?.workflowExecution?.workflowId).toBe(`sparkify-etl-${month}`);
      const err = await h.client.workflow.getHandle(run.workflowId, run.runId).result().catch((e: unknown) => e);
      expect(((err as WorkflowFailedError).cause as ApplicationFailure).details?.[0]).toMatchObject<Partial<MonthOutcome>>({ month, status: 'failed' });
    } finally {
      await cli(['schedule', 'delete', '--id', scheduleId]);
    }
  });

  it('schedule create --cron and update change the spec and the pause state', async () => {
    const scheduleId = uniqueName('sparkify-cli-cron');
    const describe = async () => JSON.parse((await cli(['schedule', 'describe', '--id', scheduleId, '--json'])).stdout) as { spec: string[]; paused: boolean };
    expect((await cli(['schedule', 'create', '--id', scheduleId, '--cron', '15 4 * * 1-5', '--paused'])).code).toBe(0);
    try {
      expect(await describe()).toMatchObject({ spec: ['cron 15 4 * * 1-5'], paused: true });
      const updated = await cli(['schedule', 'update', '--id', scheduleId, '--at', '05:30', '--unpause']);
      expect(updated.stdout).toContain(`Updated schedule ${scheduleId}: daily at 05:30 UTC, unpaused`);
      expect(await describe()).toMatchObject({ spec: ['daily at 05:30 UTC'], paused: false });
      expect((await cli(['schedule', 'update', '--id', scheduleId, '--cron', '@hourly', '--pause'])).code).toBe(0);
      expect(await describe()).toMatchObject({ spec: ['cron 0 * * * *'], paused: true });
      expect((await cli(['schedule', 'list'])).stdout.split('\n')).toContain(scheduleId);
    } finally {
      await cli(['schedule', 'delete', '--id', scheduleId]);
    }
  });

  it('run --embedded on a taken port starts its own server on a free one, never the one listening there', async () => {
    const holder = net.createServer();
    let joined = 0;
    holder.on('connection', (socket) => {
      joined++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    await generateDataset(tmp.store('embedded-in'), { songs: 20, users: 4, events: 100, from: { year: 2018, month: 11 }, months: 1, seed: 9 });
    try {
      const embeddedEnv = { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${taken}`, TEMPORAL_UI_URL: '' };
      const run = await sparkify(['run', '--embedded', '--json', '--input', tmp.path('embedded-in'), '--output', tmp.path('embedded-lake')], embeddedEnv, tmp.root);
      expect(run.stderr).toContain(`Port ${taken} is taken by another process`);
      const [, port, uiUrl] = /Embedded Temporal server at 127\.0\.0\.1:(\d+), Web UI at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr) ?? [];
      expect(Number(port)).not.toBe(taken);
      expect(run.stderr).toContain(`Run history: ${uiUrl}/namespaces/default/workflows/sparkify-etl-2018-11/`);
      expect(JSON.parse(run.stdout).tables.songplays).toBeGreaterThan(0);
      expect(run.stderr).toMatch(/tasks \d\/9/);
      expect(run.code).toBe(0);
      expect(joined).toBe(0);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
