import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { readEventLog } from '../input/events';
import { parseSongBytes, unstorableSong } from '../input/songs';
import { formatMonth } from '../month';
import { addCounts, type QuarantineRecord, type ReasonCounts, type SongRecord } from '../model';
import { latestUserStates, userStateOf, type UserState } from '../tables/users';
import { mapLimit } from '../concurrency';
import { STREAMED_OBJECT_BYTES, stagingBudget } from '../memory-budget';
import { fromNdjson, toNdjson } from '../ndjson';
import { inputKeys, lakeKeys } from '../layout';
import type { ObjectInfo, ObjectProblem } from '../storage/object-store';
import { InputError } from '../errors';
import { ChunkedNdjsonWriter } from './chunked-ndjson';
import { stagedPlay } from './staged-plays';
import { claimOutput } from './claim-output';
import type { StepContext } from './context';
import { stageKeptCatalogue } from './kept-catalogue';
import { readKeptEvents, validationFingerprint, type KeptEventsIndex, type StagedEventFile } from './kept-events';
import { readJson, readStaged } from './staged-reader';

export type Source = 'songs' | 'events';

/**
 * Objects per fan-out call (songs: the target; the shard count is a power of two), and per resumable batch. Two event
 * logs a part, so a month's thirty logs make parts enough to keep every worker busy to the end of the step.
 */
const PART_SIZE: Record<Source, number> = { songs: 2000, events: 2 };
/** An events batch is one log: what is kept for later runs of the month is kept per log. */
const BATCH_SIZE: Record<Source, number> = { songs: 250, events: 1 };
const MAX_SONG_SHARDS = 1024;

export interface StagePlan {
  source: Source;
  parts: number;
  objects: number;
  bytes: number;
  /** Objects taken with the kept song catalogue instead of staged: the run's reuse, counted where no part runs. */
  reused?: number;
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
 * cache from the previous run applies to it. A song tree that lists as the lake's kept catalogue does has no parts.
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
    throw new InputError(`No ${what} under ${ctx.input.description.replace(/\/?$/, '/')}${prefix}`);
  }
  const bytes = objects.reduce((sum, o) => sum + o.size, 0);
  // The catalogue as the lake last loaded it: nothing of the song tree to stage.
  if (source === 'songs' && (await stageKeptCatalogue(ctx, objects))) return { source, parts: 0, objects: objects.length, bytes, reused: objects.length };
  const parts = source === 'songs' ? songShards(objects.length) : Math.ceil(objects.length / PART_SIZE.events);
  const manifests: ObjectInfo[][] = Array.from({ length: parts }, () => []);
  objects.forEach((o, i) => manifests[source === 'songs' ? shardOf(o.key, parts) : Math.floor(i / PART_SIZE.events)].push(o));
  await mapLimit(manifests, ctx.ioConcurrency, (list, part) =>
    ctx.output.put(ctx.staging.manifest(source, part), JSON.stringify({ parts, objects: list })),
  );
  return { source, parts, objects: objects.length, bytes };
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

export interface StageOptions {
  /** Overrides MAX_EVENT_LINE_BYTES, the longest event line staged. */
  maxLineBytes?: number;
  /** Overrides STAGED_CHUNK_BYTES, the size at which a batch's staged events continue in a new object. */
  stagedChunkBytes?: number;
}

/**
 * Staged events (and their quarantine) of one batch go out in objects of about this size, so a log of any size is
 * staged without its plays all in memory. Below the S3 store's multipart threshold: each chunk is one PUT.
 */
export const STAGED_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * A batch's user observations are folded to the latest per user once this many are buffered (or twice the users
 * seen, if more): few enough that they die young rather than fill the old generation with garbage.
 */
const USER_FOLD_EVERY = 10_000;

/** Read failures that mean this object cannot be read, now or on a retry: it is quarantined, not retried. */
const UNREADABLE_CODES = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP', 'EISDIR', 'NoSuchKey']);

/** What one batch adds to its part's totals, kept apart until the batch has written everything. */
type BatchTally = Omit<StageResult, 'source'>;

/**
 * Validates one part's objects batch by batch into the staging area; a retried call resumes after the last batch it
 * reported. Song files whose ETag matches the song cache are not read again. Event logs are streamed, so a log of
 * any size stages in bounded memory.
 */
