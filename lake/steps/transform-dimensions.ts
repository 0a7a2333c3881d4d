import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { mapLimit, nextTurn, ROWS_PER_TURN } from '../concurrency';
import { stagingBudget } from '../memory-budget';
import type { SongRecord } from '../model';
import { toNdjson } from '../ndjson';
import { LineFileWriter, mergeSorted, readRows } from '../spill/line-file';
import { SpillDir } from '../spill/spill-dir';
import { listAll } from '../storage/object-store';
import { buildArtists, chooseSongRecords, type ArtistCandidate, type ArtistRow, songRowOf } from '../tables/songs';
import type { SongKey } from '../tables/song-lookup';
import { latestUserStates, type UserState } from '../tables/users';
import type { StepContext } from './context';
import { DimensionRowsHash } from './dimension-rows';
import { readStagedCatalogue, type CatalogueTables, type KeptCatalogue } from './kept-catalogue';
import { readPublishedInputs } from './published-files';
import { readStaged } from './staged-reader';
import type { StagedTableFile } from './write-partitions';

export interface DimensionsResult {
  songs: number;
  artists: number;
  usersOfMonth: number;
  files: number;
}

/** What one part made of its catalogue shard. */
export interface CatalogueShardResult {
  shard: number;
  songs: number;
  artists: number;
}

/** Songs per staged file: bounds what one writePartitions call encodes. */
const SONGS_PER_FILE = 20_000;

/**
 * transform-dimensions, as a fan-out over the catalogue's shards (see catalogue-shards.ts). Each part, on any
 * worker, reduces one shard: a record per song_id and a row per artist_id, each sorted by its key. The finish merges
 * the sorted shards (a k-way merge holding a row per shard), which gives every table in key order as if the catalogue
 * had been reduced whole: the shard count changes who does the work, never the output. It hashes each table's rows
 * (a table that hashes as its published one is left as it is), stages songs in buckets for write-dimensions, the song
 * lookup for transform-facts, and the month's users. A run that took the kept catalogue has no parts.
 */
export async function planDimensions(ctx: StepContext): Promise<{ parts: number }> {
  const { kept, shards } = await readStagedCatalogue(ctx);
  return { parts: kept ? 0 : shards };
}

export async function reduceCatalogueShard(ctx: StepContext, shard: number): Promise<CatalogueShardResult> {
  const songObjects = await listAll(ctx.output, ctx.staging.catalogueShardPrefix('songs', shard));
  const artistObjects = await listAll(ctx.output, ctx.staging.catalogueShardPrefix('artists', shard));
  const bytes = [...songObjects, ...artistObjects].reduce((sum, o) => sum + o.size, 0);
  // Admitted by its staged bytes, like a stage batch: a worker reduces as many shards at once as its memory allows.
  return stagingBudget.use(bytes, async () => {
    const songs = chooseSongRecords(await readStaged<SongRecord>(ctx, songObjects));
    await ctx.output.put(ctx.staging.catalogueReduced('songs', shard), toNdjson(songs));
    const artists = buildArtists(await readStaged<ArtistCandidate>(ctx, artistObjects));
    await ctx.output.put(ctx.staging.catalogueReduced('artists', shard), toNdjson(artists));
    return { shard, songs: songs.length, artists: artists.length };
  });
}

export async function finishDimensions(ctx: StepContext): Promise<DimensionsResult> {
  const { kept, shards } = await readStagedCatalogue(ctx);
  // The catalogue the lake last loaded: its plan staged the lookup, and both tables stay as published.
  const built = kept ? { songs: kept.songs.rows, artists: kept.artists.rows, files: keptTables(kept) } : await mergeCatalogue(ctx, shards);

  // The stage batches already folded their plays to one state per user; merging those is the month's state.
  const users = latestUserStates(await readStaged<UserState>(ctx, ctx.staging.stagedPrefix('users')));
  await ctx.output.put(ctx.staging.userState(), toNdjson(users));

  await ctx.output.put(ctx.staging.tableManifest('dimensions'), JSON.stringify(built.files));
  return { songs: built.songs, artists: built.artists, usersOfMonth: users.length, files: built.files.length };
}

/** Every phase in this process, in order: what the DAG's fan-out does, without Temporal. */
export async function transformDimensions(ctx: StepContext): Promise<DimensionsResult> {
  const { parts } = await planDimensions(ctx);
  for (let shard = 0; shard < parts; shard++) await reduceCatalogueShard(ctx, shard);
  return finishDimensions(ctx);
}

function keptTables(kept: KeptCatalogue): StagedTableFile[] {
  return [
    { table: 'songs', unchanged: true, inputs: kept.songs.inputs },
    { table: 'artists', unchanged: true, inputs: kept.artists.inputs },
  ];
}

/**
 * Songs, artists and the song lookup from the reduced shards, each brought to local disk and read a line at a time:
 * memory holds a row per shard, whatever the catalogue's size.
 */
