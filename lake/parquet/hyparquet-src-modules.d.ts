// hyparquet and hyparquet-writer export their inner modules as files of their own (their package.json maps
// ./src/*.js), which moduleResolution "node" does not follow to the types they ship; these name what we use.
declare module 'hyparquet-writer/src/metadata.js' {
  import type { FileMetaData } from 'hyparquet';
  import type { Writer } from 'hyparquet-writer';
  export function writeMetadata(writer: Writer, metadata: FileMetaData, statisticsTruncateLength?: number): void;
}

declare module 'hyparquet-writer/src/indexes.js' {
  import type { Writer } from 'hyparquet-writer';
  export function writeIndexes(writer: Writer, pageIndexes: unknown[]): void;
}

declare module 'hyparquet-writer/src/bloom.js' {
  import type { Writer } from 'hyparquet-writer';
  export function writeBlooms(writer: Writer, pageIndexes: unknown[]): void;
}

declare module 'hyparquet-writer/src/unconvert.js' {
  import type { SchemaElement, Statistics } from 'hyparquet';
  /** Statistics as footer fields (`field_1` … `field_9`), min and max as the bytes Parquet stores. */
  export function unconvertStatistics(stats: Statistics, element: SchemaElement, truncateLength?: number): object;
}

declare module 'hyparquet/src/constants.js' {
  export const ParquetTypes: string[];
  export const Encodings: string[];
  export const FieldRepetitionTypes: string[];
  export const ConvertedTypes: string[];
  export const CompressionCodecs: string[];
  export const PageTypes: string[];
}
