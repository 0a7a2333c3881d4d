/** What the pipeline needs from object storage; S3 and a local directory both provide it. */
export interface ObjectInfo {
  /** Key relative to the store's root, always with forward slashes. */
  key: string;
  size: number;
  /** Changes whenever the content changes (S3 ETag; size+mtime locally). */
  etag: string;
  /** When the object was last written, in epoch milliseconds, where the store says. */
  modified?: number;
}

export interface ObjectStore {
  /** A description safe to print: never carries credentials. */
  readonly description: string;
  /** Every object whose key starts with `prefix`, in lexicographic key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  get(key: string): Promise<Buffer>;
  /** Returns undefined instead of failing when the object does not exist. */
  getIfExists(key: string): Promise<Buffer | undefined>;
  /** Readers see either the previous object or the whole new one, never a part of it. */
  put(key: string, body: Buffer | string): Promise<void>;
  /** `put` of a local file's content, read a part at a time: a month's Parquet file never has to fit in memory. */
  putFile(key: string, localPath: string): Promise<void>;
  /** Replaces `toKey` with a copy of `fromKey` as atomically as `put`, without the bytes passing through us. */
  copy(fromKey: string, toKey: string): Promise<void>;
  deleteMany(keys: string[]): Promise<void>;
}

export async function listAll(store: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of store.list(prefix)) out.push(info);
  return out;
}
