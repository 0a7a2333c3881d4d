import { PartitionedEncoder } from '../../lake/parquet/partitioned';
import { TABLES } from '../../lake/tables/catalog';

const song = (song_id: string, year: number, artist_id: string | null) => ({ song_id, title: song_id, artist_id, year, duration: 1 });

describe('PartitionedEncoder', () => {
  it('puts each row in its own partition when consecutive rows switch partitions', () => {
    const encoder = new PartitionedEncoder(TABLES.songs);
    for (const row of [song('S1', 2000, 'AR1'), song('S2', 2001, 'AR1'), song('S3', 2000, 'AR1'), song('S4', 2000, 'AR2'), song('S5', 2000, 'AR2')]) {
      encoder.append(row);
    }
    expect(encoder.sorted().map((p) => [p.path, p.rows])).toEqual([
      ['year=2000/artist_id=AR1', 2],
      ['year=2000/artist_id=AR2', 2],
      ['year=2001/artist_id=AR1', 1],
    ]);
  });

  it('puts a null and an empty partition value in the same default partition, as Spark does', () => {
    const encoder = new PartitionedEncoder(TABLES.songs);
    for (const row of [song('S1', 2000, null), song('S2', 2000, ''), song('S3', 2000, null)]) encoder.append(row);
    expect(encoder.sorted().map((p) => [p.path, p.rows])).toEqual([['year=2000/artist_id=__HIVE_DEFAULT_PARTITION__', 3]]);
  });
});
