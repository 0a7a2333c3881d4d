import { lakeKeys } from '../layout';
import { TextFileWriter } from '../spill/line-file';
import { SpillDir } from '../spill/spill-dir';
import type { Month } from '../month';
import type { TableName } from '../tables/catalog';
import type { ObjectStore } from '../storage/object-store';

/** One file the lake published: its rows and the SHA-256 of its bytes. */
export interface PublishedFile {
  rows: number;
  bytes: number;
  sha256: string;
}

/**
 * The lake's own record of what it published under one owned prefix (a dimension table, a fact table's month).
 * Publish deletes only keys listed here, so files of anyone else under a table folder are never removed, and a
 * partition whose new content hashes the same as the published one is neither staged nor copied again.
 */
export interface PublishedFiles {
  files: Record<string, PublishedFile>;
  /**
   * A hash of the rows the files were encoded from, where the table is rebuilt whole from its input (songs, artists):
   * a later run whose rows hash the same leaves the table as it is instead of encoding it again.
   */
  inputs?: string;
}

/**
 * Only the record's `inputs`: read from the end of the text, where the record's writer puts it, so a record of a
 * million files is not parsed to learn one hash (any other valid record is parsed whole).
 */
export async function readPublishedInputs(store: ObjectStore, table: TableName, month: Month): Promise<string | undefined> {
  const body = await store.getIfExists(lakeKeys.publishedFiles(table, month));
  if (!body) return undefined;
  const tail = body.toString('utf8', Math.max(0, body.length - 256));
  const match = /\},"inputs":"([0-9a-f]+)"\}$/.exec(tail);
  return match ? match[1] : (JSON.parse(body.toString('utf8')) as PublishedFiles).inputs;
}

export async function readPublishedFiles(store: ObjectStore, table: TableName, month: Month): Promise<PublishedFiles> {
  const body = await store.getIfExists(lakeKeys.publishedFiles(table, month));
  return body ? (JSON.parse(body.toString('utf8')) as PublishedFiles) : { files: {} };
}

/**
 * Writes the record from its entries: the JSON text JSON.stringify gives of PublishedFiles, written to a local file
 * and put from there, so a table of a million files is never one object and one string in memory beside its entries.
 */
export async function writePublishedFiles(store: ObjectStore, table: TableName, month: Month, files: Iterable<[string, PublishedFile]>, inputs?: string): Promise<void> {
  const spill = await SpillDir.open();
  const out = new TextFileWriter(spill.fileSync('published-files.json'));
  try {
    out.write('{"files":{');
    let first = true;
    for (const [name, { rows, bytes, sha256 }] of files) {
      out.write(`${first ? '' : ','}${JSON.stringify(name)}:${JSON.stringify({ rows, bytes, sha256 })}`);
      first = false;
    }
    out.write(inputs === undefined ? '}}' : `},"inputs":${JSON.stringify(inputs)}}`);
    await store.putFile(lakeKeys.publishedFiles(table, month), out.close());
  } finally {
    out.close();
    await spill.remove();
  }
}
