import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  promises as fs,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { mapLimit, SyncSlices } from '../concurrency';
import { decodeUtf8, escapeBytes } from '../utf8';
import type { ObjectInfo, ObjectStore } from './object-store';

/** Files being written carry this prefix until renamed into place; listings skip them. */
const TEMP_PREFIX = '.sparkify-tmp-';
const TEMP_PREFIX_BYTES = Buffer.from(TEMP_PREFIX);
/**
 * Temp names are this process's random tag and a count: unique across processes and hosts sharing a folder, without
 * asking the system for random bytes once per file (a songs table is a file per artist).
 */
const TEMP_TAG = `${randomBytes(6).toString('hex')}-`;
let tempCount = 0;
const SEPARATOR = Buffer.from(path.sep);
/** Read size of a streamed file: large enough that a big log takes few reads, small next to any memory budget. */
const READ_CHUNK_BYTES = 1024 * 1024;
/**
 * Files up to this size are read and written synchronously. A small cached file takes microseconds that way, against
 * four or five thread-pool round trips through fs.promises (open, fstat or write, read, close, and a put's mkdir and
 * rename). The audit reads tens of thousands of one-song Parquet files (48,000 of them: 0.3 s against 3.5 s here), and
 * a medium run puts 130,000 one-song and one-artist files, whose round trips cost the workers' main threads more than
 * the writes. The loop is blocked no longer than a slice.
 */
const SMALL_FILE_BYTES = 256 * 1024;
/**
 * Synchronous file-system work (small reads, a listing's folders, a merge's folders), of every store in the process,
 * between two turns of the event loop. Chained calls never turn it by themselves, and on a disk busy enough that each
 * call waits, a chain holds heartbeats and workflow tasks (a run of two million songs saw 5 workflow tasks time out
 * while stage-songs read small files). Bounded by time, not by a count: a count is microseconds on a cached disk and
 * seconds on a busy one.
 */
const SYNC_SLICE_MS = 20;
const syncWork = new SyncSlices(SYNC_SLICE_MS);
/** Files removed at once by deleteMany. */
const DELETE_CONCURRENCY = 8;

/** A local directory seen as an object store; `put` is write-to-temp then rename, so it is atomic. */
export class LocalStore implements ObjectStore {
  readonly promoteCopies: boolean = false;

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
   * Directories are read and files stat-ed synchronously, a folder at a time, yielding to the event loop between
   * folders: a song tree is thousands of folders of one-file leaves, and a stat through the thread pool costs several
   * times the stat itself (200,000 song files: 1.6 s against 5.5 s with fs.promises). Paths stay bytes (Buffers) so a
   * name that is not UTF-8 can still be reached and reported. Symlinks are followed as Spark's reader follows them;
   * one whose target cannot be stat-ed is listed with a problem instead of skipped.
   */
  private async walk(top: WalkDir, out: ObjectInfo[]): Promise<void> {
    const pending: WalkDir[] = [top];
    for (let dir = pending.pop(); dir; dir = pending.pop()) {
      await syncWork.due();
      let entries: Dirent<Buffer>[];
      try {
        entries = readdirSync(dir.abs, { withFileTypes: true, encoding: 'buffer' });
      } catch (err) {
        if (isMissing(err)) continue;
        throw err;
      }
      for (const entry of entries) {
        const found = this.visit(dir, entry);
        if (found && 'abs' in found) pending.push(found);
        else if (found) out.push(found);
      }
    }
  }

