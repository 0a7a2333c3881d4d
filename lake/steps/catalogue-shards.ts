/**
 * The song catalogue's shuffle: how transform-dimensions is spread over every worker. Each stage-songs part ends by
 * splitting the records it staged into catalogue shards, songs by a hash of song_id and their artists' candidates by
 * a hash of artist_id, so a shard holds every record of its song_ids and every candidate of its artist_ids whichever
 * files they came from. A transform-dimensions part then reduces one shard on its own, as Spark's shuffle hands a
 * reducer one partition of the keys.
 */
import { mapLimit } from '../concurrency';
import { fnv1a } from '../hash';
import type { SongRecord } from '../model';
import { toNdjson } from '../ndjson';
import type { ArtistCandidate } from '../tables/songs';
import type { StepContext } from './context';

/**
 * Song files per catalogue shard: what one transform-dimensions part holds in memory (about 50 MB of parsed records),
 * and enough shards at a catalogue of millions of songs (40 at two million) to keep every worker busy.
 */
export const SONGS_PER_CATALOGUE_SHARD = 50_000;

/** The shard count of a song tree of this many files; fixed by the stage plan, so every part and retry agrees. */
export function catalogueShards(songFiles: number, songsPerShard = SONGS_PER_CATALOGUE_SHARD): number {
  return Math.max(1, Math.ceil(songFiles / songsPerShard));
}

export function catalogueShardOf(key: string, shards: number): number {
  return shards === 1 ? 0 : fnv1a(key) % shards;
}

export function artistCandidateOf(record: SongRecord): ArtistCandidate {
  const { artist_id, artist_name, artist_location, artist_latitude, artist_longitude, song_id, source_key } = record;
  return { artist_id, artist_name, artist_location, artist_latitude, artist_longitude, song_id, source_key };
}

/**
 * One stage part's records, split by shard into staging: the same objects from a fresh call and from a retry, since
 * they are a function of what the part staged. A shard that gets nothing from this part gets no object.
 */
export async function writeCatalogueShards(ctx: StepContext, part: number, shards: number, records: readonly SongRecord[]): Promise<void> {
  const songs = Array.from({ length: shards }, () => [] as SongRecord[]);
  const artists = Array.from({ length: shards }, () => [] as ArtistCandidate[]);
  for (const record of records) {
    songs[catalogueShardOf(record.song_id, shards)].push(record);
    artists[catalogueShardOf(record.artist_id, shards)].push(artistCandidateOf(record));
  }
  const writes = [
    ...songs.map((rows, shard) => ({ key: ctx.staging.catalogueShard('songs', shard, part), rows })),
    ...artists.map((rows, shard) => ({ key: ctx.staging.catalogueShard('artists', shard, part), rows })),
  ].filter((w) => w.rows.length > 0);
  await mapLimit(writes, ctx.ioConcurrency, (w) => ctx.output.put(w.key, toNdjson(w.rows)));
}
