import { MAX_PARTITION_SEGMENT_BYTES, inputKeys, lakeKeys, oversizedPartitionSegment } from '../../lake/layout';
import { fromNdjson } from '../../lake/ndjson';
import type { QuarantineRecord, SongRecord } from '../../lake/model';
import { planStage, stagePart } from '../../lake/steps/stage';
import { readStaged } from '../../lake/steps/staged-reader';
import { listAll } from '../../lake/storage/object-store';
import { TABLES } from '../../lake/tables/catalog';
import { NOV_2018, rawEvent, rawSong, stepContext } from '../helpers/builders';
import { tempDir } from '../helpers/temp';
import { runStepsInProcess } from '../helpers/run-steps';

const LONG_ARTIST = `AR${'X'.repeat(298)}`;

describe('a song whose partition folder no store can hold', () => {
  it('is measured after Spark escaping, at the 255-byte folder-name limit', () => {
    const fits = 'A'.repeat(MAX_PARTITION_SEGMENT_BYTES - 'artist_id='.length);
    expect(oversizedPartitionSegment(TABLES.songs, { year: 2000, artist_id: fits })).toBeUndefined();
    expect(oversizedPartitionSegment(TABLES.songs, { year: 2000, artist_id: `${fits}A` })).toEqual({ segment: `artist_id=${fits}A`, bytes: 256 });
    // 100 characters, 300 bytes once each ':' is written %3A.
    expect(oversizedPartitionSegment(TABLES.songs, { year: 2000, artist_id: ':'.repeat(100) })?.bytes).toBe(310);
    // Multi-byte characters count in bytes, as the file system counts them.
    expect(oversizedPartitionSegment(TABLES.songs, { year: 2000, artist_id: 'é'.repeat(123) })?.bytes).toBe(256);
    expect(oversizedPartitionSegment(TABLES.artists, { artist_id: LONG_ARTIST })).toBeUndefined();
  });

  const lake = tempDir('long-partition', 'each');

  async function writeInput(): Promise<void> {
    const input = lake.store('input');
    await input.put('song_data/A/A/A/TRAAA01.json', JSON.stringify(rawSong({ song_id: 'SOFITS1', artist_id: 'ARFITS', title: 'Fits' })));
    await input.put('song_data/A/A/B/TRAAB01.json', JSON.stringify(rawSong({ song_id: 'SOFITS2', artist_id: 'ARFITS2', title: 'Fits too' })));
    await input.put('song_data/A/A/C/TRAAC01.json', JSON.stringify(rawSong({ song_id: 'SOLONG', artist_id: LONG_ARTIST, title: 'Too Long' })));
    const plays = [
      rawEvent({ song: 'Fits', artist: 'Casual', length: 218.93179, ts: Date.UTC(2018, 10, 2) }),
      rawEvent({ song: 'Too Long', artist: 'Casual', length: 218.93179, ts: Date.UTC(2018, 10, 3) }),
    ];
    await input.put(inputKeys.eventLog(NOV_2018, 2), plays.map((p) => JSON.stringify(p)).join('\n'));
  }

  it('is quarantined at stage with its reason and source key while the other songs load', async () => {
    await writeInput();
    const ctx = stepContext(lake.store('input'), lake.store('lake'));
    await planStage(ctx, 'songs');
    const result = await stagePart(ctx, 'songs', 0);
    expect(result.records).toBe(2);
    expect(result.quarantined).toEqual({ 'partition-value-too-long': 1 });
    const staged = await readStaged<SongRecord>(ctx, ctx.staging.stagedPrefix('songs'));
    expect(staged.map((s) => s.song_id).sort()).toEqual(['SOFITS1', 'SOFITS2']);
    const [rejected] = await readStaged<QuarantineRecord>(ctx, ctx.staging.quarantinePrefix('songs'));
    expect(rejected).toMatchObject({ source_key: 'song_data/A/A/C/TRAAC01.json', line: null, reason: 'partition-value-too-long' });
    expect(rejected.detail).toContain('310 bytes, over the limit of 255 bytes');
    expect(rejected.raw).toContain(LONG_ARTIST);
  });

  it('leaves the whole in-process run to succeed, the song and its artist out of the tables', async () => {
    await writeInput();
    const output = lake.store('lake');
    const report = await runStepsInProcess(lake.store('input'), output, 2018, 11);
    expect(report.quarantined.byReason).toEqual({ 'partition-value-too-long': 1 });
    expect(report.tables.songs).toBe(2);
    expect(report.tables.artists).toBe(2);
    expect(report.tables.songplays).toBe(2);
    expect(report.songplaysWithSong).toBe(1);
    const keys = (await listAll(output, 'songs/')).map((o) => o.key);
    expect(keys.some((k) => k.includes('ARXXX'))).toBe(false);
    const quarantine = fromNdjson<QuarantineRecord>(await output.get(lakeKeys.songQuarantine()));
    expect(quarantine.map((r) => [r.source_key, r.reason])).toEqual([['song_data/A/A/C/TRAAC01.json', 'partition-value-too-long']]);
  });
});
