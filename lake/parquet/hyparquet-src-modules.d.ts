// hyparquet-writer exports its footer writer as a file of its own (its package.json maps ./src/*.js), which
// moduleResolution "node" does not follow to the types it ships; this names the one function we use.
declare module 'hyparquet-writer/src/metadata.js' {
  import type { FileMetaData } from 'hyparquet';
  import type { ByteWriter } from 'hyparquet-writer';
  export function writeMetadata(writer: ByteWriter, metadata: FileMetaData, statisticsTruncateLength?: number): void;
}
