import { promises as fs, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { mapLimit } from '../concurrency';
import { decodeUtf8, escapeBytes } from '../utf8';
import type { ObjectInfo, ObjectStore } from './object-store';

/** Files being written carry this prefix until renamed into place; listings skip them. */
const TEMP_PREFIX = '.sparkify-tmp-';
const TEMP_PREFIX_BYTES = Buffer.from(TEMP_PREFIX);
const SEPARATOR = Buffer.from(path.sep);
/** Read size of a streamed file: large enough that a big log takes few reads, small next to any memory budget. */
const READ_CHUNK_BYTES = 1024 * 1024;
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
    let real: Buffer;
    try {
      real = await fs.realpath(Buffer.from(resolved), { encoding: 'buffer' });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    const found: ObjectInfo[] = [];
    await this.walk({ abs: Buffer.from(resolved), real, rel: dir, badName: false, chain: new Set([real.toString('latin1')]) }, found);
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const info of found) if (info.key.startsWith(prefix)) yield info;
  }

  /**
   * Directories are read and files stat-ed concurrently: a song tree is thousands of folders of one-file leaves.
   * Paths stay bytes (Buffers) so a name that is not UTF-8 can still be reached and reported. Symlinks are followed as
   * Spark's reader follows them; one whose target cannot be stat-ed is listed with a problem instead of skipped.
   */
  private async walk(dir: WalkDir, out: ObjectInfo[]): Promise<void> {
    let entries: Dirent<Buffer>[];
    try {
      entries = await fs.readdir(dir.abs, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await mapLimit(entries, WALK_CONCURRENCY, async (entry) => {
      const name = entry.name;
      if (name.subarray(0, TEMP_PREFIX_BYTES.length).equals(TEMP_PREFIX_BYTES)) return;
      const text = decodeUtf8(name);
      const shown = text ?? escapeBytes(name);
      const rel = dir.rel ? `${dir.rel}/${shown}` : shown;
      const abs = Buffer.concat([dir.abs, SEPARATOR, name]);
      const badName = dir.badName || text === undefined;
      const symlink = entry.isSymbolicLink();
      if (!symlink && !entry.isDirectory() && !entry.isFile()) return; // sockets, FIFOs, devices: not objects
      let stat: Stats | undefined;
      try {
        stat = await fs.stat(abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // A plain file that vanished since readdir is simply no longer there; a symlink whose target cannot be
        // reached is an input file that cannot be read.
        if (!symlink && isMissing(err)) return;
        if (!symlink || typeof code !== 'string') throw err;
        out.push({ key: rel, size: 0, etag: '', problem: { reason: 'unreadable', detail: `${code}: symlink target cannot be read` } });
        return;
      }
      if (stat.isDirectory()) {
        const real = symlink ? await fs.realpath(abs, { encoding: 'buffer' }) : Buffer.concat([dir.real, SEPARATOR, name]);
        const id = real.toString('latin1');
        // A link back into a folder this walk is inside would list it forever; its files are listed via that folder.
        if (dir.chain.has(id)) return;
        await this.walk({ abs, real, rel, badName, chain: new Set(dir.chain).add(id) }, out);
      } else if (stat.isFile()) {
        const info: ObjectInfo = { key: rel, size: stat.size, etag: `${stat.size}-${Math.round(stat.mtimeMs)}`, modified: stat.mtimeMs };
        if (badName) info.problem = { reason: 'invalid-file-name', detail: `the path is not valid UTF-8: ${rel}` };
        out.push(info);
      }
    });
  }

  get(key: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(key));
  }

  async getStream(key: string): Promise<Readable> {
    // Opened first so a missing or unreadable file fails here, not as a stream error after the caller started.
    const file = await fs.open(this.pathOf(key), 'r');
    return file.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
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

  async promote(fromKey: string, toKey: string): Promise<void> {
    const target = this.pathOf(toKey);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const source = this.pathOf(fromKey);
    try {
      await fs.rename(source, target);
    } catch (err) {
      // Moved by an earlier attempt of the same publish: nothing else removes a staged file before the report exists.
      if (!isMissing(err)) throw err;
    }
    // The folder the staged file leaves may now be empty: nothing of the staging area stays behind.
    await this.pruneEmptyParents(path.dirname(source));
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
      throw withPath(err, target);
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

/** A folder being walked: its path as bytes, its real path (for loop detection) and its key. */
interface WalkDir {
  abs: Buffer;
  real: Buffer;
  rel: string;
  /** Whether some folder on the way has a name that is not UTF-8: the key is then an escaped form, not a path. */
  badName: boolean;
  /** Real paths of this folder and the folders the walk passed through to reach it. */
  chain: Set<string>;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * A failed write(2) (ENOSPC, EDQUOT, EIO) carries no path; the file it was for is what a message about it must name,
 * so the error is given the target's path when it has none.
 */
function withPath(err: unknown, target: string): unknown {
  const e = err as NodeJS.ErrnoException & { dest?: string };
  // Not `instanceof Error`: Node's own errors fail that test inside a vm context (as under Jest).
  if (typeof e === 'object' && e !== null && typeof e.code === 'string' && e.path === undefined && e.dest === undefined) e.path = target;
  return err;
}
