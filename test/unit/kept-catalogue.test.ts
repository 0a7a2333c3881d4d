/**
 * The kept song catalogue: a run whose song tree lists exactly as the lake last loaded it stages no song file, and
 * the lake is the one a run that staged them all would leave; anything the kept record names that is no longer in
 * place, or a file that cannot be read, makes the run stage the tree again.
 */
import { symlinkSync } from 'node:fs';
import { compareLakes, describeDiff } from '../../bench/lake-diff';
import { runReportText } from '../../cli/report-text';
import { generateDataset } from '../../lake/generate/generate';
import { lakeKeys } from '../../lake/layout';
import { discardStaging } from '../../lake/steps/discard-staging';
import { planStage } from '../../lake/steps/stage';
import type { ObjectStore } from '../../lake/storage/object-store';
import { NOV_2018, stepContext } from '../helpers/builders';
import { contentHashes } from '../helpers/observe';
import { runStepsInProcess } from '../helpers/run-steps';
import { tempDir } from '../helpers/temp';

describe('kept song catalogue', () => {
  const tmp = tempDir('kept-catalogue', 'each');
  const input = () => tmp.store('input');
  const run = (lake: ObjectStore, runId: string) => runStepsInProcess(input(), lake, NOV_2018.year, NOV_2018.month, runId);
  /** How many parts the songs' plan makes of the tree for the lake as it is: 0 when the kept catalogue is taken. */
  const songParts = async (lake: ObjectStore) => {
    const ctx = stepContext(input(), lake, { runId: 'probe' });
    const { parts } = await planStage(ctx, 'songs');
    await discardStaging(ctx);
    return parts;
  };
  const lakeTables = async (lake: ObjectStore) =>
    Object.fromEntries(Object.entries(await contentHashes(lake)).filter(([key]) => !key.startsWith('_runs/')));

  beforeEach(async () => {
    await generateDataset(input(), { songs: 200, users: 20, events: 2_000, from: NOV_2018, months: 1, seed: 33 });
    await input().put('song_data/Q/Q/Q/TRBROKEN.json', '{"song_id": "SOBROKEN", ');
  });

  it('a song tree that lists as the kept one is not staged, and the lake is the one a run staging every song leaves', async () => {
    const lake = tmp.store('lake');
    const first = await run(lake, 'r1');
    expect(first.quarantined.bySource.songs).toBe(1);
    expect(await lake.getIfExists(lakeKeys.keptCatalogue())).toBeDefined();
    const before = await lakeTables(lake);

    expect(await songParts(lake)).toBe(0);
    const again = await run(lake, 'r2');
    expect(first.read.songCatalogueKept).toBe(false);
    expect(again.read).toMatchObject({ objects: 0, songFilesReused: 201, songCatalogueKept: true });
    expect(runReportText(again)).toContain('201 song files (the kept catalogue: none staged) and 30 event logs reused');
    expect(again.tables).toEqual(first.tables);
    expect(again.quarantined).toEqual(first.quarantined);
    expect(again.filesPublished).toMatchObject({ songs: 0, artists: 0 });
    expect(await lakeTables(lake)).toEqual(before);

    await run(tmp.store('full'), 'full');
    expect(describeDiff(await compareLakes(tmp.store('full'), lake))).toMatch(/^identical/);
  });

  it('a kept lookup, quarantine or table that is no longer the one the catalogue made has the tree staged again', async () => {
    const lake = tmp.store('lake');
    const first = await run(lake, 'r1');
    const tampered: [string, string, (body: Buffer) => Buffer][] = [
      ['the lookup (a publish cut short before the record)', lakeKeys.keptSongLookup(), (b) => Buffer.concat([b, Buffer.from('{}\n')])],
      ['the songs quarantine', lakeKeys.songQuarantine(), () => Buffer.from('')],
      ['the songs table', lakeKeys.publishedFiles('songs', NOV_2018), (b) => Buffer.from(b.toString().replace(/"inputs":"[0-9a-f]+"/, '"inputs":"other"'))],
      ['the dimensions encoding', lakeKeys.keptCatalogue(), (b) => Buffer.from(b.toString().replace(/"dimensions":\d+/, '"dimensions":0'))],
    ];
    for (const [n, [what, key, change]] of tampered.entries()) {
      await lake.put(key, change(await lake.get(key)));
      expect([what, (await songParts(lake)) > 0]).toEqual([what, true]);
      // A run stages the tree again and keeps the catalogue anew.
      const report = await run(lake, `after-${n}`);
      expect(report.tables).toEqual(first.tables);
      expect(await songParts(lake)).toBe(0);
    }
  });

  it('a song file that cannot be read has the tree staged every run, as the song cache looks at it again', async () => {
    const lake = tmp.store('lake');
    symlinkSync(tmp.path('nowhere.json'), tmp.path('input', 'song_data', 'Q', 'Q', 'Q', 'TRDANGLING.json'));
    const first = await run(lake, 'r1');
    expect(first.quarantined.byReason).toMatchObject({ unreadable: 1 });
    expect(await songParts(lake)).toBeGreaterThan(0);
    const again = await run(lake, 'r2');
    expect(again.quarantined.byReason).toMatchObject({ unreadable: 1 });
    expect(await songParts(lake)).toBeGreaterThan(0);
  });
});
