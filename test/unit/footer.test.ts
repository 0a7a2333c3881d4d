import { parquetMetadata, type FileMetaData } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { encodeParquet, parquetSchemaOf, ROW_GROUP_SIZE, toParquetValue } from '../../lake/parquet/encode';
import { writeFooter } from '../../lake/parquet/footer';
import { TABLES, type ColumnSpec, type TableSpec } from '../../lake/tables/catalog';

/** A small deterministic generator, so a failure names rows that can be made again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const WORDS = ['', 'a', 'Björk', 'Sigur Rós', '東京', 'naïve café', 'x'.repeat(80), '"quoted"', 'émoji 🎵'];

function valueOf(column: ColumnSpec, draw: () => number): unknown {
  if (column.nullable && draw() < 0.2) return null;
  switch (column.type) {
    case 'string':
      return WORDS[Math.floor(draw() * WORDS.length)] + Math.floor(draw() * 1000);
    case 'double':
      return draw() < 0.1 ? -0 : (draw() - 0.5) * 1e4;
    case 'int32':
      return Math.floor((draw() - 0.5) * 100);
    case 'int64':
      return String(BigInt(Math.floor(draw() * 2 ** 53)) * (draw() < 0.5 ? -1n : 1n));
    case 'timestamp_ms':
      return Date.UTC(2018, 10, 1) + Math.floor(draw() * 30 * 86_400_000);
  }
}

function rowsOf(table: TableSpec, count: number, seed: number): Record<string, unknown>[] {
  const draw = random(seed);
  return Array.from({ length: count }, () => Object.fromEntries(table.columns.map((c) => [c.name, valueOf(c, draw)])));
}

/** The same file written by hyparquet-writer alone, footer included: the reference our footer must match. */
function referenceFile(table: TableSpec, rows: Record<string, unknown>[]): Buffer {
  const out = new ByteWriter();
  const writer = new ParquetWriter({ writer: out, schema: parquetSchemaOf(table) as never, codec: 'SNAPPY', createdBy: 'sparkify-lake' });
  for (let start = 0; start < rows.length; start += ROW_GROUP_SIZE) {
    const group = rows.slice(start, start + ROW_GROUP_SIZE);
    writer.write({
      columnData: table.columns.map((c) => ({ name: c.name, nullable: c.nullable, data: group.map((row) => toParquetValue(c, row[c.name])) as never })),
      rowGroupSize: ROW_GROUP_SIZE,
    });
  }
  writer.finish();
  return Buffer.from(out.getBytes());
}

function footerBytes(write: (out: ByteWriter) => void): Buffer {
  const out = new ByteWriter();
  write(out);
  return Buffer.from(out.getBytes());
}

function metadataOf(file: Buffer): FileMetaData {
  return parquetMetadata(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
}

describe('writeFooter', () => {
  it.each(Object.keys(TABLES))('writes the same %s files as hyparquet-writer, byte for byte', async (name) => {
    const table = TABLES[name as keyof typeof TABLES];
    for (const [count, seed] of [
      [1, 1],
      [7, 2],
      [500, 3],
    ]) {
      const rows = rowsOf(table, count, seed);
      expect((await encodeParquet(table, rows)).equals(referenceFile(table, rows))).toBe(true);
    }
  });

  it('writes the same file as hyparquet-writer for several row groups', async () => {
    const rows = rowsOf(TABLES.songplays, ROW_GROUP_SIZE + 100, 4);
    const ours = await encodeParquet(TABLES.songplays, rows);
    expect(metadataOf(ours).row_groups).toHaveLength(2);
    expect(ours.equals(referenceFile(TABLES.songplays, rows))).toBe(true);
  });

  it('writes the footer writeMetadata writes for metadata read back from a file, as a join of files passes it', async () => {
    const file = await encodeParquet(TABLES.artists, rowsOf(TABLES.artists, 300, 5));
    const metadata = metadataOf(file);
    expect(footerBytes((out) => writeFooter(out, metadata)).equals(footerBytes((out) => writeMetadata(out, metadata)))).toBe(true);
  });

  it('writes key-value metadata and long statistics as writeMetadata does', async () => {
    const metadata = {
      ...metadataOf(await encodeParquet(TABLES.users, rowsOf(TABLES.users, 50, 6))),
      key_value_metadata: [{ key: 'writer', value: 'sparkify' }, { key: 'empty' }],
    };
    for (const truncate of [undefined, 4]) {
      const ours = footerBytes((out) => writeFooter(out, metadata, truncate));
      expect(ours.equals(footerBytes((out) => writeMetadata(out, metadata, truncate)))).toBe(true);
    }
  });

  it('leaves metadata it does not cover (a logical type) to writeMetadata', async () => {
    const metadata = metadataOf(await encodeParquet(TABLES.songs, rowsOf(TABLES.songs, 20, 7)));
    metadata.schema[1] = { ...metadata.schema[1], logical_type: { type: 'STRING' } };
    const ours = footerBytes((out) => writeFooter(out, metadata));
    expect(ours.equals(footerBytes((out) => writeMetadata(out, metadata)))).toBe(true);
    // The logical type is in the footer: a reader finds it.
    const withMagic = Buffer.concat([Buffer.from('PAR1'), ours, Buffer.from('PAR1')]);
    expect(metadataOf(withMagic).schema[1].logical_type).toEqual({ type: 'STRING' });
  });
});
