import { createHash } from 'node:crypto';
import { parseEventLog } from '../input/events';
import { parseSongFile } from '../input/songs';
import { formatMonth } from '../month';
import { addCounts, type PlayEvent, type QuarantineRecord, type ReasonCounts, type SongRecord } from '../model';
import { latestUserStates, userStateOf } from '../tables/users';
import { mapLimit } from '../concurrency';
import { stagingBudget } from '../memory-budget';
import { fromNdjson, toNdjson } from '../ndjson';
import { inputKeys, lakeKeys } from '../layout';
import type { ObjectInfo } from '../storage/object-store';
import { InputError } from '../errors';
import { claimOutput } from './claim-output';
import type { StepContext } from './context';
import { readJson, readStaged } from './staged-reader';

export type Source = 'songs' | 'events';

/** Objects per fan-out call (songs: the target; the shard count is a power of two), and per resumable batch. */
const PART_SIZE: Record<Source, number> = { songs: 2000, events: 8 };
const BATCH_SIZE: Record<Source, number> = { songs: 250, events: 1 };
const MAX_SONG_SHARDS = 1024;

export interface StagePlan {
  parts: number;
  objects: number;
  bytes: number;
}

export interface StageResult {
  source: Source;
  /** Objects fetched from the input. */
  objectsRead: number;
  bytesRead: number;
  /** Song files unchanged since an earlier run (same ETag), taken from the song cache instead of read again. */
  objectsReused: number;
  records: number;
  /** Valid events of pages other than NextSong. */
  otherEvents: number;
  quarantined: ReasonCounts;
}

/** What the song cache keeps per song file: enough to skip reading it again while its ETag is unchanged. */
interface SongCacheEntry {
  key: string;
  etag: string;
  song?: SongRecord;
  rejected?: QuarantineRecord;
}

function sourcePrefix(ctx: StepContext, source: Source): string {
  return source === 'songs' ? inputKeys.songPrefix() : inputKeys.eventLogPrefix(ctx.month);
}

/**
 * Lists a source tree and splits it into parts, one manifest object per part, so each call reads only its own. The
 * run's first steps: they claim the output as a lake before anything is written to it.
 * Song files are sharded by a hash of their key, so a file stays in the same part from run to run and each part's
 * cache from the previous run applies to it.
 */
export async function planStage(ctx: StepContext, source: Source): Promise<StagePlan> {
  await claimOutput(ctx);
  const prefix = sourcePrefix(ctx, source);
  const objects: ObjectInfo[] = [];
  for await (const info of ctx.input.list(prefix)) {
    if (info.key.endsWith('.json')) objects.push(info);
  }
  if (objects.length === 0) {
    const what = source === 'songs' ? 'song files' : `event logs for ${formatMonth(ctx.month)}`;
    throw new InputError(`No ${what} under ${ctx.input.description}${prefix}`);
  }
  const parts = source === 'songs' ? songShards(objects.length) : Math.ceil(objects.length / PART_SIZE.events);
  const manifests: ObjectInfo[][] = Array.from({ length: parts }, () => []);
  objects.forEach((o, i) => manifests[source === 'songs' ? shardOf(o.key, parts) : Math.floor(i / PART_SIZE.events)].push(o));
  await mapLimit(manifests, ctx.ioConcurrency, (list, part) =>
    ctx.output.put(ctx.staging.manifest(source, part), JSON.stringify({ parts, objects: list })),
  );
  return { parts, objects: objects.length, bytes: objects.reduce((sum, o) => sum + o.size, 0) };
}

function songShards(count: number): number {
  let shards = 1;
  while (shards < MAX_SONG_SHARDS && shards * PART_SIZE.songs < count) shards *= 2;
  return shards;
}

function shardOf(key: string, shards: number): number {
  return createHash('md5').update(key).digest().readUInt32BE(0) % shards;
}

interface StageCheckpoint {
  nextBatch: number;
  totals: StageResult;
}

/**
 * Validates one part's objects batch by batch into the staging area; a retried call resumes after the last batch it
 * reported. Song files whose ETag matches the song cache are not read again.
 */
