import type { ColumnChunk, ColumnMetaData, FileMetaData, RowGroup, SchemaElement } from 'hyparquet';
import { CompressionCodecs, ConvertedTypes, Encodings, FieldRepetitionTypes, PageTypes, ParquetTypes } from 'hyparquet/src/constants.js';
import type { Writer } from 'hyparquet-writer';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { unconvertStatistics } from 'hyparquet-writer/src/unconvert.js';

/**
 * Writes a Parquet footer (FileMetaData in Thrift's compact protocol, then its length), byte for byte what
 * hyparquet-writer's `writeMetadata` writes. Its serializer finds each field's id by parsing a `field_N` key with a
 * regular expression and makes a TextEncoder per string; for a songs table of one small file per artist that was half
 * of encoding the file. This one writes the fields of flat tables directly and hands anything it does not cover
 * (logical types, sorting columns, size or geospatial statistics) to `writeMetadata`. Every footer the lake writes
 * comes from here: a new file's (encode.ts) and a join of files' (concat.ts).
 */
export function writeFooter(out: Writer, metadata: FileMetaData, statisticsTruncateLength?: number): void {
  if (!coversAll(metadata)) {
    writeMetadata(out, metadata, statisticsTruncateLength);
    return;
  }
  const start = out.offset;
  const w = new CompactWriter(out);
  w.beginStruct();
  w.field(1, metadata.version);
  w.listOfStructs(2, metadata.schema, (element) => schemaElement(w, element));
  w.field(3, metadata.num_rows);
  w.listOfStructs(4, metadata.row_groups, (group) => rowGroup(w, group, metadata.schema, statisticsTruncateLength));
  if (metadata.key_value_metadata) w.listOfStructs(5, metadata.key_value_metadata, (kv) => (w.field(1, kv.key), w.field(2, kv.value)));
  w.field(6, metadata.created_by);
  // One TypeDefinedOrder (an empty struct in field 1 of a ColumnOrder) per leaf column, as writeMetadata writes.
  w.listOfStructs(7, metadata.schema.filter((element) => element.type), () => w.emptyStructField(1));
  w.endStruct();
  out.appendUint32(out.offset - start);
}

/** Whether every field set in `metadata` is one this writer writes itself. */
function coversAll(metadata: FileMetaData): boolean {
  // Flat tables only: no logical types, and no group below the root.
  if (metadata.schema.some((element, i) => element.logical_type !== undefined || (i > 0 && element.num_children !== undefined))) return false;
  return metadata.row_groups.every(
    (group) =>
      group.sorting_columns === undefined &&
      group.columns.every(
        (chunk) =>
          chunk.encrypted_column_metadata === undefined &&
          (chunk.meta_data === undefined ||
            (chunk.meta_data.size_statistics === undefined && chunk.meta_data.geospatial_statistics === undefined)),
      ),
  );
}

function schemaElement(w: CompactWriter, element: SchemaElement): void {
  w.field(1, element.type && ParquetTypes.indexOf(element.type));
  w.field(2, element.type_length);
  w.field(3, element.repetition_type && FieldRepetitionTypes.indexOf(element.repetition_type));
  w.field(4, element.name);
  w.field(5, element.num_children);
  w.field(6, element.converted_type && ConvertedTypes.indexOf(element.converted_type));
  w.field(7, element.scale);
  w.field(8, element.precision);
  w.field(9, element.field_id);
}

function rowGroup(w: CompactWriter, group: RowGroup, schema: SchemaElement[], truncate: number | undefined): void {
  w.listOfStructs(1, group.columns, (chunk) => columnChunk(w, chunk, schema, truncate));
  w.field(2, group.total_byte_size);
  w.field(3, group.num_rows);
  w.field(5, group.file_offset);
  w.field(6, group.total_compressed_size);
}

function columnChunk(w: CompactWriter, chunk: ColumnChunk, schema: SchemaElement[], truncate: number | undefined): void {
  w.field(1, chunk.file_path);
  w.field(2, chunk.file_offset);
  const meta = chunk.meta_data;
  if (meta) w.structField(3, () => columnMetaData(w, meta, schema, truncate));
  w.field(4, chunk.offset_index_offset);
  w.field(5, chunk.offset_index_length);
  w.field(6, chunk.column_index_offset);
  w.field(7, chunk.column_index_length);
}

