import { parquetMetadata, parquetRead } from 'hyparquet';

/** Column values as a reader of the lake sees them; timestamps as epoch milliseconds, int64 as bigint. */
export type ColumnValues = Map<string, unknown[]>;

/**
 * Reads whole columns of one Parquet file with hyparquet, a reader independent of the writer we encode with, and
 * the row count its footer declares. Timestamps stay numbers, so checks compare them without Date objects.
 */
export async function readColumns(file: Buffer, columns: string[]): Promise<{ rows: number; values: ColumnValues }> {
  const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  // Parsed once and handed to the reader: for a one-song file the footer is most of the work.
  const metadata = parquetMetadata(buffer);
  const rows = Number(metadata.num_rows);
  const values: ColumnValues = new Map(columns.map((c) => [c, new Array<unknown>(rows)]));
  await parquetRead({
    file: buffer,
    metadata,
    columns,
    parsers: { timestampFromMilliseconds: (ms: bigint) => Number(ms) },
    onChunk: ({ columnName, columnData, rowStart }) => {
      const out = values.get(columnName);
      if (!out) return;
      for (let i = 0; i < columnData.length && rowStart + i < rows; i++) out[rowStart + i] = columnData[i];
    },
  });
  return { rows, values };
}
