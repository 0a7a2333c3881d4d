import { mapLimit } from '../concurrency';
import { sha256Hex } from '../hash';
import { dataFileKey, lakeKeys, successKey } from '../layout';
import { addCounts, type QuarantineRecord, type ReasonCounts } from '../model';
import { toNdjson } from '../ndjson';
import { encodeParquet } from '../parquet/encode';
import { TABLES, TABLE_NAMES, type TableName } from '../tables/catalog';
import { latestUserStates, toUserRow, type UserState } from '../tables/users';
import { listAll, type ObjectInfo } from '../storage/object-store';
import type { StepContext } from './context';
import { discardStaging } from './discard-staging';
import { readPublishedFiles, writePublishedFiles, type PublishedFile } from './published-files';
import { publishKeptCatalogue, readStagedCatalogue } from './kept-catalogue';
import { keptObjectKeys, type KeptEventsPlan } from './kept-events';
import { readJson, readJsonUnder, readStaged } from './staged-reader';
import { isStaged, withStagedBytes } from './staged-files';
import type { WrittenFile, WrittenSummary } from './write-partitions';
import type { Source, StageResult } from './stage';
import type { FactsResult, SegmentResult } from './transform-facts';

export interface RunReport {
  workflowId: string;
  runId: string;
  year: number;
  month: number;
  input: string;
  output: string;
  tables: Record<TableName, number>;
  songplaysWithSong: number;
  /** Files of each table that this run's publish put in place: those whose content changed. */
  filesPublished: Record<TableName, number>;
  /** Files of each table left as they were, their new content being byte for byte the published one. */
  filesUnchanged: Record<TableName, number>;
  staleFilesRemoved: number;
  quarantined: { total: number; byReason: ReasonCounts; bySource: Record<Source, number>; keys: string[] };
  /**
   * Objects and bytes fetched from the input; song files and event logs unchanged since the last run (same ETag) are
   * reused, not fetched.
   */
  read: {
    objects: number;
    bytes: number;
    songFilesReused: number;
    eventFilesReused: number;
    /** The song tree listed as the lake's kept catalogue: no song file was staged (absent in older reports). */
    songCatalogueKept?: boolean;
  };
  /** Wall-clock seconds of each DAG task, as the workflow measured them. */
  steps: Record<string, number>;
  committedAt: string;
}

/** The tables whose partitions the write tasks stage; users is merged and written by publish itself. */
const STAGED_TABLES = TABLE_NAMES.filter((t): t is Exclude<TableName, 'users'> => t !== 'users');

/**
 * The commit: makes the audited run visible. Per table, `_SUCCESS` goes first; the staged partitions are copied to
 * their final keys (each one a whole-object replace), files the lake published before under the run's owned prefix
 * and no longer produces are deleted, the lake's record of its files is rewritten, and `_SUCCESS` comes back last.
 * Then users are merged across months, quarantine is published and the run report written. Resumable: every action
 * is a replace or a delete of a known key, the staging it reads goes only after the report exists, and a retry
 * finds the report and returns it.
 */
export async function publish(ctx: StepContext, steps: Record<string, number>): Promise<RunReport> {
  const reportKey = lakeKeys.runReport(ctx.month, ctx.runId);
  const existing = await ctx.output.getIfExists(reportKey);
  if (existing) {
    await discardStaging(ctx);
    return JSON.parse(existing.toString('utf8')) as RunReport;
  }
  const started = Date.now();

  const written = await readWritten(ctx);
  const tables = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
  const filesPublished = { ...tables };
  const filesUnchanged = { ...tables };
  let staleFilesRemoved = 0;
  for (const table of STAGED_TABLES) {
    const summaries = written.filter((w) => w.table === table);
    if (summaries.some((w) => w.unchanged)) {
      // Rebuilt from the same rows as the published table: its files and record stay as they are. Its _SUCCESS too,
      // unless a publish that died before writing it left it out.
      if (!(await ctx.output.getIfExists(successKey(table)))) await ctx.output.put(successKey(table), '');
      for (const file of Object.values((await readPublishedFiles(ctx.output, table, ctx.month)).files)) {
        tables[table] += file.rows;
        filesUnchanged[table]++;
      }
      continue;
    }
    const files = summaries.flatMap((w) => w.files);
    staleFilesRemoved += await publishTable(ctx, table, files, summaries[0]?.inputs);
    for (const file of files) {
      tables[table] += file.rows;
      if (file.staged !== undefined || file.inTree) filesPublished[table]++;
      else filesUnchanged[table]++;
    }
  }
  const users = await publishUsers(ctx);
  tables.users = users.rows;
  filesPublished.users = 1;
  const quarantined = await publishQuarantine(ctx);
  await publishSongCache(ctx);
  const catalogue = await readStagedCatalogue(ctx);
  await publishKeptCatalogue(ctx, catalogue);
  await publishKeptEvents(ctx);

  const report: RunReport = {
    workflowId: ctx.workflowId,
    runId: ctx.runId,
    year: ctx.month.year,
    month: ctx.month.month,
    input: ctx.input.description,
    output: ctx.output.description,
    tables,
    songplaysWithSong: await countSongplaysWithSong(ctx),
    filesPublished,
    filesUnchanged,
    staleFilesRemoved,
    quarantined,
    read: { ...(await inputVolume(ctx)), songCatalogueKept: catalogue.kept !== undefined },
    steps: { ...steps, publish: (Date.now() - started) / 1000 },
    committedAt: new Date().toISOString(),
  };
  const body = JSON.stringify(report, null, 2);
  await ctx.output.put(lakeKeys.latestRunReport(ctx.month), body);
  await ctx.output.put(reportKey, body);
  await discardStaging(ctx);
  return report;
}

