import { lakeKeys } from '../layout';
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

export async function readPublishedFiles(store: ObjectStore, table: TableName, month: Month): Promise<PublishedFiles> {
  const body = await store.getIfExists(lakeKeys.publishedFiles(table, month));
  return body ? (JSON.parse(body.toString('utf8')) as PublishedFiles) : { files: {} };
}

export async function writePublishedFiles(store: ObjectStore, table: TableName, month: Month, files: PublishedFiles): Promise<void> {
  await store.put(lakeKeys.publishedFiles(table, month), JSON.stringify(files));
}