export async function stagePart(ctx: StepContext, source: Source, part: number, options: StageOptions = {}): Promise<StageResult> {
  const { parts, objects: manifest } = await readJson<{ parts: number; objects: ObjectInfo[] }>(ctx, ctx.staging.manifest(source, part));
  const cache = source === 'songs' ? await readSongCache(ctx, parts, part) : new Map<string, SongCacheEntry>();
  const kept = source === 'events' ? await readKeptEvents(ctx, validationFingerprint(options.maxLineBytes)) : undefined;
  const batchSize = BATCH_SIZE[source];
  const checkpoint = ctx.progress.resumeFrom<StageCheckpoint>();
  const totals: StageResult = checkpoint?.totals ?? { source, ...emptyTally() };
  const batches = Math.ceil(manifest.length / batchSize);
  for (let batch = checkpoint?.nextBatch ?? 0; batch < batches; batch++) {
    const objects = manifest.slice(batch * batchSize, (batch + 1) * batchSize);
    const tally = emptyTally();
    if (source === 'songs') await stageSongBatch(ctx, part, batch, objects, cache, tally);
    else await stageEventLog(ctx, { part, batch, object: objects[0] }, tally, options, kept!);
    totals.objectsRead += tally.objectsRead;
    totals.bytesRead += tally.bytesRead;
    totals.objectsReused += tally.objectsReused;
    totals.records += tally.records;
    totals.otherEvents += tally.otherEvents;
    addCounts(totals.quarantined, tally.quarantined);
    ctx.progress.report({ nextBatch: batch + 1, totals } satisfies StageCheckpoint);
  }
  if (source === 'songs') await writeSongCache(ctx, parts, part, manifest);
  await ctx.output.put(ctx.staging.stageStats(source, part), JSON.stringify(totals));
  return totals;
}

function emptyTally(): BatchTally {
  return { objectsRead: 0, bytesRead: 0, objectsReused: 0, records: 0, otherEvents: 0, quarantined: {} };
}

/**
 * Song files are small JSON documents, read whole, many at once. The bodies and what they parse into are the memory
 * the staging budget bounds here, so the batch is admitted at its size.
 */
async function stageSongBatch(
  ctx: StepContext,
  part: number,
  batch: number,
  objects: ObjectInfo[],
  cache: Map<string, SongCacheEntry>,
  tally: BatchTally,
): Promise<void> {
  const rows: SongRecord[] = [];
  const rejected: QuarantineRecord[] = [];
  // A cache written before a check existed may hold a song that check now rejects, so cached songs pass it too.
  const admit = (song: SongRecord, raw: () => string) => {
    const unstorable = unstorableSong(song, raw());
    if (unstorable) rejected.push(unstorable);
    else rows.push(song);
  };
  const toRead: ObjectInfo[] = [];
  for (const o of objects) {
    const cached = cache.get(o.key);
    if (o.problem) rejected.push(problemRecord(o.key, o.problem));
    else if (!cached || cached.etag !== o.etag) toRead.push(o);
    else {
      const { song } = cached;
      if (song) admit(song, () => JSON.stringify(song));
      if (cached.rejected) rejected.push(cached.rejected);
      tally.objectsReused++;
    }
  }
  const bytes = toRead.reduce((sum, o) => sum + o.size, 0);
  await stagingBudget.use(bytes, async () => {
    const bodies = await mapLimit(toRead, ctx.ioConcurrency, (o) => ctx.input.get(o.key).catch(unreadable));
    toRead.forEach((object, i) => {
      const body = bodies[i];
      if (!Buffer.isBuffer(body)) {
        rejected.push(problemRecord(object.key, body));
        return;
      }
      tally.objectsRead++;
      tally.bytesRead += body.length;
      const parsed = parseSongBytes(object.key, body);
      if (parsed.ok) admit(parsed.song, () => body.toString('utf8'));
      else rejected.push(parsed.rejected);
    });
    // Written even when empty, so a resumed call and a fresh one leave the same objects behind.
    await ctx.output.put(ctx.staging.staged('songs', part, batch), toNdjson(rows));
    if (rejected.length > 0) await ctx.output.put(ctx.staging.quarantine('songs', part, batch), toNdjson(rejected));
  });
  tally.records += rows.length;
  for (const r of rejected) tally.quarantined[r.reason] = (tally.quarantined[r.reason] ?? 0) + 1;
}

/** An events batch: one log, at its place in the stage's parts. */
interface LogBatch {
  part: number;
  batch: number;
  object: ObjectInfo;
}

/**
 * One event log, taken from the month's kept output when its ETag is the one kept (its users and quarantine copied
 * into the batch's staging keys, its songplays left for transform-facts to take as they are), otherwise read and
 * validated now. Either way the batch leaves a record of what it made of the log, for transform-facts and publish.
 */
