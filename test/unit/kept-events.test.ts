/**
 * Incremental runs of a month: event logs unchanged since the last run (same key, same ETag) are neither read nor
 * encoded again, and the lake is byte for byte the one a full run of the same input makes into an empty folder.
 */
import { appendFileSync, renameSync, utimesSync } from 'node:fs';
import { compareLakes, describeDiff } from '../../bench/lake-diff';
import { generateDataset } from '../../lake/generate/generate';
import { dataFileKey, inputKeys, lakeKeys, monthPartition } from '../../lake/layout';
import { readColumns } from '../../lake/parquet/read-columns';
import { keptObjectKeys, type KeptEventsIndex } from '../../lake/steps/kept-events';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import { NOV_2018, rawEvent, rawSong, stepContext } from '../helpers/builders';
import { discardStaging } from '../../lake/steps/discard-staging';
import { planStage, stagePart } from '../../lake/steps/stage';
import { transformDimensions } from '../../lake/steps/transform-dimensions';
import { transformFacts } from '../../lake/steps/transform-facts';
import { contentHashes } from '../helpers/observe';
import { runStepsInProcess } from '../helpers/run-steps';
import { tempDir } from '../helpers/temp';

const day = (d: number) => inputKeys.eventLog(NOV_2018, d);

describe('kept event logs', () => {
  const tmp = tempDir('kept-events', 'each');
  const input = () => tmp.store('input');
  const run = (lake: ObjectStore, runId: string) => runStepsInProcess(input(), lake, NOV_2018.year, NOV_2018.month, runId);
  /** The lake a full run of the input as it is now makes in an empty folder, against `lake`. */
  const againstFullRun = async (lake: ObjectStore, name: string) => {
    await run(tmp.store(name), 'full');
    return describeDiff(await compareLakes(tmp.store(name), lake));
  };
  const keptIndex = async (lake: ObjectStore) => JSON.parse((await lake.get(lakeKeys.keptEventsIndex(NOV_2018))).toString()) as KeptEventsIndex;

  beforeEach(() => generateDataset(input(), { songs: 200, users: 20, events: 4_000, from: NOV_2018, months: 1, seed: 21 }));

  it("a daily run reads and encodes only the new day's log, and its lake is the full run's byte for byte", async () => {
    const lake = tmp.store('lake');
    // The night before: the 28th is not there yet. Moved away and back, it keeps its ETag (size and mtime).
    renameSync(tmp.path('input', day(28)), tmp.path('day-28.json'));
    const before = await run(lake, 'r1');
    expect(before.read).toMatchObject({ objects: 200 + 29, eventFilesReused: 0 });
    renameSync(tmp.path('day-28.json'), tmp.path('input', day(28)));

    const daily = await run(lake, 'r2');
    expect(daily.read).toMatchObject({ objects: 1, songFilesReused: 200, eventFilesReused: 29 });
    expect(daily.tables.songplays).toBeGreaterThan(before.tables.songplays);
    expect(await againstFullRun(lake, 'full')).toMatch(/^identical/);
    // Every log kept once: nothing of the first run's is left beside the index.
    const index = await keptIndex(lake);
    expect(Object.keys(index.files)).toHaveLength(30);
    const named = new Set(Object.values(index.files).flatMap(keptObjectKeys));
    const held = (await listAll(lake, lakeKeys.keptEventsPrefix(NOV_2018))).map((o) => o.key);
    expect(held.filter((k) => !named.has(k))).toEqual([lakeKeys.keptEventsIndex(NOV_2018)]);
  });

  it('a log that changed is read again, one that is gone is forgotten, and quarantine follows the input', async () => {
    const lake = tmp.store('lake');
    await run(lake, 'r1');
    appendFileSync(tmp.path('input', day(5)), `${JSON.stringify(rawEvent({ ts: Date.UTC(2018, 10, 5, 12), userId: '7' }))}\nnot json\n`);
    const gone = (await keptIndex(lake)).files[day(9)];
    await input().deleteMany([day(9)]);

    const again = await run(lake, 'r2');
    expect(again.read).toMatchObject({ objects: 1, eventFilesReused: 28 });
    expect(again.quarantined.byReason['invalid-json']).toBeGreaterThanOrEqual(1);
    expect(await againstFullRun(lake, 'full')).toMatch(/^identical/);
    const index = await keptIndex(lake);
    expect(index.files[day(9)]).toBeUndefined();
    expect(await lake.getIfExists(gone.startTimes)).toBeUndefined();
  });

  it('a new song in the catalogue joins kept logs again, from the input, to the same lake as a full run', async () => {
    const lake = tmp.store('lake');
    const first = await run(lake, 'r1');
    // A song that a play of the month names: every log's songplays were joined with the old lookup.
    const play = JSON.parse((await input().get(day(3))).toString().split('\n').find((l) => l.includes('NextSong'))!);
    await input().put(
      'song_data/Z/Z/Z/TRZZZ.json',
      JSON.stringify(rawSong({ song_id: 'SOZZZZZ12A8C13ZZZZ', title: play.song, artist_name: play.artist, duration: play.length, artist_id: 'ARZZZZZ1187B9ZZZZZ' })),
    );
    const again = await run(lake, 'r2');
    // The new song file is read; the 30 kept logs are read again by transform-facts, their staging still kept.
    expect(again.read).toMatchObject({ objects: 1 + 30, songFilesReused: 200, eventFilesReused: 30 });
    expect(again.songplaysWithSong).toBeGreaterThan(first.songplaysWithSong);
    expect(await againstFullRun(lake, 'full')).toMatch(/^identical/);
    const lookups = new Set(Object.values((await keptIndex(lake)).files).map((f) => f.lookup));
    expect(lookups.size).toBe(1);
  });

  it('a kept log that changes while the run joins it again fails the run, naming the log, and leaves the lake as it was', async () => {
    const lake = tmp.store('lake');
    await run(lake, 'r1');
    const before = await contentHashes(lake);
    await input().put('song_data/Z/Z/Z/TRZZZ.json', JSON.stringify(rawSong({ song_id: 'SOZZZZZ12A8C13ZZZZ', artist_id: 'ARZZZZZ1187B9ZZZZZ' })));
    const ctx = stepContext(input(), lake, { runId: 'r2' });
    for (const source of ['songs', 'events'] as const) {
      const { parts } = await planStage(ctx, source);
      for (let part = 0; part < parts; part++) await stagePart(ctx, source, part);
    }
    await transformDimensions(ctx);
    appendFileSync(tmp.path('input', day(3)), `${JSON.stringify(rawEvent({ ts: Date.UTC(2018, 10, 3, 9) }))}\n`);
    const failure = await transformFacts(ctx).catch((err: Error) => err);
    expect(failure).toMatchObject({ name: 'InputError' });
    expect((failure as Error).message).toContain(`${day(3)} changed while the run was loading it`);
    await discardStaging(ctx);
    expect(await contentHashes(lake)).toEqual(before);
  });

  it('a run whose song catalogue is unchanged encodes no songs or artists file and leaves those tables as they are', async () => {
    const lake = tmp.store('lake');
    const first = await run(lake, 'r1');
    const dimensions = async (runId: string) => {
      const ctx = stepContext(input(), lake, { runId });
      for (let part = 0, { parts } = await planStage(ctx, 'songs'); part < parts; part++) await stagePart(ctx, 'songs', part);
      for (let part = 0, { parts } = await planStage(ctx, 'events'); part < parts; part++) await stagePart(ctx, 'events', part);
      await transformDimensions(ctx);
      const manifest = JSON.parse((await lake.get(ctx.staging.tableManifest('dimensions'))).toString()) as { table: string; unchanged?: true }[];
      await discardStaging(ctx);
      return manifest.map((f) => `${f.table}${f.unchanged ? ' unchanged' : ''}`);
    };
    // A song file touched: the catalogue lists anew and is staged again, but its rows are the ones published.
    const touched = (await listAll(input(), 'song_data/'))[0].key;
    utimesSync(tmp.path('input', touched), new Date(2030, 0, 1), new Date(2030, 0, 1));
    expect(await dimensions('r2')).toEqual(['songs unchanged', 'artists unchanged']);
    const again = await run(lake, 'r2');
    expect(again.filesPublished).toMatchObject({ songs: 0, artists: 0 });
    expect(again.filesUnchanged).toMatchObject({ songs: first.filesPublished.songs, artists: 1 });
    expect(again.tables).toEqual(first.tables);

    // One more song: songs and artists are rebuilt (and the partitions whose bytes did not change left alone).
    await input().put('song_data/Z/Z/Z/TRZZZ.json', JSON.stringify(rawSong({ song_id: 'SOZZZZZ12A8C13ZZZZ', artist_id: 'ARZZZZZ1187B9ZZZZZ' })));
    expect(await dimensions('r3')).toEqual(['songs', 'artists']);
    const changed = await run(lake, 'r3');
    expect(changed.tables.songs).toBe(first.tables.songs + 1);
    expect(await againstFullRun(lake, 'full')).toMatch(/^identical/);
  });

  it('time is assembled from each log\'s rows while the logs follow one another, and merged whole once they overlap', async () => {
    const lake = tmp.store('lake');
    const inOrder = await run(lake, 'r1');
    const timeRows = async () => {
      const file = await lake.get(dataFileKey('time', monthPartition(NOV_2018)));
      return (await readColumns(file, ['start_time'])).values.get('start_time') as number[];
    };
    const assembled = await timeRows();
    expect(assembled).toHaveLength(inOrder.tables.time);
    expect(assembled).toEqual([...new Set(assembled)].sort((a, b) => a - b));

    // A play of the 20th logged in the 3rd's file: the logs' start times overlap.
    appendFileSync(tmp.path('input', day(3)), `${JSON.stringify(rawEvent({ ts: Date.UTC(2018, 10, 20, 8, 0, 0, 123), userId: '7' }))}\n`);
    const overlapping = await run(lake, 'r2');
    expect(overlapping.read).toMatchObject({ objects: 1, eventFilesReused: 29 });
    expect(overlapping.tables.time).toBe(inOrder.tables.time + 1);
    const merged = await timeRows();
    expect(merged).toEqual([...assembled, Date.UTC(2018, 10, 20, 8, 0, 0, 123)].sort((a, b) => a - b));
    expect(await againstFullRun(lake, 'full')).toMatch(/^identical/);
  });
});
