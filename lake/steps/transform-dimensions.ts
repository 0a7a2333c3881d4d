import { createHash } from 'node:crypto';
import type { SongRecord } from '../model';
import { toNdjson } from '../ndjson';
import { buildArtists, buildSongs, chooseSongRecords, type SongRow } from '../tables/songs';
import type { SongKey } from '../tables/song-lookup';
import { latestUserStates, type UserState } from '../tables/users';
import type { StepContext } from './context';
import { dimensionRowsHash } from './dimension-rows';
import { readStagedCatalogue, type CatalogueTables, type KeptCatalogue } from './kept-catalogue';
import { readPublishedFiles } from './published-files';
import { readStaged } from './staged-reader';
import type { StagedTableFile } from './write-partitions';

export interface DimensionsResult {
  songs: number;
  artists: number;
  usersOfMonth: number;
  files: number;
}

/** Songs per staged file: bounds what one writePartitions call encodes. */
const SONGS_PER_FILE = 20_000;

export async function transformDimensions(ctx: StepContext): Promise<DimensionsResult> {
  const { kept } = await readStagedCatalogue(ctx);
  // The catalogue the lake last loaded: its plan staged the lookup, and both tables stay as published.
  const built = kept ? { songs: kept.songs.rows, artists: kept.artists.rows, files: keptTables(kept) } : await buildCatalogue(ctx);

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
 * is left as it is, the others are staged as rows for write-partitions to encode.
 */
async function buildCatalogue(ctx: StepContext): Promise<{ songs: number; artists: number; files: StagedTableFile[] }> {
  const records = await readStaged<SongRecord>(ctx, ctx.staging.stagedPrefix('songs'));
  const chosen = chooseSongRecords(records);
  const songs = buildSongs(chosen);
  const artists = buildArtists(records);

  const files: StagedTableFile[] = [];
  const songsInputs = dimensionRowsHash(songs);
  if (await unchangedSince(ctx, 'songs', songsInputs)) files.push({ table: 'songs', unchanged: true, inputs: songsInputs });
  else {
    const buckets = Math.max(1, Math.ceil(songs.length / SONGS_PER_FILE));
    const byBucket: SongRow[][] = Array.from({ length: buckets }, () => []);
    // Partitioned by artist_id, so hashing it keeps each partition in one file.
    for (const song of songs) byBucket[bucketOf(song.artist_id, buckets)].push(song);
    for (let b = 0; b < buckets; b++) {
      files.push({ table: 'songs', keys: [ctx.staging.tableRows('songs', b)], inputs: songsInputs });
      await ctx.output.put(ctx.staging.tableRows('songs', b), toNdjson(byBucket[b]));
      ctx.progress.report({ songBucketsWritten: b + 1 });
    }
  }
  const artistsInputs = dimensionRowsHash(artists);
  if (await unchangedSince(ctx, 'artists', artistsInputs)) files.push({ table: 'artists', unchanged: true, inputs: artistsInputs });
  else {
    files.push({ table: 'artists', keys: [ctx.staging.tableRows('artists', 0)], inputs: artistsInputs });
    await ctx.output.put(ctx.staging.tableRows('artists', 0), toNdjson(artists));
  }

  // Every field of a lookup entry comes from the one record kept for its song_id, never a mix of two files.
  const lookup: SongKey[] = chosen.map((s) => ({
    title: s.title,
    artist_name: s.artist_name,
    duration: s.duration,
    song_id: s.song_id,
    artist_id: s.artist_id,
  }));
  await ctx.output.put(ctx.staging.songLookup(), toNdjson(lookup));
  const tables: CatalogueTables = { songs: { inputs: songsInputs, rows: songs.length }, artists: { inputs: artistsInputs, rows: artists.length } };
  await ctx.output.put(ctx.staging.catalogueTables(), JSON.stringify(tables));
  return { songs: songs.length, artists: artists.length, files };
}

/** Whether the lake's published table was encoded from rows that hash the same: then there is nothing to write. */
async function unchangedSince(ctx: StepContext, table: 'songs' | 'artists', inputs: string): Promise<boolean> {
  return (await readPublishedFiles(ctx.output, table, ctx.month)).inputs === inputs;
}

function bucketOf(value: string, buckets: number): number {
  return createHash('md5').update(value).digest().readUInt32BE(0) % buckets;
}
