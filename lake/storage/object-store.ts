import type { Readable } from 'node:stream';

/** What the pipeline needs from object storage; S3 and a local directory both provide it. */
export interface ObjectInfo {
  /** Key relative to the store's root, always with forward slashes. */
  key: string;
  size: number;
  /** Changes whenever the content changes (S3 ETag; size+mtime locally). */
  etag: string;
  /** When the object was last written, in epoch milliseconds, where the store says. */
  modified?: number;
  /**
   * Set when the listing found an entry it cannot serve (a dangling symlink, a name that is not UTF-8): it is still
   * listed, so the reader can record it rather than lose it without a trace. Never set for an object `get` can read.
   */
  problem?: ObjectProblem;
}

export interface ObjectProblem {
  reason: 'unreadable' | 'invalid-file-name';
  /** Names the OS error code for an unreadable entry, the escaped name for a bad one. */
  detail: string;
}

export interface ObjectStore {
  /** A description safe to print: never carries credentials. */
  readonly description: string;
  /**
   * True where `promote` copies the bytes (S3 has no rename): there every small staged object costs a request to
   * stage and another to promote, so writers of many small files pack them into a few staged objects instead.
   */
  readonly promoteCopies: boolean;
  /** Every object whose key starts with `prefix`, in lexicographic key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  get(key: string): Promise<Buffer>;
  /**
   * The object's bytes a chunk at a time, so an object of any size can be read in bounded memory. Fails (before any
   * byte) when the object cannot be opened; the caller must consume or destroy the stream.
   */
  getStream(key: string): Promise<Readable>;
  /** Returns undefined instead of failing when the object does not exist. */
  getIfExists(key: string): Promise<Buffer | undefined>;
  /** Readers see either the previous object or the whole new one, never a part of it. */
  put(key: string, body: Buffer | string): Promise<void>;
  /** `put` of a local file's content, read a part at a time: a month's Parquet file never has to fit in memory. */
  putFile(key: string, localPath: string): Promise<void>;
  /** Replaces `toKey` with a copy of `fromKey` as atomically as `put`, without the bytes passing through us. */
  copy(fromKey: string, toKey: string): Promise<void>;
  /**
   * Puts a staged object at its published key as atomically as `put`, for the staging area's last use: a rename on
   * local disk (the staged copy is gone afterwards), a server-side copy on S3. Safe to repeat after a crash: a staged
   * object already moved is not looked for again.
   */
  promote(fromKey: string, toKey: string): Promise<void>;
  /**
   * `promote` of many staged objects laid out as their published keys are: `fromPrefix + rel` goes to `toPrefix + rel`
   * for every rel. Staged objects that are not listed stay where they are. As safe to repeat as `promote`.
   */
  promoteTree(fromPrefix: string, toPrefix: string, rels: string[], concurrency: number): Promise<void>;
  deleteMany(keys: string[]): Promise<void>;
  /** Deletes everything under `prefix` (ending in "/"), objects a crashed writer left half-written included. */
  deletePrefix(prefix: string): Promise<void>;
}

export async function listAll(store: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of store.list(prefix)) out.push(info);
  return out;
}
