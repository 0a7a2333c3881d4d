import { open, type FileHandle } from 'node:fs/promises';
import { parquetMetadata, type FileMetaData } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writeFooter } from './footer';

const MAGIC = Buffer.from('PAR1');
/** Bytes copied per read: a segment of a month's songplays never has to fit in memory. */
const COPY_CHUNK = 4 * 1024 * 1024;

/**
 * Joins Parquet files of one schema into one file without decoding them: each file's row groups are copied as they
 * are (the bytes between its leading magic and its footer) and one new footer lists them all at their new offsets,
 * as Parquet allows. Readers see the rows of the parts in order. Returns the rows and bytes written.
 */
export async function concatParquetFiles(parts: string[], target: string): Promise<{ rows: number; bytes: number }> {
  if (parts.length === 0) throw new Error('concatParquetFiles needs at least one part');
  const out = await open(target, 'w');
  try {
    let position = 0;
    const write = async (bytes: Uint8Array) => {
      await out.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    };
    await write(MAGIC);
    let first: FileMetaData | undefined;
    let rows = 0n;
    const rowGroups: FileMetaData['row_groups'] = [];
    for (const part of parts) {
      const input = await open(part, 'r');
      try {
        const { metadata, bodyEnd } = await footerOf(input, part);
        first ??= metadata;
        const shift = BigInt(position - MAGIC.length);
        for (const group of metadata.row_groups) rowGroups.push(shifted(group, shift));
        rows += BigInt(metadata.num_rows);
        for (let from = MAGIC.length; from < bodyEnd; from += COPY_CHUNK) {
          const chunk = Buffer.allocUnsafe(Math.min(COPY_CHUNK, bodyEnd - from));
          await input.read(chunk, 0, chunk.length, from);
          await write(chunk);
        }
      } finally {
        await input.close();
      }
    }
    const footer = new ByteWriter();
    writeFooter(footer, { ...first!, num_rows: rows, row_groups: rowGroups });
    await write(new Uint8Array(footer.getBuffer()));
    await write(MAGIC);
    return { rows: Number(rows), bytes: position };
  } finally {
    await out.close();
  }
}

async function footerOf(file: FileHandle, name: string): Promise<{ metadata: FileMetaData; bodyEnd: number }> {
  const { size } = await file.stat();
  const tail = Buffer.alloc(8);
  await file.read(tail, 0, 8, size - 8);
  if (size < 12 || !tail.subarray(4).equals(MAGIC)) throw new Error(`${name} is not a Parquet file`);
  const footerLength = tail.readUInt32LE(0);
  const footer = Buffer.alloc(footerLength + 8);
  await file.read(footer, 0, footer.length, size - footer.length);
  const buffer = footer.buffer.slice(footer.byteOffset, footer.byteOffset + footer.byteLength) as ArrayBuffer;
  return { metadata: parquetMetadata(buffer), bodyEnd: size - footer.length };
}

type RowGroup = FileMetaData['row_groups'][number];

/** A row group as it stands `shift` bytes further into the joined file. */
function shifted(group: RowGroup, shift: bigint): RowGroup {
  const move = (offset: bigint | undefined) => (offset === undefined ? undefined : offset + shift);
  return {
    ...group,
    file_offset: move(group.file_offset),
    columns: group.columns.map((column) => ({
      ...column,
      file_offset: column.file_offset + shift,
      offset_index_offset: move(column.offset_index_offset),
      column_index_offset: move(column.column_index_offset),
      meta_data: column.meta_data && {
        ...column.meta_data,
        data_page_offset: column.meta_data.data_page_offset + shift,
        dictionary_page_offset: move(column.meta_data.dictionary_page_offset),
        index_page_offset: move(column.meta_data.index_page_offset),
        bloom_filter_offset: move(column.meta_data.bloom_filter_offset),
      },
    })),
  };
}
