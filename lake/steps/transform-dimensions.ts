import { createHash } from 'node:crypto';
import { mapLimit, nextTurn, ROWS_PER_TURN } from '../concurrency';
import type { SongRecord } from '../model';
import { fnv1a } from '../hash';
import { fromNdjson, toNdjson } from '../ndjson';
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

/**
 * Songs per staged file: bounds what one writePartitions call encodes, and sets how evenly the songs' files spread
 * over the workers (a medium month's 100,000 songs make ten parts).
 */
const SONGS_PER_FILE = 10_000;

export async function transformDimensions(ctx: StepContext, shardBytes = CATALOGUE_SHARD_BYTES): Promise<DimensionsResult> {
  const { kept } = await readStagedCatalogue(ctx);
  // The catalogue the lake last loaded: its plan staged the lookup, and both tables stay as published.
  const built = kept ? { songs: kept.songs.rows, artists: kept.artists.rows, files: keptTables(kept) } : await buildCatalogue(ctx, shardBytes);

  // The stage batches already folded their plays to one state per user; merging those is the month's state.
  const users = latestUserStates(await readStaged<UserState>(ctx, ctx.staging.stagedPrefix('users')));
  await ctx.output.put(ctx.staging.userState(), toNdjson(users));

  await ctx.output.put(ctx.staging.tableManifest('dimensions'), JSON.stringify(built.files));
  return { songs: built.songs, artists: built.artists, usersOfMonth: users.length, files: built.files.length };
}

function keptTables(kept: KeptCatalogue): StagedTableFile[] {
  return [
    { table: 'songs', unchanged: true, inputs: kept.songs.inputs },
    { table: 'artists', unchanged: true, inputs: kept.artists.inputs },
  ];
}

/**
 * Songs, artists and the song lookup from every staged song: a table whose rows hash as the published table's did
 * is left as it is, the others are staged as rows for write-partitions to encode. Memory holds one shard of the
 * catalogue, never all of it: the staged records are split into shards by a hash of song_id (and of artist_id, for
 * artists), kept in local files when there are several, each shard is reduced to its rows sorted by key, and a merge
 * of the sorted shards gives every table in key order, as if the catalogue had been sorted whole. The shard count
 * changes where rows wait, never the output.
 */
async function buildCatalogue(ctx: StepContext, shardBytes: number): Promise<{ songs: number; artists: number; files: StagedTableFile[] }> {
  const spill = await SpillDir.open();
  try {
    const objects = await listAll(ctx.output, ctx.staging.stagedPrefix('songs'));
    const shards = Math.max(1, Math.ceil(objects.reduce((sum, o) => sum + o.size, 0) / shardBytes));
    const shardOf = shards === 1 ? () => 0 : (key: string) => fnv1a(key) % shards;
    const sink = <T>(name: string, i: number): RowShard<T> => (shards === 1 ? new HeldRows<T>() : new SpilledRows<T>(spill.fileSync(`${name}-${i}.ndjson`)));

    const records = Array.from({ length: shards }, (_, i) => sink<SongRecord>('songs', i));
    const candidates = Array.from({ length: shards }, (_, i) => sink<ArtistCandidate>('artist-candidates', i));
    // A few objects fetched at a time, so S3's latency overlaps while memory holds only those.
    for (let start = 0; start < objects.length; start += ctx.ioConcurrency) {
      const bodies = await mapLimit(objects.slice(start, start + ctx.ioConcurrency), ctx.ioConcurrency, (o) => ctx.output.get(o.key));
      for (const body of bodies) {
        for (const record of fromNdjson<SongRecord>(body)) {
          records[shardOf(record.song_id)].add(record);
          candidates[shardOf(record.artist_id)].add(artistCandidateOf(record));
        }
      }
    }
    // A shard at a time, with a turn of the event loop between shards: each is seconds of work at millions of songs.
    const chosen: RowShard<SongRecord>[] = [];
    for (const [i, shard] of records.entries()) {
      chosen.push(filled(sink<SongRecord>('songs-chosen', i), chooseSongRecords([...shard.rows()])));
      await nextTurn();
    }
    const artistRows: RowShard<ArtistRow>[] = [];
    for (const [i, shard] of candidates.entries()) {
      artistRows.push(filled(sink<ArtistRow>('artists', i), buildArtists([...shard.rows()])));
      await nextTurn();
    }

    const songs = await writeSongsAndLookup(ctx, spill, chosen);
    const artists = await writeArtists(ctx, spill, artistRows);
    const tables: CatalogueTables = { songs: { inputs: songs.inputs, rows: songs.rows }, artists: { inputs: artists.inputs, rows: artists.rows } };
    await ctx.output.put(ctx.staging.catalogueTables(), JSON.stringify(tables));
    return { songs: songs.rows, artists: artists.rows, files: [...songs.files, ...artists.files] };
  } finally {
    await spill.remove();
  }
}

