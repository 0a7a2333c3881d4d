import type { SongRecord } from '../model';

export interface SongRow {
  song_id: string;
  title: string;
  duration: number;
  year: number;
  artist_id: string;
}

export interface ArtistRow {
  artist_id: string;
  name: string;
  location: string | null;
  latitude: number | null;
  longitude: number | null;
}

const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** One record per song_id, by song_id; when song files repeat an id, the file with the smallest key wins, so reruns agree. */
export function chooseSongRecords(records: readonly SongRecord[]): SongRecord[] {
  const chosen = new Map<string, SongRecord>();
  for (const record of records) {
    const current = chosen.get(record.song_id);
    if (!current || record.source_key < current.source_key) chosen.set(record.song_id, record);
  }
  return [...chosen.values()].sort(byKey((record) => record.song_id));
}

/** A song's row, from its chosen record. */
export function songRowOf({ song_id, title, duration, year, artist_id }: SongRecord): SongRow {
  return { song_id, title, duration, year, artist_id };
}

/** What buildArtists needs of a song record: the artist, and the song_id and source_key that pick among its songs. */
export type ArtistCandidate = Pick<SongRecord, 'artist_id' | 'artist_name' | 'artist_location' | 'artist_latitude' | 'artist_longitude' | 'song_id' | 'source_key'>;

/** One row per artist_id, described by the artist's song with the smallest song_id. */
export function buildArtists(records: readonly ArtistCandidate[]): ArtistRow[] {
  const chosen = new Map<string, ArtistCandidate>();
  for (const record of records) {
    const current = chosen.get(record.artist_id);
    if (!current || record.song_id < current.song_id || (record.song_id === current.song_id && record.source_key < current.source_key)) {
      chosen.set(record.artist_id, record);
    }
  }
  return [...chosen.values()]
    .map((r) => ({
      artist_id: r.artist_id,
      name: r.artist_name,
      location: r.artist_location,
      latitude: r.artist_latitude,
      longitude: r.artist_longitude,
    }))
    .sort(byKey((row) => row.artist_id));
}