export async function stagePart(ctx: StepContext, source: Source, part: number): Promise<StageResult> {
  const { parts, objects: manifest } = await readJson<{ parts: number; objects: ObjectInfo[] }>(ctx, ctx.staging.manifest(source, part));
  const cache = source === 'songs' ? await readSongCache(ctx, parts, part) : new Map<string, SongCacheEntry>();
  const batchSize = BATCH_SIZE[source];
  const checkpoint = ctx.progress.resumeFrom<StageCheckpoint>();
  const totals: StageResult = checkpoint?.totals ?? {
    source,
    objectsRead: 0,
    bytesRead: 0,
    objectsReused: 0,
    records: 0,
    otherEvents: 0,
    quarantined: {},
  };
  const batches = Math.ceil(manifest.length / batchSize);
  for (let batch = checkpoint?.nextBatch ?? 0; batch < batches; batch++) {
    const objects = manifest.slice(batch * batchSize, (batch + 1) * batchSize);
    const rows: unknown[] = [];
    const rejected: QuarantineRecord[] = [];
    const toRead = objects.filter((o) => {
      const cached = cache.get(o.key);
      if (!cached || cached.etag !== o.etag) return true;
      if (cached.song) rows.push(cached.song);
      if (cached.rejected) rejected.push(cached.rejected);
      totals.objectsReused++;
      return false;
    });
    const bytes = toRead.reduce((sum, o) => sum + o.size, 0);
    await stagingBudget.use(bytes, () => stageBatch(ctx, source, part, batch, toRead, { rows, rejected, totals }));
    totals.records += rows.length;
    const counts: ReasonCounts = {};
    for (const r of rejected) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
    addCounts(totals.quarantined, counts);
    ctx.progress.report({ nextBatch: batch + 1, totals } satisfies StageCheckpoint);
  }
  if (source === 'songs') await writeSongCache(ctx, parts, part, manifest);
  await ctx.output.put(ctx.staging.stageStats(source, part), JSON.stringify(totals));
  return totals;
}

/**
 * Fetches one batch's objects, adds what they parse into to `into` (the rows and rejects the song cache gave are
 * already there), and writes the batch's staged objects. Runs within the worker's staging budget: the bodies and
 * what they parse into are the memory it bounds.
 */
async function stageBatch(
  ctx: StepContext,
  source: Source,
  part: number,
  batch: number,
  objects: ObjectInfo[],
  into: { rows: unknown[]; rejected: QuarantineRecord[]; totals: StageResult },
): Promise<void> {
  const { rows, rejected, totals } = into;
  const bodies = await mapLimit(objects, ctx.ioConcurrency, (o) => ctx.input.get(o.key));
  objects.forEach((object, i) => {
    const text = bodies[i].toString('utf8');
    totals.objectsRead++;
    totals.bytesRead += bodies[i].length;
    if (source === 'songs') {
      const parsed = parseSongFile(object.key, text);
      if (parsed.ok) rows.push(parsed.song);
      else rejected.push(parsed.rejected);
    } else {
      const parsed = parseEventLog(object.key, text, ctx.month);
      // A loop, not push(...plays): a day of a busy app is more plays than a call's arguments may number.
      for (const play of parsed.plays) rows.push(play);
      for (const r of parsed.rejected) rejected.push(r);
      totals.otherEvents += parsed.otherPages;
    }
  });
  // Written even when empty, so a resumed call and a fresh one leave the same objects behind.
  await ctx.output.put(ctx.staging.staged(source, part, batch), toNdjson(rows));
  if (rejected.length > 0) await ctx.output.put(ctx.staging.quarantine(source, part, batch), toNdjson(rejected));
  // Each batch's latest state per user, folded while its plays are in memory, so no later step reads the events
  // again just for the users table.
  if (source === 'events') {
    await ctx.output.put(ctx.staging.staged('users', part, batch), toNdjson(latestUserStates((rows as PlayEvent[]).map(userStateOf))));
  }
}

async function readSongCache(ctx: StepContext, parts: number, part: number): Promise<Map<string, SongCacheEntry>> {
  const body = await ctx.output.getIfExists(lakeKeys.songCache(parts, part));
  return new Map((body ? fromNdjson<SongCacheEntry>(body) : []).map((e) => [e.key, e]));
}

/** Rebuilt from what this part staged, so it is right even when the call resumed halfway through. */
async function writeSongCache(ctx: StepContext, parts: number, part: number, manifest: ObjectInfo[]): Promise<void> {
  const songs = new Map((await readStaged<SongRecord>(ctx, ctx.staging.partPrefix('staged', 'songs', part))).map((s) => [s.source_key, s]));
  const rejected = new Map(
    (await readStaged<QuarantineRecord>(ctx, ctx.staging.partPrefix('quarantine', 'songs', part))).map((r) => [r.source_key, r]),
  );
  const entries: SongCacheEntry[] = manifest.map((o) => ({ key: o.key, etag: o.etag, song: songs.get(o.key), rejected: rejected.get(o.key) }));
  await ctx.output.put(ctx.staging.songCache(parts, part), toNdjson(entries));
}