async function stageEventLog(ctx: StepContext, log: LogBatch, tally: BatchTally, options: StageOptions, kept: KeptEventsIndex): Promise<void> {
  const { part, batch, object } = log;
  const entry = object.problem ? undefined : kept.files[object.key];
  const reused = entry?.etag === object.etag ? entry : undefined;
  let read = false;
  if (reused) {
    await ctx.output.copy(reused.users, ctx.staging.staged('users', part, batch));
    await mapLimit(reused.quarantine, ctx.ioConcurrency, (key, chunk) => ctx.output.copy(key, ctx.staging.quarantine('events', part, batch, chunk)));
    tally.objectsReused++;
    tally.records += reused.records;
    tally.otherEvents += reused.otherEvents;
    addCounts(tally.quarantined, reused.quarantined);
  } else {
    read = await stageEventBatch(ctx, log, tally, options);
  }
  const record: StagedEventFile = {
    key: object.key,
    etag: object.etag,
    part,
    batch,
    kept: reused,
    keepable: reused !== undefined || read,
    records: tally.records,
    otherEvents: tally.otherEvents,
    quarantined: tally.quarantined,
    maxLineBytes: options.maxLineBytes,
  };
  await ctx.output.put(ctx.staging.eventFile(part, batch), JSON.stringify(record));
}

/**
 * Streams one event log line by line into staged objects of STAGED_CHUNK_BYTES, so memory holds a read chunk, at
 * most one line (up to the line limit) and the chunk being filled, whatever a log's size. That is what the staging
 * budget admits per log, not its size: a 1 GiB log neither waits for nor holds the whole budget. Returns whether the
 * log was read (one that could not be is quarantined, and not kept: the fix need not change its ETag).
 */
async function stageEventBatch(ctx: StepContext, { part, batch, object }: LogBatch, tally: BatchTally, options: StageOptions): Promise<boolean> {
  return stagingBudget.use(Math.min(object.size, STREAMED_OBJECT_BYTES), async () => {
    const chunkBytes = options.stagedChunkBytes ?? STAGED_CHUNK_BYTES;
    const plays = new ChunkedNdjsonWriter(ctx.output, (c) => ctx.staging.staged('events', part, batch, c), chunkBytes, true);
    const rejected = new ChunkedNdjsonWriter(ctx.output, (c) => ctx.staging.quarantine('events', part, batch, c), chunkBytes, false);
    const reject = (record: QuarantineRecord) => {
      rejected.add(record);
      tally.quarantined[record.reason] = (tally.quarantined[record.reason] ?? 0) + 1;
    };
    // The log's latest state per user, folded while its plays stream past, so no later step reads the events again
    // just for the users table.
    let users: UserState[] = [];
    let foldAt = USER_FOLD_EVERY;
    let read = false;
    const stream = object.problem ? object.problem : await ctx.input.getStream(object.key).catch(unreadable);
    if (!(stream instanceof Readable)) reject(problemRecord(object.key, stream));
    else {
      read = true;
      tally.objectsRead++;
      for await (const outcomes of readEventLog(object.key, counted(stream, tally), ctx.month, options)) {
        for (const outcome of outcomes) {
          if (outcome.kind === 'play') {
            plays.add(stagedPlay(outcome.play));
            users.push(userStateOf(outcome.play));
            tally.records++;
            if (plays.full) await plays.flush();
          } else if (outcome.kind === 'other-page') tally.otherEvents++;
          else {
            reject(outcome.record);
            if (rejected.full) await rejected.flush();
          }
        }
        if (users.length >= foldAt) {
          users = latestUserStates(users);
          foldAt = Math.max(USER_FOLD_EVERY, 2 * users.length);
        }
      }
    }
    await plays.finish();
    await rejected.finish();
    await plays.removeStale(ctx.staging.batchPrefix('staged', 'events', part, batch));
    await rejected.removeStale(ctx.staging.batchPrefix('quarantine', 'events', part, batch));
    await ctx.output.put(ctx.staging.staged('users', part, batch), toNdjson(latestUserStates(users)));
    return read;
  });
}

/** The chunks as they come, their bytes added to `tally.bytesRead`. */
export async function* counted(chunks: AsyncIterable<Buffer>, tally: { bytesRead: number }): AsyncIterable<Buffer> {
  for await (const chunk of chunks) {
    tally.bytesRead += chunk.length;
    yield chunk;
  }
}

/** A read failure that no retry will fix, as the problem to quarantine the object with; anything else is rethrown. */
function unreadable(err: unknown): ObjectProblem {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
  if (typeof code !== 'string' || !UNREADABLE_CODES.has(code)) throw err;
  return { reason: 'unreadable', detail: `${code}: the object could not be read` };
}

/** Nothing of the object was read, so raw is empty; source_key and detail say which object and why. */
function problemRecord(key: string, problem: ObjectProblem): QuarantineRecord {
  return { source_key: key, line: null, reason: problem.reason, detail: problem.detail, raw: '' };
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
  // A file that could not be read or named is looked at again next run, whatever its ETag: the fix (a permission,
  // a link target, a rename) need not change it.
  const entries: SongCacheEntry[] = manifest
    .filter((o) => !o.problem)
    .map((o) => ({ key: o.key, etag: o.etag, song: songs.get(o.key), rejected: rejected.get(o.key) }))
    .filter((e) => e.rejected?.reason !== 'unreadable');
  await ctx.output.put(ctx.staging.songCache(parts, part), toNdjson(entries));
}
