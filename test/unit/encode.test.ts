import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeParquet } from '../../lake/parquet/encode';
import { TABLES, type TableSpec } from '../../lake/tables/catalog';
import { queryLake } from '../helpers/duckdb';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sparkify-encode-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function roundTrip(table: TableSpec, rows: object[]): Promise<string> {
  const file = path.join(dir, `${table.name}-${n++}.parquet`);
  writeFileSync(file, await encodeParquet(table, rows));
  return file;
}

interface SchemaRow {
  name: string;
  type: string | null;
  repetition_type: string | null;
  converted_type: string | null;
}

async function schemaOf(file: string): Promise<Record<string, Omit<SchemaRow, 'name'>>> {
  const rows = await queryLake<SchemaRow>(`select name, type, repetition_type, converted_type from parquet_schema('${file}')`);
  // The first row is the schema root.
  return Object.fromEntries(rows.slice(1).map(({ name, ...rest }) => [name, rest]));
}

const typesOf = async (file: string) =>
  Object.fromEntries(
    (await queryLake<{ column_name: string; column_type: string }>(`describe select * from read_parquet('${file}')`)).map((r) => [r.column_name, r.column_type]),
  );

const INT64_MAX = '9223372036854775807';

describe('encodeParquet', () => {
  it('writes songplays with timestamp, bigint and nullable string columns DuckDB reads back', async () => {
    const start = Date.UTC(2018, 10, 1, 21, 1, 46, 796);
    const rows = [
      {
        songplay_id: INT64_MAX,
        start_time: start,
        user_id: '8',
        level: 'free',
        song_id: null,
        artist_id: undefined,
        session_id: 139,
        location: null,
        user_agent: '"Mozilla/5.0 (Windows NT 6.1; WOW64)"',
        year: 2018,
        month: 11,
      },
      {
        songplay_id: '1',
        start_time: start + 1,
        user_id: '26',
        level: 'paid',
        song_id: 'SOZCTXZ12AB0182364',
        artist_id: 'AR5KOSW1187FB35FF4',
        session_id: 9_007_199_254_740_991,
        location: 'São Paulo – "quoted", 東京',
        user_agent: '',
        year: 2018,
        month: 11,
      },
    ];
    const file = await roundTrip(TABLES.songplays, rows);

    // Column order follows the catalogue; partition columns stay out of the file.
    expect(await typesOf(file)).toEqual({
      songplay_id: 'BIGINT',
      start_time: 'TIMESTAMP',
      user_id: 'VARCHAR',
      level: 'VARCHAR',
      song_id: 'VARCHAR',
      artist_id: 'VARCHAR',
      session_id: 'BIGINT',
      location: 'VARCHAR',
      user_agent: 'VARCHAR',
    });
    const names = (await queryLake<{ column_name: string }>(`describe select * from read_parquet('${file}')`)).map((r) => r.column_name);
    expect(names).toEqual(TABLES.songplays.columns.map((c) => c.name));

    const read = await queryLake<Record<string, unknown>>(
      `select *, epoch_ms(start_time) as start_ms from read_parquet('${file}') order by start_time`,
    );
    expect(read).toEqual([
      {
        songplay_id: BigInt(INT64_MAX),
        start_time: new Date(start),
        user_id: '8',
        level: 'free',
        song_id: null,
        artist_id: null,
        session_id: 139n,
        location: null,
        user_agent: '"Mozilla/5.0 (Windows NT 6.1; WOW64)"',
        start_ms: BigInt(start),
      },
      {
        songplay_id: 1n,
        start_time: new Date(start + 1),
        user_id: '26',
        level: 'paid',
        song_id: 'SOZCTXZ12AB0182364',
        artist_id: 'AR5KOSW1187FB35FF4',
        session_id: 9_007_199_254_740_991n,
        location: 'São Paulo – "quoted", 東京',
        user_agent: '',
        start_ms: BigInt(start + 1),
      },
    ]);
  });

  it('marks required and nullable columns as the catalogue says, with the Parquet physical types', async () => {
    const file = await roundTrip(TABLES.songplays, [
      { songplay_id: '5', start_time: 0, user_id: 'u', level: 'free', song_id: null, artist_id: null, session_id: 1, location: null, user_agent: null },
    ]);
    const schema = await schemaOf(file);
    for (const column of TABLES.songplays.columns) {
      expect([column.name, schema[column.name].repetition_type]).toEqual([column.name, column.nullable ? 'OPTIONAL' : 'REQUIRED']);
    }
    expect(schema.songplay_id.type).toBe('INT64');
    expect(schema.start_time).toMatchObject({ type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' });
    expect(schema.user_id).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
  });

  it('writes songs with doubles and the time table with 32-bit integers', async () => {
    const songs = await roundTrip(TABLES.songs, [
      { song_id: 'SOB', title: 'B', duration: 218.93179, year: 0, artist_id: 'AR1' },
      { song_id: 'SOA', title: 'A', duration: 0.1 + 0.2, year: 2000, artist_id: 'AR2' },
    ]);
    expect(await typesOf(songs)).toEqual({ song_id: 'VARCHAR', title: 'VARCHAR', duration: 'DOUBLE' });
    expect(await queryLake(`select * from read_parquet('${songs}') order by song_id`)).toEqual([
      { song_id: 'SOA', title: 'A', duration: 0.1 + 0.2 },
      { song_id: 'SOB', title: 'B', duration: 218.93179 },
    ]);

    const ts = Date.UTC(2018, 10, 1, 21);
    const time = await roundTrip(TABLES.time, [{ start_time: ts, hour: 21, day: 1, week: 44, weekday: 5, year: 2018, month: 11 }]);
    expect(await typesOf(time)).toEqual({ start_time: 'TIMESTAMP', hour: 'INTEGER', day: 'INTEGER', week: 'INTEGER', weekday: 'INTEGER' });
    expect(await queryLake(`select * from read_parquet('${time}')`)).toEqual([{ start_time: new Date(ts), hour: 21, day: 1, week: 44, weekday: 5 }]);
  });

  it('keeps nullable doubles null in artists', async () => {
    const file = await roundTrip(TABLES.artists, [
      { artist_id: 'AR1', name: 'Björk', location: null, latitude: null, longitude: null },
      { artist_id: 'AR2', name: 'Elena', location: '', latitude: 0, longitude: -90.5 },
    ]);
    expect(await queryLake(`select * from read_parquet('${file}') order by artist_id`)).toEqual([
      { artist_id: 'AR1', name: 'Björk', location: null, latitude: null, longitude: null },
      { artist_id: 'AR2', name: 'Elena', location: '', latitude: 0, longitude: -90.5 },
    ]);
  });

  it('writes a readable file with no rows', async () => {
    const file = await roundTrip(TABLES.users, []);
    expect(await queryLake(`select count(*) as n from read_parquet('${file}')`)).toEqual([{ n: 0n }]);
    expect(Object.keys(await typesOf(file))).toEqual(['user_id', 'first_name', 'last_name', 'gender', 'level']);
  });

  it('keeps every row of a file larger than one row group', async () => {
    const rows = Array.from({ length: 70_000 }, (_, i) => ({ user_id: String(i), first_name: i % 3 ? 'A' : null, last_name: null, gender: null, level: 'free' }));
    const file = await roundTrip(TABLES.users, rows);
    expect(
      await queryLake(`select count(*) as n, count(first_name) as named, max(cast(user_id as integer)) as top from read_parquet('${file}')`),
    ).toEqual([{ n: 70_000n, named: BigInt(rows.filter((r) => r.first_name).length), top: 69_999 }]);
  });

  it.each<[keyof typeof TABLES, Record<string, unknown>, string]>([
    ['users', { user_id: '1', first_name: null, last_name: null, gender: null, level: null }, 'users.level'],
    ['users', { first_name: 'A', last_name: 'B', gender: 'F', level: 'free' }, 'users.user_id'],
    ['songplays', { songplay_id: null, start_time: 1, user_id: '1', level: 'free', session_id: 1 }, 'songplays.songplay_id'],
    ['time', { start_time: undefined, hour: 1, day: 1, week: 1, weekday: 1 }, 'time.start_time'],
    ['songs', { song_id: 'SO1', title: 'T', duration: null }, 'songs.duration'],
  ])('refuses a null in a required column of %s', async (name, row, column) => {
    await expect(encodeParquet(TABLES[name], [row])).rejects.toThrow(`${column} is required`);
  });
});