/** Publishes one table's part of the run (a dimension whole, a fact table's month); returns the stale files removed. */
async function publishTable(ctx: StepContext, table: TableName, files: PublishFile[], inputs: string | undefined): Promise<number> {
  const before = await readPublishedFiles(ctx.output, table, ctx.month);
  await ctx.output.deleteMany([successKey(table)]);
  await promoteStaged(ctx, table, files);
  const now = new Set(files.map((f) => f.key));
  // Only what the lake itself published under this prefix: never a file someone else keeps beside the tables.
  const stale = Object.keys(before.files).filter((key) => !now.has(key));
  await ctx.output.deleteMany(stale);
  await writePublishedFiles(ctx.output, table, ctx.month, files.map((f) => [f.key, f] as [string, PublishedFile]), inputs);
  await ctx.output.put(successKey(table), '');
  return stale.length;
}

/**
 * Partitions write-partitions encoded are staged in the table's own layout and go over as a tree (whole folders
 * where the lake has none yet); the facts' assembled files come from elsewhere in staging and go one by one. Where
 * promoting is a copy (S3), small partitions were staged in packs: each is put at its key from the pack's bytes, a
 * request per file, as a copy would be.
 */
async function promoteStaged(ctx: StepContext, table: TableName, files: PublishFile[]): Promise<void> {
  const toPrefix = `${table}/`;
  const rels = files.filter((f) => f.inTree).map((f) => f.key.slice(toPrefix.length));
  await ctx.output.promoteTree(ctx.staging.encodedTablePrefix(table), toPrefix, rels, ctx.ioConcurrency);
  const elsewhere = files.filter(isStaged);
  await mapLimit(elsewhere.filter((f) => !f.range), ctx.ioConcurrency, (f) => ctx.output.promote(f.staged, f.key));
  await withStagedBytes(ctx, elsewhere.filter((f) => f.range), (file, bytes) => ctx.output.put(file.key, bytes));
}

/**
 * A written file as publish holds it. A partition staged in its table's own staging tree says so (`inTree`) instead
 * of carrying its staged key, which is derived from its key: that key is half of what a songs table of a million
 * files takes in memory.
 */
type PublishFile = WrittenFile & { inTree?: true };

/** A few summaries read at a time: the dimensions' name a file per artist, and their JSON need not be in memory at once. */
async function readWritten(ctx: StepContext): Promise<(Omit<WrittenSummary, 'files'> & { files: PublishFile[] })[]> {
  return mapLimit(await listAll(ctx.output, ctx.staging.writtenPrefix()), SUMMARIES_AT_ONCE, async (o) => {
    const summary = await readJson<WrittenSummary>(ctx, o.key);
    const fromPrefix = ctx.staging.encodedTablePrefix(summary.table);
    const toPrefix = `${summary.table}/`;
    const compact = (f: WrittenFile): PublishFile =>
      !f.range && f.key.startsWith(toPrefix) && f.staged === fromPrefix + f.key.slice(toPrefix.length) ? { key: f.key, rows: f.rows, bytes: f.bytes, sha256: f.sha256, inTree: true } : f;
    return { ...summary, files: summary.files.map(compact) };
  });
}

const SUMMARIES_AT_ONCE = 4;

/**
 * Users span every month loaded: each month keeps its latest states, and the table is their merge, so any order of
 * month runs converges to the same table. Concurrent runs may each write the table; every writer lists the states
 * again after its write and rebuilds if they changed meanwhile, so the last write always reflects every state put
 * before it, without a lock. (A state put after that listing belongs to a run that writes the table later still.)
 */
