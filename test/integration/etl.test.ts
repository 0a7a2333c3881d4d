import { execFileSync } from 'node:child_process';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import { encodeParquet } from '../../lake/parquet/encode';
import { TABLES } from '../../lake/tables/catalog';
import { lakeKeys } from '../../lake/layout';
import type { RunReport } from '../../lake/steps/publish';
import { runMonth } from '../../client/run-month';
import { SPARKIFY_DAG } from '../../workflows/sparkify-dag';
import { snapshotLake } from '../helpers/lake-snapshot';
import { SAMPLE_DIR, hasSample } from '../helpers/sample';
import { createBucket, describeWithServers, startHarness, uniqueName, upload, type TemporalHarness } from '../helpers/servers';

const FIGURES = { songs: 71, artists: 69, users: 96, time: 6813, songplays: 6820 };

(hasSample ? describeWithServers : describe.skip)('sparkifyEtl on the Udacity sample, real Temporal and MinIO', () => {
  if (!hasSample) console.warn(`Skipping the sample run: ${SAMPLE_DIR} is absent`);
  let h: TemporalHarness;
  let inputUri: string;
  let outputUri: string;
  let lake: ObjectStore;
  let first: RunReport;
  const workflowId = uniqueName('sparkify-etl-2018-11');

  beforeAll(async () => {
    h = await startHarness();
    inputUri = `s3://${await createBucket(h.config, 'sparkify-in')}/udacity`;
    outputUri = `s3://${await createBucket(h.config, 'sparkify-lake')}/lake`;
    await upload(SAMPLE_DIR, h.stores.open(inputUri));
    lake = h.stores.open(outputUri);
  });
  afterAll(async () => h?.stop());

  it('builds the star schema with the contract figures, read back by DuckDB', async () => {
    first = (await runMonth(h.client, h.config, { year: 2018, month: 11, input: inputUri, output: outputUri }, workflowId)).report;
    expect(first.tables).toEqual(FIGURES);
    expect(first.songplaysWithSong).toBe(1);
    expect(first.quarantined.total).toBe(0);
    expect(first.read).toMatchObject({ objects: 71 + 30, songFilesReused: 0, eventFilesReused: 0 });

    const snapshot = await snapshotLake(lake);
    expect(snapshot.counts).toEqual(FIGURES);
    expect(snapshot.rows.songplays.filter((r) => (r as { song_id: string | null }).song_id !== null)).toHaveLength(1);

    const keys = (await listAll(lake, '')).map((o) => o.key);
    for (const t of Object.keys(FIGURES)) expect(keys).toContain(`${t}/_SUCCESS`);
    expect(keys).toContain(`_runs/year=2018/month=11/${first.runId}.json`);
    expect(keys.filter((k) => k.startsWith('_staging/'))).toEqual([]);
    expect(keys.filter((k) => k.endsWith('.parquet') && !k.endsWith('/part-00000.snappy.parquet'))).toEqual([]);
  });

  it('runs each step as its own activity and keeps the history small', async () => {
    const history = await h.client.workflow.getHandle(first.workflowId, first.runId).fetchHistory();
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((name): name is string => Boolean(name));
    // One activity type per kind of DAG step, named as the DAG file and the README name them.
    expect(new Set(scheduled)).toEqual(new Set(['stage', 'transformDimensions', 'transformFacts', 'writePartitions', 'audit', 'publish']));
    // Each call's summary names its DAG task and part, as the Web UI shows them.
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => JSON.parse(Buffer.from(e.userMetadata?.summary?.data ?? []).toString('utf8') || 'null'));
    expect(summaries).toEqual(expect.arrayContaining(['stage-songs plan', 'stage-events 1/15', 'transform-facts 15/15', 'transform-facts finish', 'write-dimensions 2/2', 'audit-dimensions 2/2', 'audit-dimensions finish', 'audit-facts', 'publish']));
    expect(summaries.filter((s) => s === null)).toEqual([]);
    // The run's own summary says what it loads, and where.
    const description = await h.client.workflow.getHandle(first.workflowId, first.runId).describe();
    expect(await description.staticSummary()).toBe(`sparkify-etl 2018-11: ${inputUri} → ${outputUri}`);
    // The run report's step keys are the DAG's task names.
    expect(Object.keys(first.steps).sort()).toEqual(Object.keys(SPARKIFY_DAG.tasks).sort());
    const bytes = Buffer.byteLength(JSON.stringify(history));
    expect(bytes).toBeLessThan(200_000);
    expect(JSON.stringify(history)).not.toContain(process.env.AWS_SECRET_ACCESS_KEY ?? 'no-secret-configured');
  });

  it('replaces the month on a rerun: identical contents, stale files removed, foreign files kept, nothing unchanged copied', async () => {
    const before = await snapshotLake(lake);
    // A partition an earlier run published that no current song produces, as a catalogue change would leave behind.
    const stale = 'songs/year=1999/artist_id=ARGONE0000000000/part-00000.snappy.parquet';
    await lake.put(stale, await encodeParquet(TABLES.songs, [{ song_id: 'SOGONE', title: 'Gone', duration: 1 }]));
    const manifestKey = lakeKeys.publishedFiles('songs', { year: 2018, month: 11 });
    const manifest = JSON.parse((await lake.get(manifestKey)).toString('utf8'));
    await lake.put(manifestKey, JSON.stringify({ files: { ...manifest.files, [stale]: { rows: 1, bytes: 1, sha256: 'earlier' } } }));
    // Someone else's file beside the tables: never the lake's to delete.
    await lake.put('songs/README', 'kept');

    const second = (await runMonth(h.client, h.config, { year: 2018, month: 11, input: inputUri, output: outputUri }, workflowId)).report;
    expect(second.runId).not.toBe(first.runId);
    expect(second.tables).toEqual(FIGURES);
    expect(second.staleFilesRemoved).toBe(1);
    expect(second.filesPublished).toMatchObject({ songs: 0, artists: 0, time: 0, songplays: 0 });
    expect((await lake.get('songs/README')).toString()).toBe('kept');
    // Nothing changed since the first run: song files come from the song cache, the month's logs from the kept output.
    expect(second.read).toMatchObject({ objects: 0, songFilesReused: 71, eventFilesReused: 30 });

    const after = await snapshotLake(lake);
    expect(after.dataFiles.filter((k) => k !== 'songs/README')).toEqual(before.dataFiles);
    expect(after.rows).toEqual(before.rows);
    const reports = (await listAll(lake, '_runs/year=2018/month=11/')).map((o) => o.key);
    expect(reports).toEqual(expect.arrayContaining([`_runs/year=2018/month=11/${first.runId}.json`, `_runs/year=2018/month=11/${second.runId}.json`]));
  });

  it('starts from the real temporal CLI', async () => {
    const cli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const workflowId = uniqueName('sparkify-cli');
    const cliOutput = `s3://${await createBucket(h.config, 'sparkify-cli')}/lake`;
    const address = ['--address', h.config.temporal.address];
    execFileSync(cli, [
      'workflow', 'start', ...address,
      '--task-queue', h.config.temporal.taskQueue,
      '--type', 'sparkifyEtl',
      '--workflow-id', workflowId,
      '--input', JSON.stringify({ year: 2018, month: 11, input: inputUri, output: cliOutput }),
    ]);
    const report = (await h.client.workflow.getHandle(workflowId).result()) as RunReport;
    expect(report.tables).toEqual(FIGURES);

    const shown = JSON.parse(execFileSync(cli, ['workflow', 'show', ...address, '--workflow-id', workflowId, '--output', 'json'], { encoding: 'utf8' }));
    const events: { eventType: string }[] = shown.events ?? shown;
    expect(events.map((e) => e.eventType)).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    expect((await snapshotLake(h.stores.open(cliOutput))).counts).toEqual(FIGURES);
  });
});
