import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { runMonth, startMonth } from '../../client/run-month';
import { generateDataset } from '../../lake/generate/generate';
import { listAll } from '../../lake/storage/object-store';
import { NOV_2018 } from '../helpers/builders';
import { tempDir } from '../helpers/temp';
import { causeChain, contentHashes, until } from '../helpers/observe';
import { createBucket, describeWithServers, startHarness, uniqueName, type TemporalHarness } from '../helpers/servers';

describeWithServers('a failed run changes nothing, on a real dev server', () => {
  let h: TemporalHarness;
  let poisoned: TemporalHarness;
  afterAll(async () => {
    await h?.stop();
    await poisoned?.stop();
  });
  // After the hook that stops the workers: a run they still served would write into it again.
  const tmp = tempDir('commit');
  const input = tmp.path('input');
  const changed = tmp.path('input-changed');

  beforeAll(async () => {
    await generateDataset(tmp.store('input'), { songs: 150, users: 20, events: 1500, from: NOV_2018, months: 1, seed: 21 });
    await generateDataset(tmp.store('input-changed'), { songs: 170, users: 22, events: 1700, from: NOV_2018, months: 1, seed: 22 });
    h = await startHarness({ config: { stagingGcMinutes: 0 } });
    // The real activities, but audit fails after its checks passed: a quality gate that says no.
    poisoned = await startHarness({
      activities: (real) => ({
        ...real,
        audit: async (call) => {
          await real.audit(call);
          throw ApplicationFailure.nonRetryable('poisoned audit: the test says no', 'AuditFailed');
        },
      }),
    });
  });

  it.each([
    ['on local disk', async () => tmp.path('lake-poisoned')],
    ['on MinIO', async () => `s3://${await createBucket(h.config, 'sparkify-poisoned')}/lake/`],
  ])('a run failed at audit, after every new partition was staged, leaves every file byte-identical and no staging, %s', async (_where, outputFor) => {
    const output = await outputFor();
    await runMonth(h.client, h.config, { ...NOV_2018, input, output });
    const lake = h.stores.open(output);
    const before = await contentHashes(lake);
    expect(Object.keys(before).filter((k) => k.endsWith('.parquet')).length).toBeGreaterThan(10);

    const workflowId = uniqueName('sparkify-poisoned');
    const err = await runMonth(poisoned.client, poisoned.config, { ...NOV_2018, input: changed, output }, workflowId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(causeChain(err)).toMatch(/Task audit-(dimensions|facts) of DAG sparkify-etl failed.*poisoned audit/);
    expect(await contentHashes(lake)).toEqual(before);

    // The staging was there to remove: the failed run's discard-staging ran after its writes.
    const history = await poisoned.client.workflow.getHandle(workflowId).fetchHistory();
    const activities = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activities).toEqual(expect.arrayContaining(['writePartitions', 'audit', 'discardStaging']));
    expect(activities).not.toContain('publish');
  });

  it('refuses an output outside the allowed roots at once, without a retry, writing nothing there', async () => {
    const allowed = tmp.path('allowed');
    const strict = await startHarness({ config: { allowedOutputs: [allowed], allowedInputs: [input] } });
    try {
      const elsewhere = tmp.path('elsewhere');
      const started = Date.now();
      const workflowId = uniqueName('sparkify-not-allowed');
      const err = await runMonth(strict.client, strict.config, { ...NOV_2018, input, output: elsewhere }, workflowId).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(causeChain(err)).toContain(`${elsewhere} is not within the locations this worker allows (${allowed})`);
      expect(causeChain(err)).toContain('[LAKE] ALLOWED_OUTPUTS (or $SPARKIFY_ALLOWED_OUTPUTS)');
      const history = await strict.client.workflow.getHandle(workflowId).fetchHistory();
      const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
      expect(attempts.every((a) => a === 1)).toBe(true);
      expect(await listAll(tmp.store('elsewhere'), '')).toEqual([]);
    } finally {
      await strict.stop();
    }
  });

  it('refuses an S3 prefix that holds other files and is not a lake, at once, keeping every file', async () => {
    const output = `s3://${await createBucket(h.config, 'sparkify-foreign')}/shared/`;
    const folder = h.stores.open(output);
    const foreign = { 'users/alice/notes.txt': 'notes', 'songs/README': 'readme', 'time/year=2018/month=11/other.csv': 'a,b\n' };
    for (const [key, body] of Object.entries(foreign)) await folder.put(key, body);
    const before = await contentHashes(folder);
    const started = Date.now();
    const err = await runMonth(h.client, h.config, { ...NOV_2018, input, output }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(causeChain(err)).toContain('already holds files');
    expect(causeChain(err)).toContain('is not a Sparkify lake');
    expect(await contentHashes(folder)).toEqual(before);
  });

  it('a terminated run leaves its staging until sparkify gc, or the next run, removes it', async () => {
    const output = tmp.path('lake-terminated');
    const lake = tmp.store('lake-terminated');
    const terminate = async () => {
      const handle = await startMonth(h.client, h.config, { ...NOV_2018, input, output }, uniqueName('sparkify-terminated'));
      await until('staged objects', async () => ((await listAll(lake, '_staging/')).length > 0 ? true : undefined));
      await handle.terminate('test: a run killed from outside');
      // Its activities learn of it at their next heartbeat and stop; wait until nothing more is written.
      let last = '';
      let stableSince = Date.now();
      await until('the terminated run to stop writing', async () => {
        const now = JSON.stringify((await listAll(lake, '_staging/')).map((o) => [o.key, o.modified]));
        if (now !== last) [last, stableSince] = [now, Date.now()];
        return Date.now() - stableSince > 8_000 ? true : undefined;
      });
    };

    await terminate();
    expect((await listAll(lake, '_staging/')).length).toBeGreaterThan(0);
    const cli = path.resolve(__dirname, '..', '..', 'bin', 'sparkify.js');
    const printed = JSON.parse(execFileSync(process.execPath, [cli, 'gc', '--output', output, '--older-than', '0', '--json'], { encoding: 'utf8', env: process.env }));
    expect(printed.removed).toHaveLength(1);
    expect(await listAll(lake, '_staging/')).toEqual([]);

    await terminate();
    const { report } = await runMonth(h.client, h.config, { ...NOV_2018, input, output });
    expect(report.tables.songs).toBeGreaterThan(0);
    expect(await listAll(lake, '_staging/')).toEqual([]);
  });
});
