import { mapLimit } from '../concurrency';
import { dataFileKey, lakeKeys, ownedPrefix, SUCCESS_FILE } from '../layout';
import { addCounts, type QuarantineRecord, type ReasonCounts } from '../model';
import { toNdjson } from '../ndjson';
import { encodeParquet } from '../parquet/encode';
import { TABLES, TABLE_NAMES, type TableName } from '../tables/catalog';
import { latestUserStates, toUserRow, type UserState } from '../tables/users';
import { listAll, type ObjectInfo } from '../storage/object-store';
import type { StepContext } from './context';
import { discardStaging } from './discard-staging';
import { readJson, readJsonUnder, readStaged } from './staged-reader';
import type { WrittenSummary } from './write-partitions';
import type { Source, StageResult } from './stage';
import type { FactsResult } from './transform-facts';

export interface RunReport {
  workflowId: string;
  runId: string;
  year: number;
  month: number;
  input: string;
  output: string;
  tables: Record<TableName, number>;
  songplaysWithSong: number;
  filesPublished: Record<TableName, number>;
  staleFilesRemoved: number;
  quarantined: { total: number; byReason: ReasonCounts; bySource: Record<Source, number>; keys: string[] };
  /** Objects and bytes fetched from the input; song files unchanged since the last run are reused, not fetched. */
  read: { objects: number; bytes: number; songFilesReused: number };
  /** Wall-clock seconds of each DAG task, as the workflow measured them. */
  steps: Record<string, number>;
  committedAt: string;
}

/**
 * Makes the month's run visible: merges the users table across months, publishes quarantine, removes files an earlier
 * run left that this one did not write, marks each table with _SUCCESS and writes the run report. Retry-safe: every
 * action is a replace or a delete, and the staging area it reads is removed only after the report exists.
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
  const usersKey = await publishUsers(ctx);
  const published = new Set([...written.flatMap((w) => w.files.map((f) => f.key)), usersKey.key]);
  const staleFilesRemoved = await removeStale(ctx, published);
  const quarantined = await publishQuarantine(ctx);
  await mapLimit(TABLE_NAMES, ctx.ioConcurrency, (table) => ctx.output.put(`${table}/${SUCCESS_FILE}`, ''));

  const tables = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
  const filesPublished = { ...tables };
  for (const summary of written) {
    for (const file of summary.files) {
      tables[summary.table] += file.rows;
      filesPublished[summary.table]++;
    }
  }
  tables.users = usersKey.rows;
  filesPublished.users = 1;

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
    staleFilesRemoved,
    quarantined,
    read: await inputVolume(ctx),
    steps: { ...steps, publish: (Date.now() - started) / 1000 },
    committedAt: new Date().toISOString(),
  };
  const body = JSON.stringify(report, null, 2);
  await ctx.output.put(lakeKeys.latestRunReport(ctx.month), body);
  await ctx.output.put(reportKey, body);
  await discardStaging(ctx);
  return report;
}

async function readWritten(ctx: StepContext): Promise<WrittenSummary[]> {
  return readJsonUnder<WrittenSummary>(ctx, ctx.staging.writtenPrefix());
}

/**
 * Users span every month loaded: each month keeps its latest states, and the table is their merge, so any order of
 * month runs converges to the same table. Concurrent runs may each write the table; every writer lists the states
 * again after its write and rebuilds if they changed meanwhile, so the last write always reflects every state put
 * before it, without a lock. (A state put after that listing belongs to a run that writes the table later still.)
 */
async function publishUsers(ctx: StepContext): Promise<{ key: string; rows: number }> {
  await ctx.output.put(lakeKeys.userState(ctx.month), await ctx.output.get(ctx.staging.userState()));
  const key = dataFileKey('users', '');
  let listing = await listAll(ctx.output, lakeKeys.userStatePrefix());
  for (;;) {
    const users = latestUserStates(await readStaged<UserState>(ctx, listing)).map(toUserRow);
    await ctx.output.put(key, await encodeParquet(TABLES.users, users));
    const after = await listAll(ctx.output, lakeKeys.userStatePrefix());
    if (fingerprint(after) === fingerprint(listing)) return { key, rows: users.length };
    listing = after;
  }
}

function fingerprint(objects: ObjectInfo[]): string {
  return objects.map((o) => `${o.key}\u0000${o.etag}`).join('\n');
}

async function removeStale(ctx: StepContext, published: Set<string>): Promise<number> {
  let removed = 0;
  for (const table of TABLE_NAMES) {
    const owned = await listAll(ctx.output, ownedPrefix(table, ctx.month));
    const stale = owned.map((o) => o.key).filter((key) => !published.has(key) && !key.endsWith(`/${SUCCESS_FILE}`));
    await ctx.output.deleteMany(stale);
    removed += stale.length;
  }
  return removed;
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

/** What the stage calls fetched and what the song cache spared, from the stats each call left in staging. */
async function inputVolume(ctx: StepContext): Promise<RunReport['read']> {
  const stats = await readJsonUnder<StageResult>(ctx, ctx.staging.stageStatsPrefix());
  return {
    objects: stats.reduce((sum, s) => sum + s.objectsRead, 0),
    bytes: stats.reduce((sum, s) => sum + s.bytesRead, 0),
    songFilesReused: stats.reduce((sum, s) => sum + s.objectsReused, 0),
  };
}
