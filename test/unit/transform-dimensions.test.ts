/**
 * transform-dimensions holds one shard of the catalogue at a time: whatever the number of shards, what it stages
 * (songs in buckets, artists, the song lookup, the tables' row hashes) is byte for byte what one shard in memory
 * stages, including songs repeated across files and artists described by more than one song.
 */
import { planStage, stagePart } from '../../lake/steps/stage';
import { transformDimensions } from '../../lake/steps/transform-dimensions';
import type { StagedTableFile } from '../../lake/steps/write-partitions';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import { rawSong, stepContext } from '../helpers/builders';
import { tempDir } from '../helpers/temp';

describe('transformDimensions in shards', () => {
  const tmp = tempDir('transform-dimensions');

  /** 600 song files: ids repeated across files with other artists, artists with many songs, non-ASCII text. */
  async function songTree(input: ObjectStore): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const id = `SO${String(i % 450).padStart(5, '0')}`;
      const artist = `AR${String((i * 7) % 130).padStart(4, '0')}`;
      const body = rawSong({ song_id: id, artist_id: artist, artist_name: `Ärtist ${artist} ${i % 3}`, title: `Tïtle ${i % 40}`, duration: 100 + (i % 50), year: 1990 + (i % 20) });
      await input.put(`song_data/${String.fromCharCode(65 + (i % 26))}/X/Y/TR${String(i).padStart(6, '0')}.json`, JSON.stringify(body));
    }
  }

  /** What the step staged for write-dimensions and transform-facts, by key relative to the run's staging. */
  async function stagedCatalogue(output: ObjectStore, runId: string, shardBytes: number): Promise<Record<string, string>> {
    const ctx = stepContext(tmp.store('input'), output, { runId });
    const { parts } = await planStage(ctx, 'songs');
    for (let part = 0; part < parts; part++) await stagePart(ctx, 'songs', part);
    const result = await transformDimensions(ctx, shardBytes);
    expect(result).toMatchObject({ songs: 450, artists: 130 });
    const manifest = JSON.parse((await output.get(ctx.staging.tableManifest('dimensions'))).toString()) as StagedTableFile[];
    const keys = [ctx.staging.songLookup(), ctx.staging.catalogueTables(), ...manifest.flatMap((f) => ('keys' in f ? f.keys : []))];
    const bodies: Record<string, string> = { manifest: JSON.stringify(manifest).replaceAll(runId, 'RUN') };
    for (const key of keys) bodies[key.replaceAll(runId, 'RUN')] = (await output.get(key)).toString();
    return bodies;
  }

  it('stages the same bytes from one shard in memory and from many spilled to disk', async () => {
    await songTree(tmp.store('input'));
    const output = tmp.store('lake');
    const whole = await stagedCatalogue(output, 'one', Number.MAX_SAFE_INTEGER);
    const staged = await listAll(output, '_staging/');
    const stagedSongBytes = staged.filter((o) => o.key.includes('/one/') && o.key.includes('songs')).reduce((sum, o) => sum + o.size, 0);
    expect(stagedSongBytes).toBeGreaterThan(50_000);
    // About ten shards of the staged records.
    const sharded = await stagedCatalogue(output, 'many', 10_000);

    expect(Object.keys(whole)).toHaveLength(5);
    expect(sharded).toEqual(whole);
    const lookup = whole[Object.keys(whole).find((k) => k.includes('lookup'))!].trim().split('\n').map((l) => JSON.parse(l) as { song_id: string });
    expect(lookup.map((s) => s.song_id)).toEqual([...lookup.map((s) => s.song_id)].sort());
    expect(new Set(lookup.map((s) => s.song_id)).size).toBe(450);
  });
});