/** Staged song bytes per shard of the catalogue: about 400,000 songs, a few hundred MB of a worker's memory. */
export const CATALOGUE_SHARD_BYTES = 128 << 20;

/** Rows kept for a later pass, in the order added. */
interface RowShard<T> {
  add(row: T): void;
  rows(): Iterable<T>;
  readonly count: number;
}

function filled<T>(shard: RowShard<T>, rows: T[]): RowShard<T> {
  for (const row of rows) shard.add(row);
  return shard;
}

/** The one shard of a small catalogue: in memory, as it came. */
class HeldRows<T> implements RowShard<T> {
  private readonly held: T[] = [];

  add(row: T): void {
    this.held.push(row);
  }

  rows(): Iterable<T> {
    return this.held;
  }

  get count(): number {
    return this.held.length;
  }
}

/** A shard of a large catalogue: NDJSON in a local file, read back a block at a time. */
class SpilledRows<T> implements RowShard<T> {
  private readonly writer: LineFileWriter;

  constructor(path: string) {
    this.writer = new LineFileWriter(path);
  }

  add(row: T): void {
    this.writer.add(JSON.stringify(row));
  }

  rows(): Iterable<T> {
    return readRows<T>(this.writer.close());
  }

  get count(): number {
    return this.writer.lines;
  }
}

function artistCandidateOf(record: SongRecord): ArtistCandidate {
  const { artist_id, artist_name, artist_location, artist_latitude, artist_longitude, song_id, source_key } = record;
  return { artist_id, artist_name, artist_location, artist_latitude, artist_longitude, song_id, source_key };
}

/** Artists in artist_id order from the sorted shards: their rows hash, and the rows staged unless the table is unchanged. */
async function writeArtists(ctx: StepContext, spill: SpillDir, shards: RowShard<ArtistRow>[]): Promise<{ rows: number; inputs: string; files: StagedTableFile[] }> {
  const hash = new DimensionRowsHash();
  const staged = new LineFileWriter(spill.fileSync('artists.ndjson'));
  for (const row of mergeSorted(shards.map((s) => s.rows()), (a) => a.artist_id)) {
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
 * Songs in song_id order from the chosen shards: their rows hash, the songs staged in buckets by artist_id (unless
 * the table is unchanged) and the song lookup staged.
 */
async function writeSongsAndLookup(
  ctx: StepContext,
  spill: SpillDir,
  chosen: RowShard<SongRecord>[],
): Promise<{ rows: number; inputs: string; files: StagedTableFile[] }> {
  const rows = chosen.reduce((sum, s) => sum + s.count, 0);
  const buckets = Array.from({ length: Math.max(1, Math.ceil(rows / SONGS_PER_FILE)) }, (_, b) => new LineFileWriter(spill.fileSync(`songs-bucket-${b}.ndjson`)));
  const lookup = new LineFileWriter(spill.fileSync('lookup.ndjson'));
  const hash = new DimensionRowsHash();
  let merged = 0;
  for (const s of mergeSorted(chosen.map((c) => c.rows()), (r) => r.song_id)) {
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
