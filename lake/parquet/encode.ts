import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeBlooms } from 'hyparquet-writer/src/bloom.js';
import { writeIndexes } from 'hyparquet-writer/src/indexes.js';
import type { ColumnSpec, ColumnType, TableSpec } from '../tables/catalog';
import { writeFooter } from './footer';

/**
 * Parquet schema elements for our column types: the primitive and converted types Spark's own writer uses
 * (UTF8 strings, TIMESTAMP_MILLIS instants), so Spark, DuckDB, pyarrow and Athena read them unchanged.
 */
const PARQUET_TYPES: Record<ColumnType, { type: string; converted_type?: string }> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  double: { type: 'DOUBLE' },
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  timestamp_ms: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
};

/** Rows per row group: large enough for good compression, small enough to bound the rows held before encoding. */
export const ROW_GROUP_SIZE = 64 * 1024;

/** The Parquet schema of a table's file (its partition columns left out). */
export function parquetSchemaOf(table: TableSpec) {
  return [
    { name: 'schema', num_children: table.columns.length },
    ...table.columns.map((c) => ({ name: c.name, ...PARQUET_TYPES[c.type], repetition_type: c.nullable ? 'OPTIONAL' : 'REQUIRED' })),
  ];
}

/** A row's value as the writer takes it: 64-bit integers and timestamps as bigints, absent values as null. */
export function toParquetValue(column: ColumnSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.type === 'int64' || column.type === 'timestamp_ms') return BigInt(value as string | number);
  return value;
}

/** "PAR1", the file's closing magic, as the little-endian 32-bit word the writer appends. */
const PARQUET_MAGIC = 0x31524150;

/**
 * hyparquet-writer's writer with the footer written by `writeFooter` (the same bytes, a fraction of the CPU); what
 * comes before the footer, and the order of it, is the library's own `finish`.
 */
class LakeParquetWriter extends ParquetWriter {
  override finish(): void | Promise<void> {
    writeIndexes(this.writer, this.pendingIndexes);
    writeBlooms(this.writer, this.pendingIndexes);
    writeFooter(
      this.writer,
      { version: 2, created_by: this.createdBy, schema: this.schema, num_rows: this.num_rows, row_groups: this.row_groups, metadata_length: 0, key_value_metadata: this.kvMetadata },
      this.statisticsTruncateLength,
    );
    this.writer.appendUint32(PARQUET_MAGIC);
    return this.writer.finish();
  }
}

/**
 * One snappy-compressed Parquet file being built: rows go in one at a time and are encoded a row group at a time into
 * `out`, so a partition of millions of rows holds one row group's values plus whatever `out` keeps (all the compressed
 * bytes for a ByteWriter, one chunk for a SpillFileWriter).
 */
export class ParquetEncoder<Out extends ByteWriter = ByteWriter> {
  private readonly writer: ParquetWriter;
  private columns: unknown[][];

  constructor(
    private readonly table: TableSpec,
    readonly out: Out,
  ) {
    this.writer = new LakeParquetWriter({ writer: out, schema: parquetSchemaOf(table) as never, codec: 'SNAPPY', createdBy: 'sparkify-lake' });
    this.columns = table.columns.map(() => []);
  }

  append(row: object): void {
    const record = row as Record<string, unknown>;
    this.table.columns.forEach((column, i) => {
      const value = record[column.name];
      if ((value === null || value === undefined) && !column.nullable) {
        throw new Error(`${this.table.name}.${column.name} is required but a row has none`);
      }
      this.columns[i].push(toParquetValue(column, value));
    });
    if (this.columns[0].length >= ROW_GROUP_SIZE) this.flush();
  }

  /** Writes the last row group and the footer; `out` then holds (or has written) the whole file. */
  finish(): void {
    this.flush();
    this.writer.finish();
  }

  private flush(): void {
    if (this.columns[0].length === 0) return;
    this.writer.write({
      columnData: this.table.columns.map((column, i) => ({ name: column.name, data: this.columns[i] as never, nullable: column.nullable })),
      rowGroupSize: ROW_GROUP_SIZE,
    });
    this.columns = this.table.columns.map(() => []);
  }
}

/** The finished file of an in-memory encoder, sharing its bytes rather than copying them. */
export function finishToBuffer(encoder: ParquetEncoder): Buffer {
  encoder.finish();
  const bytes = encoder.out.getBytes();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Encodes rows of one table (its partition columns left out) as one snappy-compressed Parquet file. */
export async function encodeParquet(table: TableSpec, rows: Iterable<object>): Promise<Buffer> {
  const encoder = new ParquetEncoder(table, new ByteWriter());
  for (const row of rows) encoder.append(row);
  return finishToBuffer(encoder);
}