  /** One folder entry: a file's object, a folder to walk, or nothing for what is not an object. */
  private visit(dir: WalkDir, entry: Dirent<Buffer>): ObjectInfo | WalkDir | undefined {
    const name = entry.name;
    if (name.subarray(0, TEMP_PREFIX_BYTES.length).equals(TEMP_PREFIX_BYTES)) return undefined;
    const text = decodeUtf8(name);
    const shown = text ?? escapeBytes(name);
    const rel = dir.rel ? `${dir.rel}/${shown}` : shown;
    const abs = Buffer.concat([dir.abs, SEPARATOR, name]);
    const badName = dir.badName || text === undefined;
    const symlink = entry.isSymbolicLink();
    if (!symlink && !entry.isDirectory() && !entry.isFile()) return undefined; // sockets, FIFOs, devices: not objects
    let stat: Stats;
    try {
      stat = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A plain file that vanished since readdir is simply no longer there; a symlink whose target cannot be
      // reached is an input file that cannot be read.
      if (!symlink && isMissing(err)) return undefined;
      if (!symlink || typeof code !== 'string') throw err;
      return { key: rel, size: 0, etag: '', problem: { reason: 'unreadable', detail: `${code}: symlink target cannot be read` } };
    }
    if (stat.isDirectory()) {
      const real = symlink ? realpathSync(abs, { encoding: 'buffer' }) : Buffer.concat([dir.real, SEPARATOR, name]);
      const id = real.toString('latin1');
      // A link back into a folder this walk is inside would list it forever; its files are listed via that folder.
      if (dir.chain.has(id)) return undefined;
      return { abs, real, rel, badName, chain: new Set(dir.chain).add(id) };
    }
    if (!stat.isFile()) return undefined;
    const info: ObjectInfo = { key: rel, size: stat.size, etag: `${stat.size}-${Math.round(stat.mtimeMs)}`, modified: stat.mtimeMs };
    if (badName) info.problem = { reason: 'invalid-file-name', detail: `the path is not valid UTF-8: ${rel}` };
    return info;
  }

  async get(key: string): Promise<Buffer> {
    const file = this.pathOf(key);
    await syncWork.due();
    return readIfSmall(file) ?? fs.readFile(file);
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

  async put(key: string, body: Buffer | string): Promise<void> {
    // A string is at most three bytes per UTF-16 unit: bounded without encoding it twice.
    const bytes = typeof body === 'string' ? body.length * 3 : body.length;
    if (bytes > SMALL_FILE_BYTES) return this.replace(key, (temp) => fs.writeFile(temp, body));
    await syncWork.due();
    this.replaceSync(key, body);
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

  /**
   * Moves whole folders where the published side has none yet, as Hadoop's FileOutputCommitter merges a job's output:
   * a first load of the songs table is then a rename per year folder instead of one per artist's file. A staged
   * folder moves whole only if it holds nothing but listed files (never a crashed put's temp file or an object the
   * caller did not name); anything else is merged file by file. Staged folders left empty go with the staging area.
   */
  async promoteTree(fromPrefix: string, toPrefix: string, rels: string[], concurrency: number): Promise<void> {
    const moves: [string, string][] = [];
    await planMerge(this.pathOf(fromPrefix), this.pathOf(toPrefix), treeOf(rels), moves);
    const made = new Map<string, Promise<unknown>>();
    const madeDir = (dir: string) => made.get(dir) ?? made.set(dir, fs.mkdir(dir, { recursive: true })).get(dir)!;
    await mapLimit(moves, concurrency, async ([from, to]) => {
      await madeDir(path.dirname(to));
      try {
        await fs.rename(from, to);
      } catch (err) {
        // Moved by an earlier attempt of the same publish, as in `promote`.
        if (!isMissing(err)) throw withPath(err, to);
      }
    });
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (!prefix.endsWith('/')) throw new Error(`Not a folder prefix: ${prefix}`);
    const dir = this.pathOf(prefix);
    // Links inside are removed, never followed.
    await fs.rm(dir, { recursive: true, force: true });
    await this.pruneEmptyParents(path.dirname(dir));
  }

  /** Writes the new content beside the target and renames it over: readers see the old file or the new one. */
  private async replace(key: string, write: (temp: string) => Promise<void>): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = this.tempBeside(target);
    try {
      await write(temp);
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw withPath(err, target);
    }
  }

  /** `replace` of a small body, synchronously: the thread pool's round trips would cost more than the calls. */
  private replaceSync(key: string, body: Buffer | string): void {
    const target = this.pathOf(key);
    mkdirSync(path.dirname(target), { recursive: true });
    const temp = this.tempBeside(target);
    try {
      writeFileSync(temp, body);
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { force: true });
      throw withPath(err, target);
    }
  }

  private tempBeside(target: string): string {
    return path.join(path.dirname(target), `${TEMP_PREFIX}${TEMP_TAG}${(tempCount++).toString(36)}`);
  }

