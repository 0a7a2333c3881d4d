import { existsSync } from 'node:fs';
import { generateDataset } from '../../lake/generate/generate';
import { listAll } from '../../lake/storage/object-store';
import { MonthAlreadyRunning } from '../../client/month-conflict';
import { runMonth, startMonthRun, waitForReport } from '../../client/run-month';
import { NOV_2018 } from '../helpers/builders';
import { tempDir } from '../helpers/temp';
import { until } from '../helpers/observe';
import { sparkify } from '../helpers/cli';
import { describeWithServers, startHarness, uniqueName, type TemporalHarness } from '../helpers/servers';

describeWithServers('the client says what happened', () => {
  let h: TemporalHarness;
  /** Holds stage-songs of the runs that write to `held` until the test lets them go, so they are surely running. */
  let held = '';
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  afterAll(async () => {
    release();
    await h?.stop();
  });
  // After the hook that stops the worker: a run it still served would write into the folder again.
  const lake = tempDir('client-says');

  beforeAll(async () => {
    h = await startHarness({
      activities: (real) => ({
        ...real,
        stage: async (call) => {
          if (call.run.output === held) await released;
          return real.stage(call);
        },
      }),
    });
    await generateDataset(lake.store('in'), { songs: 40, users: 10, events: 300, from: NOV_2018, months: 1, seed: 3 });
  });

  it('refuses to join a running month asked for another output, naming the run and both outputs; B is never written', async () => {
    const workflowId = uniqueName('sparkify-etl-2018-11');
    const [outputA, outputB] = [lake.path('lake-a'), lake.path('lake-b')];
    held = outputA;
    const { handle: first, runId } = await startMonthRun(h.client, h.config, { ...NOV_2018, input: lake.path('in'), output: outputA }, workflowId);
    await until('the first run to be running', async () => ((await first.describe()).status.name === 'RUNNING' ? true : undefined));

    const refused = await runMonth(h.client, h.config, { ...NOV_2018, input: lake.path('in'), output: outputB }, workflowId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MonthAlreadyRunning);
    const message = (refused as Error).message;
    expect(message).toContain(`${workflowId} is already running (run ${runId})`);
    expect(message).toContain(`output asked for: ${outputB}, output of the running run: ${outputA}`);

    // The same request joins the running run, as before.
    const joined = runMonth(h.client, h.config, { ...NOV_2018, input: lake.path('in'), output: outputA }, workflowId);
    release();
    const report = await waitForReport(first);
    expect((await joined).runId).toBe(report.runId);
    expect(report.runId).toBe(runId);
    expect(existsSync(outputB) ? await listAll(lake.store('lake-b'), '') : []).toEqual([]);
    expect((await listAll(lake.store('lake-a'), '')).length).toBeGreaterThan(0);
  });

  it('sparkify run of a month without event logs prints the failing task, its error and the history command, and exits 1', async () => {
    // Songs but only October's events: stage-events finds nothing for November and fails with InputError.
    await generateDataset(lake.store('october'), { songs: 20, users: 5, events: 100, from: { year: 2018, month: 10 }, months: 1, seed: 4 });
    const env = { ...process.env, SPARKIFY_TASK_QUEUE: h.config.temporal.taskQueue, SPARKIFY_CONFIG: '' };
    const { code, stdout, stderr } = await sparkify(['run', '--year', '2018', '--month', '11', '--input', lake.path('october'), '--output', lake.path('october-lake')], env);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/task: +stage-events \(DAG sparkify-etl, activity stage\)/);
    expect(stderr).toMatch(new RegExp(`error: +InputError: No event logs for 2018-11 under ${lake.path('october')}/log_data/2018/11/`));
    expect(stderr).toMatch(/retryable: +no/);
    expect(stderr).toMatch(/temporal workflow show --workflow-id sparkify-etl-2018-11 --run-id [0-9a-f-]{36}/);
    if (process.env.TEMPORAL_UI_URL) expect(stderr).toContain(`${process.env.TEMPORAL_UI_URL}/namespaces/default/workflows/sparkify-etl-2018-11/`);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(code).toBe(1);
  });
});
