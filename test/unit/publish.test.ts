import { generateDataset } from '../../lake/generate/generate';
import { dataFileKey, lakeKeys, successKey } from '../../lake/layout';
import { encodeParquet } from '../../lake/parquet/encode';
import { audit, auditPart, finishAudit } from '../../lake/steps/audit';
import { planWrite } from '../../lake/steps/write-partitions';
import { discardStaging } from '../../lake/steps/discard-staging';
import { readJsonUnder } from '../../lake/steps/staged-reader';
import type { WrittenFile, WrittenSummary } from '../../lake/steps/write-partitions';
import { listAll } from '../../lake/storage/object-store';
import { TABLES, TABLE_NAMES } from '../../lake/tables/catalog';
import { NOV_2018, songplayRow, songRecord, stepContext } from '../helpers/builders';
import { tempDir } from '../helpers/temp';
import { readColumns } from '../../lake/parquet/read-columns';
import { contentHashes } from '../helpers/observe';
import { runStepsInProcess, stageAndWrite } from '../helpers/run-steps';

const FOREIGN = { 'songs/README': 'ours, not the lake\'s', 'users/alice/notes.txt': 'notes', 'time/year=2018/month=11/other.csv': 'a,b\n1,2\n' };

describe('write, audit, publish', () => {
  const tmp = tempDir('publish');
  const input = tmp.store('input');
  const changedInput = tmp.store('input-changed');
  beforeAll(async () => {
    await generateDataset(input, { songs: 80, users: 12, events: 600, from: NOV_2018, months: 1, seed: 11 });
    await generateDataset(changedInput, { songs: 90, users: 14, events: 700, from: NOV_2018, months: 1, seed: 12 });
  });

  it('a first run into an empty folder marks it as a lake and publishes every table with _SUCCESS', async () => {
    const lake = tmp.store('first');
    const report = await runStepsInProcess(input, lake, 2018, 11);
    expect(await lake.getIfExists(lakeKeys.lakeMarker())).toBeDefined();
    for (const table of TABLE_NAMES) expect(await lake.getIfExists(successKey(table))).toBeDefined();
    expect(await listAll(lake, '_staging/')).toEqual([]);
    expect(report.filesUnchanged).toEqual({ songs: 0, artists: 0, users: 0, time: 0, songplays: 0 });
    expect(report.filesPublished.songs).toBeGreaterThan(10);
  });

  it('a second month on the same song files publishes no songs or artists file, only its own partitions and users', async () => {
    const twoMonths = tmp.store('input-two-months');
    await generateDataset(twoMonths, { songs: 60, users: 10, events: 800, from: NOV_2018, months: 2, seed: 13 });
    const lake = tmp.store('second-month');
    const november = await runStepsInProcess(twoMonths, lake, 2018, 11, 'nov');
    const songsBefore = await contentHashes(lake, 'songs/');
    const december = await runStepsInProcess(twoMonths, lake, 2018, 12, 'dec');
    expect(november.filesPublished.songs).toBeGreaterThan(10);
    expect(december.filesPublished).toEqual({ songs: 0, artists: 0, users: 1, time: 1, songplays: 1 });
    expect(december.filesUnchanged).toMatchObject({ songs: november.filesPublished.songs, artists: 1 });
    expect(await contentHashes(lake, 'songs/')).toEqual(songsBefore);
  });

  it('a rerun of unchanged input copies no file, reports every file unchanged and leaves the lake byte-identical', async () => {
    const lake = tmp.store('rerun');
    const first = await runStepsInProcess(input, lake, 2018, 11, 'r1');
    const before = await contentHashes(lake);
    const second = await runStepsInProcess(input, lake, 2018, 11, 'r2');
    expect(second.filesPublished).toEqual({ songs: 0, artists: 0, users: 1, time: 0, songplays: 0 });
    expect(second.filesUnchanged).toEqual({ ...first.filesPublished, users: 0 });
    const after = await contentHashes(lake);
    // Only the run's own report is new; every table file and every state file is as it was.
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed.sort()).toEqual(['_runs/year=2018/month=11/latest.json', '_runs/year=2018/month=11/r2.json']);
  });

  it('a run whose audit fails publishes nothing: every file byte-identical and no staging left', async () => {
    const lake = tmp.store('poisoned');
    await runStepsInProcess(input, lake, 2018, 11, 'r1');
    const before = await contentHashes(lake);

    const ctx = stepContext(changedInput, lake, { workflowId: 'in-process', runId: 'r2' });
    await stageAndWrite(ctx);
    // Poison one staged songs partition: one row more than the transform reported, all of one song_id.
    const written = await readJsonUnder<WrittenSummary>(ctx, ctx.staging.writtenPrefix());
    const file = written.find((w) => w.table === 'songs')!.files.find((f) => f.staged)!;
    const song = { song_id: 'SODUP', title: 'Twice', duration: 1 };
    await lake.put(file.staged!, await encodeParquet(TABLES.songs, Array.from({ length: file.rows + 1 }, () => song)));

    const failure = await audit(ctx, 'dimensions').catch((err: Error) => err);
    expect(failure).toMatchObject({ name: 'AuditFailed' });
    const message = (failure as Error).message;
    expect(message).toContain('songs: row count read back equals the count reported failed for 1 row(s)');
    expect(message).toContain('songs: song_id is unique failed for 1 row(s), e.g. [{"song_id":"SODUP"}]');
    // The same verdict from the fan-out form: parts read back one write part each (the write task's plan is the
    // audit's), the finish checks across them.
    const { parts } = await planWrite(ctx, 'dimensions');
    expect(parts).toBeGreaterThan(1);
    for (let part = 0; part < parts; part++) await auditPart(ctx, 'dimensions', part);
    await expect(finishAudit(ctx, 'dimensions')).rejects.toThrow(message);
    await discardStaging(ctx);

    expect(await contentHashes(lake)).toEqual(before);
  });

  it('a key repeated across two staged files of a table fails the audit', async () => {
    const lake = tmp.store('repeated-across');
    const ctx = stepContext(input, lake, { workflowId: 'wf', runId: 'across' });
    await stageAndWrite(ctx);
    const written = await readJsonUnder<WrittenSummary>(ctx, ctx.staging.writtenPrefix('dimensions'));
    const [a, b] = written.filter((w) => w.table === 'songs').flatMap((w) => w.files.filter((f) => f.staged && !f.range));
    expect(b).toBeDefined();
    // Each file keeps its row count and holds SODUP once, among keys of its own.
    const songs = (file: WrittenFile, tag: string) =>
      Array.from({ length: file.rows }, (_, i) => ({ song_id: i === 0 ? 'SODUP' : `SO${tag}${i}`, title: 't', duration: 1 }));
    await lake.put(a.staged!, await encodeParquet(TABLES.songs, songs(a, 'A')));
    await lake.put(b.staged!, await encodeParquet(TABLES.songs, songs(b, 'B')));
    const message = await audit(ctx, 'dimensions').then(() => '', (err: Error) => err.message);
    expect(message).toContain('songs: song_id is unique failed for 1 row(s), e.g. [{"song_id":"SODUP"}]');
    const { parts } = await planWrite(ctx, 'dimensions');
    for (let part = 0; part < parts; part++) await auditPart(ctx, 'dimensions', part);
    await expect(finishAudit(ctx, 'dimensions')).rejects.toThrow('songs: song_id is unique failed for 1 row(s), e.g. [{"song_id":"SODUP"}]');
    await discardStaging(ctx);
  });

  it("a facts audit names repeated songplay_ids and start_times, and songplays whose start_time or user is unknown", async () => {
    const lake = tmp.store('poisoned-facts');
    const ctx = stepContext(input, lake, { workflowId: 'wf', runId: 'facts' });
    await stageAndWrite(ctx);
    await expect(audit(ctx, 'facts')).resolves.toMatchObject({ filesRead: 2 });
    const written = await readJsonUnder<WrittenSummary>(ctx, ctx.staging.writtenPrefix('facts'));
    const staged = (table: string) => written.find((w) => w.table === table)!.files.find((f) => f.staged)!.staged!;
    const time = await readColumns(await lake.get(staged('time')), ['start_time']);
    const [t0, t1] = time.values.get('start_time') as number[];
    const play = (id: bigint, start: number, user: string) => ({ ...songplayRow(1), songplay_id: String(id), start_time: start, user_id: user });
    const known = (await readColumns(await lake.get(staged('songplays')), ['user_id'])).values.get('user_id')![0] as string;
    const plays = [play(2n ** 62n + 1n, t0, known), play(2n ** 62n + 1n, t1, known), play(7n, t0 + 1, known), play(8n, t1, 'nobody')];
    await lake.put(staged('songplays'), await encodeParquet(TABLES.songplays, plays));
    await lake.put(staged('time'), await encodeParquet(TABLES.time, [t0, t0, t1].map((start_time) => ({ start_time, hour: 0, day: 1, week: 44, weekday: 5 }))));

    const message = await audit(ctx, 'facts').then(() => '', (err: Error) => err.message);
    expect(message).toContain(`songplays: songplay_id is unique failed for 1 row(s), e.g. [{"songplay_id":"${2n ** 62n + 1n}"}]`);
    expect(message).toContain(`time: start_time is unique failed for 1 row(s), e.g. [{"start_time":${t0}}]`);
    expect(message).toContain(`songplays: every songplay's start_time is in time failed for 1 row(s), e.g. [{"songplay_id":"7","start_time":${t0 + 1},"user_id":"${known}"}]`);
    expect(message).toContain(`songplays: every songplay's user is in users failed for 1 row(s), e.g. [{"songplay_id":"8","start_time":${t1},"user_id":"nobody"}]`);
    await discardStaging(ctx);
  });

  it('removes only what the lake published and no longer produces, never files it did not write', async () => {
    const lake = tmp.store('owned');
    await runStepsInProcess(input, lake, 2018, 11, 'r1');
    for (const [key, body] of Object.entries(FOREIGN)) await lake.put(key, body);
    // A partition an earlier run published that no current song produces, as a catalogue change leaves behind.
    const gone = dataFileKey('songs', 'year=1999/artist_id=ARGONE');
    await lake.put(gone, await encodeParquet(TABLES.songs, [songRecord({ song_id: 'SOGONE' })]));
    const manifest = JSON.parse((await lake.get(lakeKeys.publishedFiles('songs', NOV_2018))).toString('utf8'));
    manifest.files[gone] = { rows: 1, bytes: 1, sha256: 'earlier' };
    manifest.inputs = 'the rows of an earlier catalogue';
    await lake.put(lakeKeys.publishedFiles('songs', NOV_2018), JSON.stringify(manifest));

    const report = await runStepsInProcess(input, lake, 2018, 11, 'r2');
    expect(report.staleFilesRemoved).toBe(1);
    expect(await lake.getIfExists(gone)).toBeUndefined();
    for (const [key, body] of Object.entries(FOREIGN)) expect((await lake.get(key)).toString()).toBe(body);
  });

  it('refuses a folder that holds other files and is not a lake, before writing anything, naming it', async () => {
    const folder = tmp.store('foreign');
    for (const [key, body] of Object.entries(FOREIGN)) await folder.put(key, body);
    const before = await contentHashes(folder);
    const failure = await runStepsInProcess(input, folder, 2018, 11).catch((err: Error) => err);
    expect(failure).toMatchObject({ name: 'OutputNotALake' });
    expect((failure as Error).message).toContain(`The output ${tmp.path('foreign')} already holds files`);
    expect(await contentHashes(folder)).toEqual(before);
  });
});
