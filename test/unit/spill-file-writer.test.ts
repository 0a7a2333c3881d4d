import { readFileSync } from 'node:fs';
import { ByteWriter } from 'hyparquet-writer';
import { finishToBuffer, ParquetEncoder } from '../../lake/parquet/encode';
import { SpillFileWriter } from '../../lake/parquet/spill-file-writer';
import { SpillDir } from '../../lake/spill/spill-dir';
import { TABLES } from '../../lake/tables/catalog';
import { songplayRow } from '../helpers/builders';
import { queryLake } from '../helpers/duckdb';

describe('SpillFileWriter', () => {
  let spill: SpillDir;
  beforeEach(async () => {
    spill = await SpillDir.open();
  });
  afterEach(() => spill.remove());

  // 200,000 rows: four row groups, written out in 64 KB chunks long before the footer.
  const rows = Array.from({ length: 200_000 }, (_, i) => songplayRow(i));

  it('writes the same bytes a file as the in-memory encoder holds, and DuckDB reads every row back', async () => {
    const inMemory = new ParquetEncoder(TABLES.songplays, new ByteWriter());
    const file = spill.fileSync('songplays/year=2018/month=11/part-00000.snappy.parquet');
    const spilled = new ParquetEncoder(TABLES.songplays, new SpillFileWriter(file, 64 * 1024));
    for (const row of rows) {
      inMemory.append(row);
      spilled.append(row);
    }
    spilled.finish();
    const expected = finishToBuffer(inMemory);
    expect(expected.length).toBeGreaterThan(20 * 64 * 1024);
    expect(spilled.out.size).toBe(expected.length);
    expect(readFileSync(file).equals(expected)).toBe(true);
    const [read] = await queryLake<{ n: bigint; ids: bigint }>(`select count(*) n, sum(songplay_id) ids from read_parquet('${file}')`);
    expect(Number(read.n)).toBe(rows.length);
    expect(BigInt(read.ids)).toBe(rows.reduce((sum, r) => sum + BigInt(r.songplay_id as string), 0n));
  });

  it('refuses to hand out its bytes, which are on disk', () => {
    const writer = new SpillFileWriter(spill.fileSync('x.parquet'));
    expect(() => writer.getBytes()).toThrow(/written to disk/);
    writer.abandon();
  });
});

describe('SpillDir', () => {
  it('keeps names inside its folder and removes itself', async () => {
    const spill = await SpillDir.open();
    expect(spill.fileSync('../../etc/x').startsWith(spill.root + '/')).toBe(true);
    await spill.remove();
  });
});