async function mergeCatalogue(ctx: StepContext, shards: number): Promise<{ songs: number; artists: number; files: StagedTableFile[] }> {
  const spill = await SpillDir.open();
  try {
    const local = (kind: 'songs' | 'artists') =>
      mapLimit(Array.from({ length: shards }, (_, shard) => shard), ctx.ioConcurrency, (shard) =>
        download(ctx, ctx.staging.catalogueReduced(kind, shard), spill.fileSync(`${kind}-${shard}.ndjson`)),
      );
    const songs = await writeSongsAndLookup(ctx, spill, await local('songs'));
    const artists = await writeArtists(ctx, spill, (await local('artists')).map((f) => f.path));
    const tables: CatalogueTables = { songs: { inputs: songs.inputs, rows: songs.rows }, artists: { inputs: artists.inputs, rows: artists.rows } };
    await ctx.output.put(ctx.staging.catalogueTables(), JSON.stringify(tables));
    return { songs: songs.rows, artists: artists.rows, files: [...songs.files, ...artists.files] };
  } finally {
    await spill.remove();
  }
}

/** A staged NDJSON object copied to a local file, its lines counted on the way. */
async function download(ctx: StepContext, key: string, path: string): Promise<{ path: string; lines: number }> {
  let lines = 0;
  const counting = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++;
      yield chunk;
    }
  };
  await pipeline(await ctx.output.getStream(key), counting, createWriteStream(path));
  return { path, lines };
}

/** Artists in artist_id order from the sorted shards: their rows hash, and the rows staged unless the table is unchanged. */
async function writeArtists(ctx: StepContext, spill: SpillDir, shards: string[]): Promise<{ rows: number; inputs: string; files: StagedTableFile[] }> {
  const hash = new DimensionRowsHash();
  const staged = new LineFileWriter(spill.fileSync('artists.ndjson'));
  for (const row of mergeSorted(shards.map((path) => readRows<ArtistRow>(path)), (a) => a.artist_id)) {
    hash.add(row);
    staged.add(JSON.stringify(row));
    if (staged.lines % ROWS_PER_TURN === 0) await nextTurn();
  }
  staged.close();
  const inputs = hash.digest();
  if (await unchangedSince(ctx, 'artists', inputs)) return { rows: staged.lines, inputs, files: [{ table: 'artists', unchanged: true, inputs }] };
  await ctx.output.putFile(ctx.staging.tableRows('artists', 0), staged.path);
  return { rows: staged.lines, inputs, files: [{ table: 'artists', keys: [ctx.staging.tableRows('artists', 0)], inputs }] };
}

/**
 * Songs in song_id order from the reduced shards: their rows hash, the songs staged in buckets by artist_id (unless
 * the table is unchanged) and the song lookup staged.
 */
async function writeSongsAndLookup(
  ctx: StepContext,
  spill: SpillDir,
  shards: { path: string; lines: number }[],
): Promise<{ rows: number; inputs: string; files: StagedTableFile[] }> {
  const rows = shards.reduce((sum, s) => sum + s.lines, 0);
  const buckets = Array.from({ length: Math.max(1, Math.ceil(rows / SONGS_PER_FILE)) }, (_, b) => new LineFileWriter(spill.fileSync(`songs-bucket-${b}.ndjson`)));
  const lookup = new LineFileWriter(spill.fileSync('lookup.ndjson'));
  const hash = new DimensionRowsHash();
  let merged = 0;
  for (const s of mergeSorted(shards.map((shard) => readRows<SongRecord>(shard.path)), (r) => r.song_id)) {
    const song = songRowOf(s);
    hash.add(song);
    // Partitioned by artist_id, so hashing it keeps each partition in one file.
    buckets[bucketOf(song.artist_id, buckets.length)].add(JSON.stringify(song));
    // Every field of a lookup entry comes from the one record kept for its song_id, never a mix of two files.
    const key: SongKey = { title: s.title, artist_name: s.artist_name, duration: s.duration, song_id: s.song_id, artist_id: s.artist_id };
    lookup.add(JSON.stringify(key));
    if (++merged % ROWS_PER_TURN === 0) await nextTurn();
  }
  for (const bucket of buckets) bucket.close();
  await ctx.output.putFile(ctx.staging.songLookup(), lookup.close());

  const inputs = hash.digest();
  if (await unchangedSince(ctx, 'songs', inputs)) return { rows, inputs, files: [{ table: 'songs', unchanged: true, inputs }] };
  const files: StagedTableFile[] = [];
  for (const [b, bucket] of buckets.entries()) {
    files.push({ table: 'songs', keys: [ctx.staging.tableRows('songs', b)], inputs });
    await ctx.output.putFile(ctx.staging.tableRows('songs', b), bucket.path);
    ctx.progress.report({ songBucketsWritten: b + 1 });
  }
  return { rows, inputs, files };
}

/** Whether the lake's published table was encoded from rows that hash the same: then there is nothing to write. */
async function unchangedSince(ctx: StepContext, table: 'songs' | 'artists', inputs: string): Promise<boolean> {
  return (await readPublishedInputs(ctx.output, table, ctx.month)) === inputs;
}

function bucketOf(value: string, buckets: number): number {
  return createHash('md5').update(value).digest().readUInt32BE(0) % buckets;
}