async function publishUsers(ctx: StepContext): Promise<{ key: string; rows: number }> {
  await ctx.output.put(lakeKeys.userState(ctx.month), await ctx.output.get(ctx.staging.userState()));
  const key = dataFileKey('users', '');
  await ctx.output.deleteMany([successKey('users')]);
  let listing = await listAll(ctx.output, lakeKeys.userStatePrefix());
  for (;;) {
    const users = latestUserStates(await readStaged<UserState>(ctx, listing)).map(toUserRow);
    const bytes = await encodeParquet(TABLES.users, users);
    await ctx.output.put(key, bytes);
    const after = await listAll(ctx.output, lakeKeys.userStatePrefix());
    if (fingerprint(after) === fingerprint(listing)) {
      const sha256 = sha256Hex(bytes);
      await writePublishedFiles(ctx.output, 'users', ctx.month, [[key, { rows: users.length, bytes: bytes.length, sha256 }]]);
      await ctx.output.put(successKey('users'), '');
      return { key, rows: users.length };
    }
    listing = after;
  }
}

function fingerprint(objects: ObjectInfo[]): string {
  return objects.map((o) => `${o.key}\u0000${o.etag}`).join('\n');
}

/** The song cache the stage parts rebuilt; a later run reads only the song files whose ETag changed since. */
export async function publishSongCache(ctx: StepContext): Promise<void> {
  const prefix = ctx.staging.songCachePrefix();
  const staged = await listAll(ctx.output, prefix);
  await mapLimit(staged, ctx.ioConcurrency, (o) => ctx.output.promote(o.key, `${lakeKeys.songCachePrefix()}${o.key.slice(prefix.length)}`));
}

/**
 * The month's kept event output, as transform-facts planned it: what this run read and encoded moves from staging
 * into the lake's `_state/events/`, the index is rewritten, and whatever of the month's kept output the new index
 * no longer names (logs gone from the input or changed, songplays joined with an old lookup) is deleted. Runs after
 * the quarantine and users are published from the same staged objects; as safe to repeat as `promote`.
 */
async function publishKeptEvents(ctx: StepContext): Promise<void> {
  const plan = await readJson<KeptEventsPlan>(ctx, ctx.staging.keptEvents());
  await mapLimit(plan.moves, ctx.ioConcurrency, ({ from, to }) => ctx.output.promote(from, to));
  const indexKey = lakeKeys.keptEventsIndex(ctx.month);
  await ctx.output.put(indexKey, JSON.stringify(plan.index));
  const named = new Set([indexKey, ...Object.values(plan.index.files).flatMap(keptObjectKeys)]);
  const unnamed = (await listAll(ctx.output, lakeKeys.keptEventsPrefix(ctx.month))).filter((o) => !named.has(o.key));
  await ctx.output.deleteMany(unnamed.map((o) => o.key));
}

async function publishQuarantine(ctx: StepContext): Promise<RunReport['quarantined']> {
  const byReason: ReasonCounts = {};
  const bySource: Record<Source, number> = { songs: 0, events: 0 };
  const keys: string[] = [];
  const targets: Record<Source, string> = { songs: lakeKeys.songQuarantine(), events: lakeKeys.eventQuarantine(ctx.month) };
  for (const source of ['songs', 'events'] as const) {
    const records = await readStaged<QuarantineRecord>(ctx, ctx.staging.quarantinePrefix(source));
    for (const r of records) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    bySource[source] = records.length;
    if (records.length > 0) {
      await ctx.output.put(targets[source], toNdjson(records));
      keys.push(targets[source]);
    } else {
      await ctx.output.deleteMany([targets[source]]);
    }
  }
  return { total: bySource.songs + bySource.events, byReason: addCounts({}, byReason), bySource, keys };
}

async function countSongplaysWithSong(ctx: StepContext): Promise<number> {
  return (await readJson<FactsResult>(ctx, ctx.staging.factsStats())).songplaysWithSong;
}

/**
 * What the stage calls fetched (and transform-facts, for kept logs joined with a new song lookup) and what the song
 * cache and the kept logs spared, from the stats each call left in staging.
 */
async function inputVolume(ctx: StepContext): Promise<Omit<RunReport['read'], 'songCatalogueKept'>> {
  const stats = await readJsonUnder<StageResult>(ctx, ctx.staging.stageStatsPrefix());
  const rejoined = await readJsonUnder<SegmentResult>(ctx, ctx.staging.segmentStatsPrefix());
  const reads = [...stats, ...rejoined];
  return {
    objects: reads.reduce((sum, s) => sum + s.objectsRead, 0),
    bytes: reads.reduce((sum, s) => sum + s.bytesRead, 0),
    songFilesReused: stats.filter((s) => s.source === 'songs').reduce((sum, s) => sum + s.objectsReused, 0),
    eventFilesReused: stats.filter((s) => s.source === 'events').reduce((sum, s) => sum + s.objectsReused, 0),
  };
}
