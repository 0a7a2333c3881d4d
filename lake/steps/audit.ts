import { AuditFailed } from '../errors';
import { sha256Hex } from '../hash';
import { dataFileKey, monthPartition } from '../layout';
import { fromNdjson } from '../ndjson';
import { readColumns } from '../parquet/read-columns';
import { listAll } from '../storage/object-store';
import type { TableName } from '../tables/catalog';
import type { UserState } from '../tables/users';
import type { StepContext } from './context';
import { ascending, FailureList, KeyColumnAudit, type Failures } from './key-audit';
import { readJson, readJsonUnder } from './staged-reader';
import { isStaged, stagedBytes, withStagedBytes } from './staged-files';
import type { TableSet, WrittenSummary } from './write-partitions';

/** The column the contract promises one row per value of, for each table audit reads back. */
const KEY_COLUMN: Record<Exclude<TableName, 'users'>, string> = {
  songs: 'song_id',
  artists: 'artist_id',
  time: 'start_time',
  songplays: 'songplay_id',
};

export interface AuditCheck {
  check: string;
  table: string;
  failures: number;
  examples: unknown[];
}

export interface AuditResult {
  /** Checks run, each on one table. */
  checks: number;
  filesRead: number;
  rowsRead: number;
}

/**
 * The data-quality gate before publish, as the Airflow version of this pipeline has it. On the run's staged
 * partitions (those unchanged since the last publish were audited when they were published):
 * - every file's bytes hash to what the write step recorded (and publish will put in place), read back with
 *   hyparquet, and hold the row count the transform reported;
 * - key columns are not null and unique where the contract says one row per key (songs.song_id, artists.artist_id,
 *   time.start_time, songplays.songplay_id; users.user_id over the month's user states);
 * - every songplay's start_time is in the month's `time` partition and its user in the month's users.
 * A failed check throws AuditFailed naming the check, the table and example rows; nothing has been published yet.
 * One call audits one write task's tables, so the dimensions' audit runs while the facts are still being built.
 */
export async function audit(ctx: StepContext, set: TableSet): Promise<AuditResult> {
  const written = await readJsonUnder<WrittenSummary>(ctx, ctx.staging.writtenPrefix(set));
  // The month's songplays file is read once, for its keys and for the reference checks.
  const read: FilesRead = new Map();
  const findings = await readBack(ctx, written, read);
  return judge(ctx, set, written, async function* () {
    yield findings;
  }, read);
}

/** As a fan-out: part i reads back write part i's files, on any worker. */
export async function auditPart(ctx: StepContext, set: TableSet, part: number): Promise<{ filesRead: number; rowsRead: number }> {
  const summary = await readJson<WrittenSummary>(ctx, ctx.staging.written(set, part));
  const findings = await readBack(ctx, [summary], new Map());
  await ctx.output.put(ctx.staging.auditPart(set, part), JSON.stringify(findings, bigints));
  return { filesRead: findings.filesRead, rowsRead: findings.rowsRead };
}

/** The checks across parts: uniqueness over every part's keys, users, and the facts' references. */
export async function finishAudit(ctx: StepContext, set: TableSet): Promise<AuditResult> {
  // Counted, not read: the dimensions' summaries name a file per artist, and only the facts' checks need them.
  const writtenParts = await listAll(ctx.output, ctx.staging.writtenPrefix(set));
  const parts = await listAll(ctx.output, ctx.staging.auditPartPrefix(set));
  if (parts.length !== writtenParts.length) throw new Error(`audit has ${parts.length} of ${writtenParts.length} parts read back`);
  const written = set === 'facts' ? await readJsonUnder<WrittenSummary>(ctx, ctx.staging.writtenPrefix(set)) : [];
  // One part's findings in memory at a time.
  return judge(ctx, set, written, async function* () {
    for (const part of parts) yield await readJson<Findings>(ctx, part.key);
  }, new Map());
}

/** Columns of staged files already read in this call, by the key they will be published at. */
type FilesRead = Map<string, { rows: number; values: Map<string, unknown[]> }>;

