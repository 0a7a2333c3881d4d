import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { mapLimit } from '../concurrency';
import type { ObjectInfo, ObjectStore } from './object-store';

/** Files being written carry this prefix until renamed into place; listings skip them. */
const TEMP_PREFIX = '.sparkify-tmp-';
/** Entries of one directory read or stat-ed at once; nested folders multiply it, which libuv's queue absorbs. */
const WALK_CONCURRENCY = 8;

/** A local directory seen as an object store; `put` is write-to-temp then rename, so it is atomic. */
export class LocalStore implements ObjectStore {
  constructor(private readonly root: string) {}

  get description(): string {
    return this.root;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Walk only the deepest directory the prefix names, then filter by the rest of it.
    const slash = prefix.lastIndexOf('/');
    const dir = slash >= 0 ? prefix.slice(0, slash) : '';
    const root = path.resolve(this.root);
    const resolved = path.resolve(root, dir);
    if (resolved !== root && !resolved.startsWith(root + path.sep)) {
      throw new Error(`Listing prefix escapes the store root: ${prefix}`);
    }
    const found: ObjectInfo[] = [];
    await this.walk(dir, found);
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const info of found) if (info.key.startsWith(prefix)) yield info;
  }

  /** Directories are read and files stat-ed concurrently: a song tree is thousands of folders of one-file leaves. */
  private async walk(relDir: string, out: ObjectInfo[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(path.join(this.root, relDir), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await mapLimit(entries, WALK_CONCURRENCY, async (entry) => {
      if (entry.name.startsWith(TEMP_PREFIX)) return;
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await this.walk(rel, out);
      else if (entry.isFile()) {
        const stat = await fs.stat(path.join(this.root, rel)).catch((err) => (isMissing(err) ? undefined : Promise.reject(err)));
        if (stat) out.push({ key: rel, size: stat.size, etag: `${stat.size}-${Math.round(stat.mtimeMs)}`, modified: stat.mtimeMs });
      }
    });
  }

  get(key: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(key));
  }

  async getIfExists(key: string): Promise<Buffer | undefined> {
    try {
      return await this.get(key);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  put(key: string, body: Buffer | string): Promise<void> {
    return this.replace(key, (temp) => fs.writeFile(temp, body));
  }

  putFile(key: string, localPath: string): Promise<void> {
    return this.replace(key, (temp) => fs.copyFile(localPath, temp));
  }

  copy(fromKey: string, toKey: string): Promise<void> {
    const source = this.pathOf(fromKey);
    return this.replace(toKey, (temp) => fs.copyFile(source, temp));
  }

  /** Writes the new content beside the target and renames it over: readers see the old file or the new one. */
  private async replace(key: string, write: (temp: string) => Promise<void>): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = path.join(path.dirname(target), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    try {
      await write(temp);
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  }

  async deleteMany(keys: string[]): Promise<void> {
    for (const key of keys) {
      try {
        await fs.rm(this.pathOf(key), { force: true });
      } catch (err) {
        // force only ignores ENOENT; a key below an existing object (ENOTDIR) is just as absent, as on S3.
        if (!isMissing(err)) throw err;
      }
      await this.pruneEmptyParents(path.dirname(this.pathOf(key)));
    }
  }

  /** Spark and DuckDB see an empty partition folder as a partition; remove it like S3 would. */
  private async pruneEmptyParents(dir: string): Promise<void> {
    const root = path.resolve(this.root);
    let current = path.resolve(dir);
    while (current.startsWith(root + path.sep)) {
      try {
        await fs.rmdir(current);
      } catch {
        return;
      }
      current = path.dirname(current);
    }
  }

  private pathOf(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (!resolved.startsWith(path.resolve(this.root) + path.sep)) {
      throw new Error(`Object key escapes the store root: ${key}`);
    }
    return resolved;
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