function columnMetaData(w: CompactWriter, meta: ColumnMetaData, schema: SchemaElement[], truncate: number | undefined): void {
  w.field(1, ParquetTypes.indexOf(meta.type));
  w.list(2, meta.encodings.map((encoding) => Encodings.indexOf(encoding)));
  w.list(3, meta.path_in_schema);
  w.field(4, CompressionCodecs.indexOf(meta.codec));
  w.field(5, meta.num_values);
  w.field(6, meta.total_uncompressed_size);
  w.field(7, meta.total_compressed_size);
  if (meta.key_value_metadata) w.listOfStructs(8, meta.key_value_metadata, (kv) => (w.field(1, kv.key), w.field(2, kv.value)));
  w.field(9, meta.data_page_offset);
  w.field(10, meta.index_page_offset);
  w.field(11, meta.dictionary_page_offset);
  const statistics = meta.statistics;
  if (statistics) {
    const converted = unconvertStatistics(statistics, leafOf(schema, meta.path_in_schema), truncate) as Record<string, ThriftValue | undefined>;
    w.structField(12, () => STATISTICS_KEYS.forEach((key, i) => w.field(i + 1, converted[key])));
  }
  if (meta.encoding_stats) {
    w.listOfStructs(13, meta.encoding_stats, (stats) => {
      w.field(1, PageTypes.indexOf(stats.page_type));
      w.field(2, Encodings.indexOf(stats.encoding));
      w.field(3, stats.count);
    });
  }
  w.field(14, meta.bloom_filter_offset);
  w.field(15, meta.bloom_filter_length);
}

const STATISTICS_KEYS = Array.from({ length: 9 }, (_, i) => `field_${i + 1}`);

/** The schema element of a flat table's column (the only kind this writer covers): the root's child of that name. */
function leafOf(schema: SchemaElement[], path: string[]): SchemaElement {
  const element = path.length === 1 ? schema.find((e, i) => i > 0 && e.name === path[0]) : undefined;
  if (!element) throw new Error(`No flat column ${path.join('.')} in the Parquet schema`);
  return element;
}

type ThriftValue = number | bigint | string | boolean | Uint8Array;

// Thrift compact protocol type ids.
const STOP = 0;
const TRUE = 1;
const FALSE = 2;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const STRUCT = 12;

const textEncoder = new TextEncoder();

/**
 * Compact-protocol output with each value's type taken from its JavaScript type, as hyparquet-writer's serializer
 * takes it (an integer number is an i32, a bigint an i64), so both write the same bytes for the same metadata.
 */
class CompactWriter {
  private lastField = 0;
  private readonly outer: number[] = [];

  constructor(private readonly out: Writer) {}

  beginStruct(): void {
    this.outer.push(this.lastField);
    this.lastField = 0;
  }

  endStruct(): void {
    this.out.appendUint8(STOP);
    this.lastField = this.outer.pop()!;
  }

  /** A field holding a scalar; nothing when the value is undefined (an optional field left out). */
  field(id: number, value: ThriftValue | undefined): void {
    if (value === undefined) return;
    const type = typeOf(value);
    this.header(id, type);
    if (type !== TRUE && type !== FALSE) this.value(type, value);
  }

  structField(id: number, fields: () => void): void {
    this.header(id, STRUCT);
    this.beginStruct();
    fields();
    this.endStruct();
  }

  emptyStructField(id: number): void {
    this.structField(id, () => undefined);
  }

  list(id: number, values: (number | string)[]): void {
    this.header(id, LIST);
    const type = values.length === 0 ? 0 : listTypeOf(values);
    this.listHeader(values.length, type);
    for (const value of values) this.value(type, value);
  }

  listOfStructs<T>(id: number, items: T[], fields: (item: T) => void): void {
    this.header(id, LIST);
    this.listHeader(items.length, items.length === 0 ? 0 : STRUCT);
    for (const item of items) {
      this.beginStruct();
      fields(item);
      this.endStruct();
    }
  }

  private listHeader(size: number, type: number): void {
    if (size > 14) {
      this.out.appendUint8((15 << 4) | type);
      this.out.appendVarInt(size);
    } else {
      this.out.appendUint8((size << 4) | type);
    }
  }

  private header(id: number, type: number): void {
    const delta = id - this.lastField;
    if (delta <= 0) throw new Error(`thrift field ${id} written after field ${this.lastField}`);
    if (delta > 15) {
      this.out.appendUint8(type);
      this.out.appendZigZag(id);
    } else {
      this.out.appendUint8((delta << 4) | type);
    }
    this.lastField = id;
  }

  private value(type: number, value: ThriftValue): void {
    if (type === I32) this.out.appendZigZag(value as number);
    else if (type === I64) this.out.appendZigZag(value as bigint);
    else if (type === DOUBLE) this.out.appendFloat64(value as number);
    else {
      const bytes = typeof value === 'string' ? textEncoder.encode(value) : (value as Uint8Array);
      this.out.appendVarInt(bytes.byteLength);
      this.out.appendBytes(bytes);
    }
  }
}

function typeOf(value: ThriftValue): number {
  if (typeof value === 'boolean') return value ? TRUE : FALSE;
  if (typeof value === 'number') return Number.isInteger(value) ? I32 : DOUBLE;
  return typeof value === 'bigint' ? I64 : BINARY;
}

/** A list's element type: a list of integers with one fraction among them is a list of doubles. */
function listTypeOf(values: (number | string)[]): number {
  let type = typeOf(values[0]);
  for (const value of values) {
    const t = typeOf(value);
    if (t === type) continue;
    if ((type === I32 && t === DOUBLE) || (type === DOUBLE && t === I32)) type = DOUBLE;
    else throw new Error(`thrift list mixes types ${type} and ${t}`);
  }
  return type;
}