/**
 * What the reference checks read of the facts besides their keys (songplays' start_time and user_id; time's key is
 * what they look up): read with the key, in the same pass, and kept for the checks, so no file is decoded twice.
 */
const REFERENCE_COLUMNS: Partial<Record<TableName, string[]>> = { songplays: ['start_time', 'user_id'], time: [] };

/**
 * What reading back staged files found, per table: files whose bytes are not those the write step hashed, files the
 * reader cannot decode, row counts that differ, and every key value.
 */
interface Findings {
  filesRead: number;
  rowsRead: number;
  tables: { table: string; column: string; altered: unknown[]; unreadable: unknown[]; counts: unknown[]; keys: unknown[] }[];
}

async function readBack(ctx: StepContext, written: WrittenSummary[], read: FilesRead): Promise<Findings> {
  const findings: Findings = { filesRead: 0, rowsRead: 0, tables: [] };
  const tables = new Set(written.map((w) => w.table));
  for (const table of (Object.keys(KEY_COLUMN) as (keyof typeof KEY_COLUMN)[]).filter((t) => tables.has(t))) {
    const column = KEY_COLUMN[table];
    const files = written.filter((w) => w.table === table).flatMap((w) => w.files.filter(isStaged));
    const found = { table, column, altered: [] as unknown[], unreadable: [] as unknown[], counts: [] as unknown[], keys: [] as unknown[] };
    const keysPerFile: unknown[][] = [];
    await withStagedBytes(ctx, files, async (file, bytes) => {
      const extra = REFERENCE_COLUMNS[table];
      findings.filesRead++;
      if (sha256Hex(bytes) !== file.sha256) found.altered.push({ file: file.key, staged: file.staged, sha256Written: file.sha256 });
      // A file that does not decode is a verdict on the staged data, not a fault a retry could fix.
      const decoded = await readColumns(bytes, [column, ...(extra ?? [])]).catch((err: Error) => {
        found.unreadable.push({ file: file.key, error: err.message });
        return undefined;
      });
      if (!decoded) return;
      const { rows, values } = decoded;
      if (extra) read.set(file.key, { rows, values });
      findings.rowsRead += rows;
      if (rows !== file.rows) found.counts.push({ file: file.key, rowsReported: file.rows, rowsRead: rows });
      keysPerFile.push(values.get(column)!);
    });
    // A one-file table's keys (a month's millions) are taken as read, not copied.
    found.keys = keysPerFile.length === 1 ? keysPerFile[0] : keysPerFile.flat();
    findings.tables.push(found);
  }
  return findings;
}

/** Every part's findings, one at a time; called again when a uniqueness check must look at some keys once more. */
type FindingsSource = () => AsyncIterable<Findings>;

