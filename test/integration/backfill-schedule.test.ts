import { execFileSync } from 'node:child_process';
import { WorkflowFailedError } from '@temporalio/client';
import { generateDataset } from '../../lake/generate/generate';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import { startBackfill } from '../../client/backfill';
import { runMonth } from '../../client/run-month';
import { backfillSchedule, createSchedule } from '../../client/schedule';
import { backfillProgressQuery } from '../../workflows/sparkify-backfill';
import { snapshotLake } from '../helpers/lake-snapshot';
import { createBucket, describeWithServers, startHarness, uniqueName, type TemporalHarness } from '../helpers/servers';
import { until } from '../helpers/observe';

const MONTHS = [
  { year: 2018, month: 11 },
  { year: 2018, month: 12 },
  { year: 2019, month: 1 },
];

describeWithServers('backfills and schedules on a real dev server and MinIO', () => {
  let h: TemporalHarness;
  let inputUri: string;
  const newLake = async (name: string) => `s3://${await createBucket(h.config, name)}/`;
  let oneByOne: ObjectStore;
  let oneByOneUri: string;

  beforeAll(async () => {
    h = await startHarness();
    inputUri = await newLake('sparkify-months-in');
    await generateDataset(h.stores.open(inputUri), { songs: 150, users: 40, events: 1500, from: { year: 2018, month: 11 }, months: 6, seed: 5 });
  });
  afterAll(async () => h?.stop());

  it('a backfill of three months with parallelism 2 gives the same lake as the months run one by one', async () => {
    const backfillUri = await newLake('sparkify-backfill');
    const handle = await startBackfill(
      h.client,
      h.config,
      { from: '2018-11', to: '2019-01', parallelism: 2, input: inputUri, output: backfillUri, monthsPerExecution: 2 },
      uniqueName('sparkify-backfill'),
    );
    const progress = await handle.query(backfillProgressQuery);
    expect(progress.total).toBe(3);
    const result = await handle.result();
    expect(result.months.map((m) => [m.month, m.status, m.workflowId])).toEqual([
      ['2018-11', 'completed', 'sparkify-etl-2018-11'],
      ['2018-12', 'completed', 'sparkify-etl-2018-12'],
      ['2019-01', 'completed', 'sparkify-etl-2019-01'],
    ]);
    // Two months per execution: the first execution handed over to a second one, as long ranges do every 24 months.
    const firstHistory = await h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
    expect(firstHistory.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

    oneByOneUri = await newLake('sparkify-one-by-one');
    for (const month of MONTHS) await runMonth(h.client, h.config, { ...month, input: inputUri, output: oneByOneUri });
    oneByOne = h.stores.open(oneByOneUri);
    const expected = await snapshotLake(oneByOne);
    const actual = await snapshotLake(h.stores.open(backfillUri));
    expect(actual.rows).toEqual(expected.rows);
    expect(actual.dataFiles).toEqual(expected.dataFiles);
    expect(expected.counts.songplays).toBeGreaterThan(0);
  });

  it('running the first month again, or the months in another order, leaves users unchanged', async () => {
    const before = await snapshotLake(oneByOne);
    await runMonth(h.client, h.config, { ...MONTHS[0], input: inputUri, output: oneByOneUri });
    expect((await snapshotLake(oneByOne)).rows).toEqual(before.rows);

    const reversedUri = await newLake('sparkify-reversed');
    for (const month of [MONTHS[2], MONTHS[0], MONTHS[1]]) await runMonth(h.client, h.config, { ...month, input: inputUri, output: reversedUri });
    expect((await snapshotLake(h.stores.open(reversedUri))).rows.users).toEqual(before.rows.users);
  });

  it('a schedule backfill over a past range runs exactly those months, found by their search attributes', async () => {
    const scheduleId = uniqueName('sparkify-daily');
    const lakeUri = await newLake('sparkify-scheduled');
    await createSchedule(h.client, h.config, { scheduleId, at: '03:00', overrides: { input: inputUri, output: lakeUri } });
    try {
      const months = await backfillSchedule(h.client, scheduleId, new Date(Date.UTC(2019, 1, 1)), new Date(Date.UTC(2019, 3, 30)));
      expect(months).toEqual([
        { year: 2019, month: 2 },
        { year: 2019, month: 3 },
        { year: 2019, month: 4 },
      ]);
      const runs = await until('three completed scheduled runs', async () => {
        const found: { workflowId: string; status: string }[] = [];
        for await (const w of h.client.workflow.list({ query: `WorkflowId STARTS_WITH '${scheduleId}-run'` })) {
          found.push({ workflowId: w.workflowId, status: w.status.name });
        }
        return found.length === 3 && found.every((r) => r.status === 'COMPLETED') ? found : undefined;
      });
      const outcomes = await Promise.all(runs.map((r) => h.client.workflow.getHandle(r.workflowId).result()));
      expect(outcomes.map((o) => [o.month, o.status]).sort()).toEqual([
        ['2019-02', 'completed'],
        ['2019-03', 'completed'],
        ['2019-04', 'completed'],
      ]);
      const lake = h.stores.open(lakeUri);
      const reports = (await listAll(lake, '_runs/')).map((o) => o.key).filter((k) => k.endsWith('latest.json'));
      expect(reports).toEqual(['_runs/year=2019/month=2/latest.json', '_runs/year=2019/month=3/latest.json', '_runs/year=2019/month=4/latest.json']);

      const cli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
      const listed = await until('visibility of the search attributes', async () => {
        const out = execFileSync(cli, ['workflow', 'list', '--address', h.config.temporal.address, '--query', 'SparkifyYear = 2019 AND SparkifyMonth = 3', '--output', 'json'], { encoding: 'utf8' });
        const rows = (JSON.parse(out || '[]') as { type: { name: string }; execution: { workflowId: string } }[]).map((w) => [w.type.name, w.execution.workflowId]);
        return rows.some(([type]) => type === 'sparkifyEtl') && rows.some(([type]) => type === 'sparkifyScheduledRun') ? rows : undefined;
      });
      expect(listed).toContainEqual(['sparkifyEtl', 'sparkify-etl-2019-03']);
      expect(listed.some(([type, id]) => type === 'sparkifyScheduledRun' && id.startsWith(`${scheduleId}-run`))).toBe(true);
      // Only March's runs: its sparkifyEtl runs and the scheduled runs (of this or an earlier schedule) that loaded it.
      for (const [type, id] of listed) expect(type === 'sparkifyEtl' ? id : type).toMatch(/^(sparkify-etl-2019-03|sparkifyScheduledRun)$/);
    } finally {
      await h.client.schedule.getHandle(scheduleId).delete();
    }
  });

  it('cancelling a backfill cancels its running months and leaves no partial partition', async () => {
    const lakeUri = await newLake('sparkify-cancelled');
    const lake = h.stores.open(lakeUri);
    const handle = await startBackfill(h.client, h.config, { from: '2018-11', to: '2019-01', parallelism: 2, input: inputUri, output: lakeUri }, uniqueName('sparkify-cancel'));
    // Cancel once a month has staged its partitions: the moment a run that wrote in place would leave a mix.
    await until('a month with staged partitions', async () => {
      for await (const o of lake.list('_staging/')) if (o.key.includes('/written/')) return o;
      return undefined;
    });
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const months = ['2018-11', '2018-12', '2019-01'];
    const statuses = await until('the months to stop', async () => {
      const children = await Promise.all(months.map((m) => h.client.workflow.getHandle(`sparkify-etl-${m}`).describe()));
      const names = children.map((c) => c.status.name);
      return names.includes('RUNNING') ? undefined : names;
    });
    // Months of this backfill were cancelled (none terminated or failed); a month not reached yet keeps its earlier run.
    expect(statuses.every((s) => s === 'CANCELLED' || s === 'COMPLETED')).toBe(true);
    expect(statuses.filter((s) => s === 'CANCELLED').length).toBeGreaterThan(0);

    // A cancelled month published nothing of its own: no run report, no fact partition.
    const published = (await listAll(lake, '')).map((o) => o.key);
    months.forEach((m, i) => {
      if (statuses[i] !== 'CANCELLED') return;
      const [year, month] = m.split('-').map(Number);
      expect(published.filter((k) => k.includes(`/year=${year}/month=${month}/`) && !k.startsWith('_staging/'))).toEqual([]);
    });
    // Every data file is whole: byte for byte the file an undisturbed run writes at that key.
    for (const key of published.filter((k) => k.endsWith('.parquet') && !k.startsWith('users/'))) {
      expect((await lake.get(key)).equals(await oneByOne.get(key))).toBe(true);
    }
    expect(await listAll(lake, '_staging/')).toEqual([]);
  });
});
