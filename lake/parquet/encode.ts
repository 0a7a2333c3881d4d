import { Writable } from 'node:stream';
import { ParquetSchema, ParquetWriter } from '@dsnp/parquetjs';
import type { ColumnSpec, ColumnType, TableSpec } from '../tables/catalog';

const PARQUET_TYPES: Record<ColumnType, string> = {
  string: 'UTF8',
  double: 'DOUBLE',
  int32: 'INT32',
  int64: 'INT64',
  timestamp_ms: 'TIMESTAMP_MILLIS',
};

/** Rows per row group: large enough for good compression, small enough to bound the writer's memory. */
const ROW_GROUP_SIZE = 64 * 1024;

function schemaOf(table: TableSpec): ParquetSchema {
  const fields: Record<string, { type: string; optional: boolean; compression: 'SNAPPY' }> = {};
  for (const column of table.columns) {
    fields[column.name] = { type: PARQUET_TYPES[column.type], optional: column.nullable, compression: 'SNAPPY' };
  }
  return new ParquetSchema(fields as never);
}

function toParquetValue(column: ColumnSpec, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (column.type === 'int64') return BigInt(value as string | number);
  return value;
}

/**
 * One Parquet file being built: rows go in one at a time and leave the JS heap as compressed row groups, so a
 * partition of millions of rows costs its compressed size, not its rows.
 */
export class ParquetEncoder {
  private constructor(
    private readonly table: TableSpec,
    private readonly writer: ParquetWriter,
    private readonly chunks: Buffer[],
  ) {}

  static async open(table: TableSpec): Promise<ParquetEncoder> {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const writer = await ParquetWriter.openStream(schemaOf(table), sink as unknown as Parameters<typeof ParquetWriter.openStream>[1], {
      rowGroupSize: ROW_GROUP_SIZE,
    });
    writer.setMetadata('writer', 'sparkify-lake');
    return new ParquetEncoder(table, writer, chunks);
  }

  async append(row: object): Promise<void> {
    const record: Record<string, unknown> = {};
    for (const column of this.table.columns) {
      const value = (row as Record<string, unknown>)[column.name];
      if ((value === null || value === undefined) && !column.nullable) {
        throw new Error(`${this.table.name}.${column.name} is required but a row has none`);
      }
      record[column.name] = toParquetValue(column, value);
    }
    await this.writer.appendRow(record);
  }

  async finish(): Promise<Buffer> {
    await this.writer.close();
    return Buffer.concat(this.chunks);
  }
}

/** Encodes rows of one table (its partition columns left out) as one snappy-compressed Parquet file. */
export async function encodeParquet(table: TableSpec, rows: Iterable<object>): Promise<Buffer> {
  const encoder = await ParquetEncoder.open(table);
  for (const row of rows) await encoder.append(row);
  return encoder.finish();
}