async function judge(ctx: StepContext, set: TableSet, written: WrittenSummary[], findings: FindingsSource, read: FilesRead): Promise<AuditResult> {
  const failed: AuditCheck[] = [];
  const result: AuditResult = { checks: 0, filesRead: 0, rowsRead: 0 };
  const check = (name: string, table: string, { count, examples }: Failures) => {
    result.checks++;
    if (count > 0) failed.push({ check: name, table, failures: count, examples });
  };
  const tables = new Map<string, { keys: KeyColumnAudit; altered: FailureList; unreadable: FailureList; counts: FailureList }>();
  for await (const f of findings()) {
    result.filesRead += f.filesRead;
    result.rowsRead += f.rowsRead;
    for (const t of f.tables) {
      let table = tables.get(t.table);
      if (!table) tables.set(t.table, (table = { keys: new KeyColumnAudit(t.column), altered: new FailureList(), unreadable: new FailureList(), counts: new FailureList() }));
      table.keys.add(t.keys);
      table.altered.add(t.altered);
      table.unreadable.add(t.unreadable);
      table.counts.add(t.counts);
    }
  }
  for (const name of Object.keys(KEY_COLUMN).filter((t) => tables.has(t))) {
    const table = tables.get(name)!;
    const column = table.keys.column;
    check('bytes read back hash to what the write step staged', name, table.altered);
    check('reads back with hyparquet', name, table.unreadable);
    check('row count read back equals the count reported', name, table.counts);
    check(`${column} is not null`, name, table.keys.nulls);
    const keysAgain = async function* () {
      for await (const f of findings()) for (const t of f.tables) if (t.table === name) yield t.keys;
    };
    check(`${column} is unique`, name, await table.keys.duplicates(keysAgain));
  }

  const users = fromNdjson<UserState>(await ctx.output.get(ctx.staging.userState())).map((u) => u.user_id);
  if (set === 'dimensions') {
    check('user_id is not null', 'users', FailureList.of(users.filter((u) => u === null || u === undefined || u === '')));
    const userIds = new KeyColumnAudit('user_id');
    userIds.add(users);
    check('user_id is unique', 'users', await userIds.duplicates(async function* () {
      yield users;
    }));
  } else {
    const plays = await monthColumns(ctx, written, 'songplays', ['songplay_id', 'start_time', 'user_id'], read);
    // A month without a single play has no songplays to check against time and users.
    if (plays) await checkReferences(ctx, written, plays, users, check, read);
  }

  if (failed.length > 0) throw new AuditFailed(describeFailures(failed));
  ctx.progress.report(result);
  return result;
}

async function checkReferences(
  ctx: StepContext,
  written: WrittenSummary[],
  plays: { rows: number; values: Map<string, unknown[]> },
  users: string[],
  check: (name: string, table: string, bad: Failures) => void,
  read: FilesRead,
): Promise<void> {
  const time = await monthColumns(ctx, written, 'time', ['start_time'], read);
  // A month's start times are a million or more: a sorted array and a binary search, not a Set of boxed numbers.
  const times = sortedNumbers(time?.values.get('start_time') ?? []);
  const known = new Set(users);
  const [ids, starts, userIds] = ['songplay_id', 'start_time', 'user_id'].map((c) => plays.values.get(c)!);
  const orphan = (pred: (i: number) => boolean) => {
    const out = new FailureList();
    for (let i = 0; i < plays.rows; i++) if (pred(i)) out.push({ songplay_id: String(ids[i]), start_time: starts[i], user_id: userIds[i] });
    return out;
  };
  check("every songplay's start_time is in time", 'songplays', orphan((i) => !containsSorted(times, starts[i])));
  check("every songplay's user is in users", 'songplays', orphan((i) => !known.has(userIds[i] as string)));
}

/** Columns of the month's partition of a fact table as it will be after publish: staged if it changed, else the published one. */
async function monthColumns(
  ctx: StepContext,
  written: WrittenSummary[],
  table: 'songplays' | 'time',
  columns: string[],
  read: FilesRead,
): Promise<{ rows: number; values: Map<string, unknown[]> } | undefined> {
  const key = dataFileKey(table, monthPartition(ctx.month));
  const file = written.filter((w) => w.table === table).flatMap((w) => w.files).find((f) => f.key === key);
  if (!file) return undefined;
  return read.get(file.key) ?? readColumns(isStaged(file) ? await stagedBytes(ctx, file) : await ctx.output.get(file.key), columns);
}

/** Numbers (timestamps) ascending; anything else (a null) sorts as NaN and is never found. */
function sortedNumbers(values: unknown[]): Float64Array {
  return ascending(Float64Array.from(values, (v) => (typeof v === 'number' ? v : NaN)));
}

function containsSorted(sorted: Float64Array, value: unknown): boolean {
  if (typeof value !== 'number') return false;
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] === value) return true;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function describeFailures(failed: AuditCheck[]): string {
  const lines = failed.map((f) => `${f.table}: ${f.check} failed for ${f.failures} row(s), e.g. ${JSON.stringify(f.examples, bigints)}`);
  return `Audit failed, nothing was published: ${lines.join('; ')}`;
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
