import { readFileSync, writeFileSync } from 'node:fs';
import { concatParquetFiles } from '../../lake/parquet/concat';
import { encodeParquet } from '../../lake/parquet/encode';
import { readColumns } from '../../lake/parquet/read-columns';
import { TABLES } from '../../lake/tables/catalog';
import { songplayRow } from '../helpers/builders';
import { tempDir } from '../helpers/temp';
import { queryLake } from '../helpers/duckdb';

const play = (i: number) => songplayRow(i) as { songplay_id: string; start_time: number; location: string | null };

describe('concatParquetFiles', () => {
  const tmp = tempDir('concat');

  it('joins files row group by row group: DuckDB and hyparquet read every row, in order, with statistics intact', async () => {
    // 70,000 rows in the first part: two row groups; an empty part and a small one after it.
    const sizes = [70_000, 0, 1_234];
    let offset = 0;
    const parts = await Promise.all(
      sizes.map(async (n, p) => {
        const rows = Array.from({ length: n }, (_, i) => play(offset + i));
        offset += n;
        const file = tmp.path(`part-${p}.parquet`);
        writeFileSync(file, await encodeParquet(TABLES.songplays, rows));
        return file;
      }),
    );
    const target = tmp.path('joined.parquet');
    const { rows, bytes } = await concatParquetFiles(parts, target);
    expect(rows).toBe(71_234);
    expect(bytes).toBe(readFileSync(target).length);

    const read = await readColumns(readFileSync(target), ['songplay_id', 'start_time', 'location']);
    expect(read.rows).toBe(71_234);
    expect(read.values.get('start_time')![70_500]).toBe(play(70_500).start_time);

    const duck = await queryLake<{ n: bigint; first: bigint; last: bigint; nulls: bigint; at: string }>(
      `select count(*) as n, min(songplay_id) as first, max(songplay_id) as last, count(*) - count(location) as nulls,
              (select location from read_parquet('${target}') where session_id = 3 limit 1) as at
       from read_parquet('${target}')`,
    );
    const expected = Array.from({ length: 71_234 }, (_, i) => play(i));
    const ids = expected.map((r) => BigInt(r.songplay_id));
    expect(Number(duck[0].n)).toBe(71_234);
    expect(BigInt(duck[0].first)).toBe(ids.reduce((a, b) => (a < b ? a : b)));
    expect(BigInt(duck[0].last)).toBe(ids.reduce((a, b) => (a > b ? a : b)));
    expect(Number(duck[0].nulls)).toBe(expected.filter((r) => r.location === null).length);
    // Row-group statistics survive the new footer: a filter DuckDB prunes by min/max still finds its rows.
    const [{ hits }] = await queryLake<{ hits: bigint }>(`select count(*) as hits from read_parquet('${target}') where start_time >= epoch_ms(${play(71_000).start_time})`);
    expect(Number(hits)).toBe(234);
  });

  it('refuses a file that is not Parquet, naming it', async () => {
    const bad = tmp.path('bad.parquet');
    writeFileSync(bad, 'not parquet at all');
    await expect(concatParquetFiles([bad], tmp.path('out.parquet'))).rejects.toThrow(`${bad} is not a Parquet file`);
  });
});