  async deleteMany(keys: string[]): Promise<void> {
    // Concurrent: a rerun whose songs changed removes thousands of stale files. Two removals emptying the same folder
    // both try to prune it; the second finds it gone and stops.
    await mapLimit(keys, DELETE_CONCURRENCY, async (key) => {
      try {
        await fs.rm(this.pathOf(key), { force: true });
      } catch (err) {
        // force only ignores ENOENT; a key below an existing object (ENOTDIR) is just as absent, as on S3.
        if (!isMissing(err)) throw err;
      }
      await this.pruneEmptyParents(path.dirname(this.pathOf(key)));
    });
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

/**
 * Listed files below one folder, as a range of the sorted relative paths and how much of each path the folder's own
 * path takes: no node per folder is built, so a tree of a million one-file folders costs its paths alone. Paths below
 * one folder are contiguous in sorted order, so each sub-folder is a range too.
 */
interface Tree {
  paths: string[];
  lo: number;
  hi: number;
  offset: number;
}

function treeOf(rels: string[]): Tree {
  const paths = [...rels].sort();
  return { paths, lo: 0, hi: paths.length, offset: 0 };
}

/** A folder's listed files by name and its listed sub-folders by name, made when the folder is visited. */
function entriesOf(tree: Tree): { files: Set<string>; dirs: Map<string, Tree> } {
  const files = new Set<string>();
  const dirs = new Map<string, Tree>();
  for (let i = tree.lo; i < tree.hi; ) {
    const rel = tree.paths[i];
    const slash = rel.indexOf('/', tree.offset);
    if (slash === -1) {
      files.add(rel.slice(tree.offset));
      i++;
      continue;
    }
    const prefix = rel.slice(0, slash + 1);
    let end = i + 1;
    while (end < tree.hi && tree.paths[end].startsWith(prefix)) end++;
    dirs.set(rel.slice(tree.offset, slash), { paths: tree.paths, lo: i, hi: end, offset: slash + 1 });
    i = end;
  }
  return { files, dirs };
}

/** The renames that put `tree` from `from` to `to`: a folder whole where `to` has none and `from` holds only `tree`. */
async function planMerge(from: string, to: string, tree: Tree, moves: [string, string][]): Promise<void> {
  const { files, dirs } = entriesOf(tree);
  for (const [name, child] of dirs) {
    const source = path.join(from, name);
    const target = path.join(to, name);
    const shape = await shapeOf(source, child);
    if (shape === 'gone') continue; // moved whole by an earlier attempt
    if (shape === 'only-listed' && lstatSync(target, { throwIfNoEntry: false }) === undefined) moves.push([source, target]);
    else await planMerge(source, target, child, moves);
  }
  for (const name of files) moves.push([path.join(from, name), path.join(to, name)]);
}

/**
 * Whether a staged folder holds exactly what the tree lists, nothing else. Read synchronously: these are small,
 * freshly written (cached) folders, tens of thousands of them, and a thread-pool round trip each costs ten times more.
 */
async function shapeOf(dir: string, tree: Tree): Promise<'gone' | 'only-listed' | 'mixed'> {
  await syncWork.due();
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return 'gone';
    throw err;
  }
  const listed = entriesOf(tree);
  let mixed = false;
  for (const entry of entries) {
    const child = entry.isDirectory() ? listed.dirs.get(entry.name) : undefined;
    if (child) mixed ||= (await shapeOf(path.join(dir, entry.name), child)) !== 'only-listed';
    else mixed ||= !(entry.isFile() && listed.files.has(entry.name));
  }
  return mixed ? 'mixed' : 'only-listed';
}

/** The whole file if it is at most SMALL_FILE_BYTES long, else undefined (and nothing read). */
function readIfSmall(file: string): Buffer | undefined {
  const fd = openSync(file, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > SMALL_FILE_BYTES) return undefined;
    const out = Buffer.allocUnsafe(size);
    let read = 0;
    for (let n = -1; read < size && n !== 0; read += n) n = readSync(fd, out, read, size - read, read);
    // A file cut short since fstat is returned as it now is, as readFile would.
    return read === size ? out : out.subarray(0, read);
  } finally {
    closeSync(fd);
  }
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
