/**
 * `npm run record:histories`: records one history per workflow type and per DAG shape (a completed run, a run the
 * audit fails, a backfill, one with a failed month, a scheduled run, one whose month failed) into test/replay/histories/, for the replay test in `npm test` to run
 * against the current workflow code. Run it again when a workflow changes on purpose, and keep the old histories
 * of any workflow still running in production beside the new ones. Needs the servers infra/test-servers.sh starts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { startBackfill } from '../../client/backfill';
import { runMonth } from '../../client/run-month';
import { generateDataset } from '../../lake/generate/generate';
import { monthOf } from '../../lake/month';
import { NOV_2018 } from '../helpers/builders';
import { tempDir } from '../helpers/temp';
import { startHarness, uniqueName, type TemporalHarness } from '../helpers/servers';

const OUT = path.join(__dirname, 'histories');

jest.setTimeout(10 * 60_000);

describe('record workflow histories for the replay test', () => {
  let h: TemporalHarness;
  afterAll(async () => h?.stop());
  // After the hook that stops the worker: a run it still served would write into the folder again.
  const tmp = tempDir('record');
  const input = tmp.path('input');
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    await generateDataset(tmp.store('input'), { songs: 60, users: 8, events: 300, from: NOV_2018, months: 2, seed: 3 });
    // A scheduled run started by hand loads the current month.
    await generateDataset(tmp.store('input-now'), { songs: 60, users: 8, events: 300, from: monthOf(new Date()), months: 1, seed: 3 });
    // November alone: December's run fails at stage-events.
    await generateDataset(tmp.store('input-november'), { songs: 60, users: 8, events: 300, from: NOV_2018, months: 1, seed: 3 });
    h = await startHarness();
  });

  /** As `temporal workflow show --output json` prints it: the form the SDK's replayer and the Web UI's download use. */
  function save(name: string, workflowId: string): void {
    const cli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const shown = execFileSync(cli, ['workflow', 'show', '--address', h.config.temporal.address, '--workflow-id', workflowId, '--output', 'json'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(JSON.parse(shown), null, 1)}\n`);
  }

  it('sparkifyEtl, completed', async () => {
    const workflowId = uniqueName('sparkify-etl-2018-11');
    await runMonth(h.client, h.config, { ...NOV_2018, input, output: tmp.path('lake-completed') }, workflowId);
    save('sparkify-etl-completed', workflowId);
  });

  it('sparkifyEtl, failed at audit: discard-staging runs', async () => {
    const poisoned = await startHarness({
      activities: (real) => ({ ...real, audit: async () => Promise.reject(ApplicationFailure.nonRetryable('recorded failure', 'AuditFailed')) }),
    });
    try {
      const workflowId = uniqueName('sparkify-etl-2018-11');
      await runMonth(poisoned.client, poisoned.config, { ...NOV_2018, input, output: tmp.path('lake-failed') }, workflowId).catch(() => undefined);
      save('sparkify-etl-audit-failed', workflowId);
    } finally {
      await poisoned.stop();
    }
  });

  it('sparkifyBackfill over two months', async () => {
    const handle = await startBackfill(h.client, h.config, { from: '2018-11', to: '2018-12', parallelism: 2, input, output: tmp.path('lake-backfill') }, uniqueName('sparkify-backfill'));
    await handle.result();
    save('sparkify-backfill', handle.workflowId);
  });

  it('sparkifyBackfill with a failed month: it ends failed', async () => {
    const range = { from: '2018-11', to: '2018-12', parallelism: 2, input: tmp.path('input-november'), output: tmp.path('lake-backfill-failed') };
    const handle = await startBackfill(h.client, h.config, range, uniqueName('sparkify-backfill'));
    await expect(handle.result()).rejects.toThrow();
    save('sparkify-backfill-month-failed', handle.workflowId);
  });

  it('sparkifyScheduledRun, started by hand', async () => {
    const workflowId = uniqueName('sparkify-scheduled');
    await h.client.workflow.execute('sparkifyScheduledRun', {
      taskQueue: h.config.temporal.taskQueue,
      workflowId,
      args: [{ input: tmp.path('input-now'), output: tmp.path('lake-scheduled') }],
    });
    save('sparkify-scheduled-run', workflowId);
  });

  it('sparkifyScheduledRun whose month failed: it ends failed', async () => {
    const workflowId = uniqueName('sparkify-scheduled');
    const run = h.client.workflow.execute('sparkifyScheduledRun', {
      taskQueue: h.config.temporal.taskQueue,
      workflowId,
      args: [{ input, output: tmp.path('lake-scheduled-failed') }],
    });
    await expect(run).rejects.toThrow();
    save('sparkify-scheduled-run-failed', workflowId);
  });
});
