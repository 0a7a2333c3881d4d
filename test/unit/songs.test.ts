import { buildArtists, chooseSongRecords, songRowOf } from '../../lake/tables/songs';
import type { SongRecord } from '../../lake/model';
import { songRecord } from '../helpers/builders';

const record = songRecord;

/** The songs table's rows as transform-dimensions makes them: one chosen record per song_id, as a row. */
const buildSongs = (records: SongRecord[]) => chooseSongRecords(records).map(songRowOf);

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('buildSongs', () => {
  it('keeps the song columns only, one row per song, sorted by song_id', () => {
    const rows = buildSongs([
      record({ song_id: 'SOC', title: 'C', year: 0 }),
      record({ song_id: 'SOA', title: 'A' }),
      record({ song_id: 'SOB', title: 'B', artist_id: 'ARB' }),
    ]);
    expect(rows).toEqual([
      { song_id: 'SOA', title: 'A', duration: 100.5, year: 2000, artist_id: 'ARA' },
      { song_id: 'SOB', title: 'B', duration: 100.5, year: 2000, artist_id: 'ARB' },
      { song_id: 'SOC', title: 'C', duration: 100.5, year: 0, artist_id: 'ARA' },
    ]);
  });

  it('takes a repeated song_id from the file with the smallest source key, whatever the input order', () => {
    const records = [
      record({ song_id: 'SOX', title: 'from B', source_key: 'song_data/B/x.json' }),
      record({ song_id: 'SOX', title: 'from A', source_key: 'song_data/A/x.json', duration: 1 }),
      record({ song_id: 'SOX', title: 'from C', source_key: 'song_data/C/x.json' }),
      record({ song_id: 'SOY', title: 'only', source_key: 'song_data/Z/y.json' }),
    ];
    for (const order of permutations(records)) {
      expect(buildSongs(order)).toEqual([
        { song_id: 'SOX', title: 'from A', duration: 1, year: 2000, artist_id: 'ARA' },
        { song_id: 'SOY', title: 'only', duration: 100.5, year: 2000, artist_id: 'ARA' },
      ]);
    }
  });

  it('is empty for no records', () => {
    expect(buildSongs([])).toEqual([]);
  });
});

describe('buildArtists', () => {
  it('keeps one row per artist described by its song with the smallest song_id, sorted by artist_id', () => {
    const records = [
      record({ song_id: 'SO2', artist_id: 'ARZ', artist_name: 'Zed (later name)', artist_location: 'Berlin' }),
      record({ song_id: 'SO1', artist_id: 'ARZ', artist_name: 'Zed', artist_location: null, artist_latitude: null, artist_longitude: null }),
      record({ song_id: 'SO3', artist_id: 'ARA', artist_name: 'Ay', artist_location: '', artist_latitude: 0, artist_longitude: 0 }),
    ];
    for (const order of permutations(records)) {
      expect(buildArtists(order)).toEqual([
        { artist_id: 'ARA', name: 'Ay', location: '', latitude: 0, longitude: 0 },
        { artist_id: 'ARZ', name: 'Zed', location: null, latitude: null, longitude: null },
      ]);
    }
  });

  it('breaks a song_id tie by the smallest source key', () => {
    const records = [
      record({ song_id: 'SO1', artist_name: 'second', source_key: 'b.json' }),
      record({ song_id: 'SO1', artist_name: 'first', source_key: 'a.json' }),
      record({ song_id: 'SO9', artist_name: 'other song', source_key: '0.json' }),
    ];
    for (const order of permutations(records)) expect(buildArtists(order).map((a) => a.name)).toEqual(['first']);
  });

  it('is empty for no records', () => {
    expect(buildArtists([])).toEqual([]);
  });
});
