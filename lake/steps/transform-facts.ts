import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { mapLimit, nextTurn, ROWS_PER_TURN } from '../concurrency';
import { InputError } from '../errors';
import { sha256Hex, sha256OfFile } from '../hash';
import { readEventLog } from '../input/events';
import { DATA_FILE, lakeKeys } from '../layout';
import type { FactPlay } from '../model';
import { ndjsonStreamRows } from '../ndjson';
import { concatParquetFiles } from '../parquet/concat';
import { PartitionedEncoder } from '../parquet/partitioned';
import { SpillFileWriter } from '../parquet/spill-file-writer';
import { DistinctNumbers } from '../spill/distinct-numbers';
import { SpillDir } from '../spill/spill-dir';
import { listAll, type ObjectStore } from '../storage/object-store';
import { TABLES, type TableName, type TableSpec } from '../tables/catalog';
import { SongLookup, type SongKey } from '../tables/song-lookup';
import { songplayOf } from '../tables/songplays';
import { timeRowOf } from '../tables/time';
import type { StepContext } from './context';
import { SharedLoads } from './shared-loads';
import { stagedPlaysFrom } from './staged-plays';
import { counted } from './stage';
import { validationFingerprint, type Fragment, type KeptEventFile, type KeptEventsIndex, type KeptEventsPlan, type StagedEventFile } from './kept-events';
import { readJson, readJsonUnder } from './staged-reader';
import type { StagedPartitionFile, StagedTableFile } from './write-partitions';

/**
 * Event logs encoded per segment: one fan-out part's work, and what a retry redoes at most. Small, so the month's
 * parts spread evenly over the workers: a part is taken whole by one worker, and with a few large parts one worker
 * still runs the last of them while the others wait (at 8 logs a part, one worker ran the last part alone for 6 s of
 * a 75-s month).
 */
const LOGS_PER_SEGMENT = 2;
/**
 * The song lookup of each lookup hash, shared by the segments a worker runs at once (a catalogue of millions of
 * songs is hundreds of MB) and kept 30 s for its next segment.
 */
export const songLookups = new SharedLoads<SongLookup>(30_000);

export interface FactsResult {
  songplays: number;
  songplaysWithSong: number;
  time: number;
}

/** What one encoded event log holds: its songplays, and the partitions it has row groups in. */
export interface LogFacts {
  /** The log's place in the plan's list, which is the month's key order. */
  file: number;
  songplays: number;
  songplaysWithSong: number;
  partitions: string[];
  /** Partitions of its own time rows, and the first and last start time (absent without plays). */
  time: string[];
  startRange?: [number, number];
}

/** What one segment counted; kept in staging for the finish. */
export interface SegmentResult {
  segment: number;
  songplays: number;
  songplaysWithSong: number;
  logs: LogFacts[];
  /** Kept logs read from the input again, to be joined with a new song lookup. */
  objectsRead: number;
  bytesRead: number;
}

/** The month's event logs in key order, listed once by the plan so every part and every retry sees the same segments. */
interface FactsPlan {
  files: StagedEventFile[];
  /** The hash of this run's song lookup: a kept log's songplays joined with another lookup are encoded again. */
  lookup: string;
  /** The logs this run encodes, by their place in `files`, in segments of LOGS_PER_SEGMENT. */
  encode: number[];
  segments: number;
}

/**
 * transform-facts, as a fan-out. Each event log's songplays are encoded on their own, into row groups of their own:
 * the plan lists the month's logs and picks those to encode (read now, or kept with songplays joined to another song
 * lookup); each part, on any worker, encodes a segment of them into Parquet (local disk, then staging) with each
 * log's sorted, distinct start times, reading the song lookup once; the finish assembles each songplays partition
 * from every log's row groups in key order, kept or new, without decoding them, and builds time from the merged
 * start times. Row groups never span two logs, so a month assembled from kept and new logs is byte for byte the
 * month encoded whole. A retried part redoes one segment; parts done are not redone. Memory holds the song lookup,
 * one log's events and a row group per table, whatever the month's size.
 */
export async function planFacts(ctx: StepContext): Promise<{ parts: number }> {
  const files = await readJsonUnder<StagedEventFile>(ctx, ctx.staging.eventFilePrefix());
  const lookup = sha256Hex(await ctx.output.get(ctx.staging.songLookup()));
  const encode = files.flatMap((f, i) => (f.kept?.lookup === lookup ? [] : [i]));
  const plan: FactsPlan = { files, lookup, encode, segments: Math.ceil(encode.length / LOGS_PER_SEGMENT) };
  await ctx.output.put(ctx.staging.factsPlan(), JSON.stringify(plan));
  return { parts: plan.segments };
}

export async function factsSegment(ctx: StepContext, segment: number): Promise<SegmentResult> {
  const plan = await readJson<FactsPlan>(ctx, ctx.staging.factsPlan());
  const logs = plan.encode.slice(segment * LOGS_PER_SEGMENT, (segment + 1) * LOGS_PER_SEGMENT);
  if (logs.length === 0) throw new Error(`transform-facts segment ${segment} is not in the plan`);
  const load = async () => {
    const lookup = new SongLookup();
    for await (const song of ndjsonStreamRows<SongKey>(await ctx.output.getStream(ctx.staging.songLookup()))) lookup.add(song);
    return lookup;
  };
  return songLookups.use(plan.lookup, load, async (songs) => {
    const spill = await SpillDir.open();
    try {
      const result: SegmentResult = { segment, songplays: 0, songplaysWithSong: 0, logs: [], objectsRead: 0, bytesRead: 0 };
      for (const [done, file] of logs.entries()) {
        const log = await encodeLog(ctx, spill, songs, file, plan.files[file], result);
        result.logs.push(log);
        result.songplays += log.songplays;
        result.songplaysWithSong += log.songplaysWithSong;
        ctx.progress.report({ eventFilesDone: done + 1 });
      }
      await ctx.output.put(ctx.staging.segmentStats(segment), JSON.stringify(result));
      return result;
    } finally {
      await spill.remove();
    }
  });
}

export async function finishFacts(ctx: StepContext): Promise<FactsResult> {
  const plan = await readJson<FactsPlan>(ctx, ctx.staging.factsPlan());
  const counted = await readJsonUnder<SegmentResult>(ctx, ctx.staging.segmentStatsPrefix());
  if (counted.length !== plan.segments) throw new Error(`transform-facts has ${counted.length} of ${plan.segments} segments staged`);
  const encoded = new Map(counted.flatMap((c) => c.logs).map((log) => [log.file, log]));
  const logs = plan.files.map((file, i) => logOutput(ctx, file, i, encoded.get(i)));
  const spill = await SpillDir.open();
  try {
    const songplays = await assemble(ctx, spill, 'songplays', logs.map((l) => l.fragments));
    const time = startTimesInLogOrder(logs)
      ? await assemble(ctx, spill, 'time', logs.map((l) => l.time))
      : await buildTime(ctx, spill, logs.map((l) => l.startTimes));
    const result: FactsResult = {
      songplays: logs.reduce((sum, l) => sum + l.songplays, 0),
      songplaysWithSong: logs.reduce((sum, l) => sum + l.songplaysWithSong, 0),
      time: time.encoded.reduce((sum, e) => sum + e.rows, 0),
    };
    await ctx.output.put(ctx.staging.keptEvents(), JSON.stringify(await keptEventsPlan(ctx, plan, logs)));
    await ctx.output.put(ctx.staging.factsStats(), JSON.stringify(result));
    const files: StagedTableFile[] = [songplays, time];
    await ctx.output.put(ctx.staging.tableManifest('facts'), JSON.stringify(files));
    return result;
  } finally {
    await spill.remove();
  }
}

/** The three phases in one process, in order: what a run without workers to share them would do. */
export async function transformFacts(ctx: StepContext): Promise<FactsResult> {
  const { parts } = await planFacts(ctx);
  for (let segment = 0; segment < parts; segment++) await factsSegment(ctx, segment);
  return finishFacts(ctx);
}

/** One event log's songplays, partition by partition, and its sorted distinct start times, put to staging. */
async function encodeLog(
  ctx: StepContext,
  spill: SpillDir,
  songs: SongLookup,
  file: number,
  log: StagedEventFile,
  read: Pick<SegmentResult, 'objectsRead' | 'bytesRead'>,
): Promise<LogFacts> {
  const encoder = spilledEncoder(spill, TABLES.songplays, `log-${file}`);
  const startTimes = new DistinctNumbers(spill, `start-times-${file}`);
  const counted: LogFacts = { file, songplays: 0, songplaysWithSong: 0, partitions: [], time: [] };
  try {
    for await (const plays of playsOf(ctx, log, read)) {
      for (const play of plays) {
        startTimes.add(play.ts);
        const row = songplayOf(play, songs);
        encoder.append(row);
        counted.songplays++;
        if (row.song_id !== null) counted.songplaysWithSong++;
        if (counted.songplays % ROWS_PER_TURN === 0) await nextTurn();
      }
    }
    counted.partitions = (await putPartitions(ctx, encoder, (partition) => ctx.staging.factsFragment(file, partition))).map((p) => p.partition);
    const times = Float64Array.from(startTimes.sorted());
    await ctx.output.put(ctx.staging.startTimesFile(file), Buffer.from(times.buffer, times.byteOffset, times.byteLength));
    if (times.length > 0) counted.startRange = [times[0], times[times.length - 1]];
    counted.time = await encodeLogTime(ctx, spill, file, times);
    return counted;
  } catch (err) {
    abandon(encoder);
    throw err;
  }
}

/** One log's own time rows, a row per distinct start time, staged per partition; returns the partitions. */
async function encodeLogTime(ctx: StepContext, spill: SpillDir, file: number, times: Float64Array): Promise<string[]> {
  const encoder = spilledEncoder(spill, TABLES.time, `log-${file}`);
  try {
    for (const ts of times) encoder.append(timeRowOf(ts));
    return (await putPartitions(ctx, encoder, (partition) => ctx.staging.timeFragment(file, partition))).map((p) => p.partition);
  } catch (err) {
    abandon(encoder);
    throw err;
  }
}

/**
 * A log's valid plays: as stage-events staged them, or, for a kept log whose songplays were joined with another
 * lookup, read from the input again and validated as stage would (its users and quarantine are kept, only the join
 * changed). The log must still be the one kept: an ETag changed since stage listed it fails the run, which must see
 * one version of its input. Yielded a staged chunk or a read batch at a time: an await per play, with the promise
 * hooks Temporal's activity context turns on, cost more than the play's row.
 */
async function* playsOf(ctx: StepContext, log: StagedEventFile, read: Pick<SegmentResult, 'objectsRead' | 'bytesRead'>): AsyncGenerator<FactPlay[]> {
  if (!log.kept) {
    for (const { key } of await listAll(ctx.output, ctx.staging.batchPrefix('staged', 'events', log.part, log.batch))) {
      yield stagedPlaysFrom(await ctx.output.get(key));
    }
    return;
  }
  const [now] = (await listAll(ctx.input, log.key)).filter((o) => o.key === log.key);
  if (now?.etag !== log.etag) throw new InputError(`${log.key} changed while the run was loading it (its ETag is no longer ${log.etag}): run the month again`);
  read.objectsRead++;
  const stream = await ctx.input.getStream(log.key);
  for await (const outcomes of readEventLog(log.key, counted(stream, read), ctx.month, { maxLineBytes: log.maxLineBytes })) {
    const plays: FactPlay[] = [];
    for (const outcome of outcomes) if (outcome.kind === 'play') plays.push(outcome.play);
    yield plays;
  }
}

/** A table's partitions as transform-facts stages them: encoded whole, for write-facts to take as they are. */
type EncodedTable = { table: TableName; encoded: StagedPartitionFile[] };

/** Where one log's output is for the finish: encoded by this run's parts, or kept from an earlier run. */
interface LogOutput {
  fragments: Fragment[];
  time: Fragment[];
  startRange?: [number, number];
  startTimes: string;
  songplays: number;
  songplaysWithSong: number;
  /** Set when this run encoded it. */
  encoded?: LogFacts;
}

function logOutput(ctx: StepContext, file: StagedEventFile, i: number, encoded: LogFacts | undefined): LogOutput {
  if (encoded) {
    return {
      fragments: encoded.partitions.map((partition) => ({ partition, key: ctx.staging.factsFragment(i, partition) })),
      time: encoded.time.map((partition) => ({ partition, key: ctx.staging.timeFragment(i, partition) })),
      startRange: encoded.startRange,
      startTimes: ctx.staging.startTimesFile(i),
      songplays: encoded.songplays,
      songplaysWithSong: encoded.songplaysWithSong,
      encoded,
    };
  }
  if (!file.kept) throw new Error(`transform-facts has no songplays of ${file.key}: its segment is missing`);
  const { kept } = file;
  return {
    fragments: kept.songplays,
    time: kept.time,
    startRange: kept.startRange,
    startTimes: kept.startTimes,
    songplays: kept.songplaysCount,
    songplaysWithSong: kept.songplaysWithSong,
  };
}

/** Each partition of a table as one file: every log's row groups of it in the month's key order, under one footer. */
async function assemble(ctx: StepContext, spill: SpillDir, table: TableName, perLog: Fragment[][]): Promise<EncodedTable> {
  const byPartition = new Map<string, string[]>();
  for (const fragments of perLog) {
    for (const { partition, key } of fragments) byPartition.set(partition, [...(byPartition.get(partition) ?? []), key]);
  }
  const encoded: StagedPartitionFile[] = [];
  for (const [partition, keys] of [...byPartition].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const parts = await mapLimit(keys, ctx.ioConcurrency, (key, i) => download(ctx.output, key, spill.fileSync(`logs/${table}/${partition}/${i}.parquet`)));
    const assembled = spill.fileSync(`${table}/${partition}/${DATA_FILE}`);
    const { rows, bytes } = await concatParquetFiles(parts, assembled);
    const key = ctx.staging.encodedPartition(table, partition);
    await ctx.output.putFile(key, assembled);
    encoded.push({ partition, key, rows, bytes, sha256: await sha256OfFile(assembled) });
    for (const part of parts) await rm(part);
  }
  return { table, encoded };
}

/**
 * Whether the logs' start times follow one another without overlap, log after log in key order (a day's log holds
 * that day's plays): then the month's distinct start times are every log's own, in order, and time is assembled from
 * the logs' time rows. Otherwise they are merged and time is encoded whole. Either way the choice depends on the
 * input alone, so a daily run makes the same one as a full run.
 */
function startTimesInLogOrder(logs: LogOutput[]): boolean {
  let last = -Infinity;
  for (const { startRange } of logs) {
    if (!startRange) continue;
    if (startRange[0] <= last) return false;
    last = startRange[1];
  }
  return true;
}

/**
 * What the lake keeps of the month's logs after this run: a kept log's entry as it was (with its songplays replaced
 * where they were joined again), a log read now in a folder of its key and ETag, moved there from staging by publish.
 * A log that could not be read is not kept.
 */
async function keptEventsPlan(ctx: StepContext, plan: FactsPlan, logs: LogOutput[]): Promise<KeptEventsPlan> {
  const fresh = plan.files.map((file, i) => ({ file, i })).filter(({ file }) => file.keepable && !file.kept);
  const quarantineOf = new Map(
    await mapLimit(fresh, ctx.ioConcurrency, async ({ file, i }) => {
      const chunks = await listAll(ctx.output, ctx.staging.batchPrefix('quarantine', 'events', file.part, file.batch));
      return [i, chunks.map((c) => c.key)] as const;
    }),
  );
  const index: KeptEventsIndex = { validation: validationFingerprint(plan.files[0]?.maxLineBytes), files: {} };
  const moves: KeptEventsPlan['moves'] = [];
  plan.files.forEach((file, i) => {
    if (!file.keepable) return;
    const dir = lakeKeys.keptEventDir(ctx.month, file.key, file.etag);
    let entry: KeptEventFile;
    if (file.kept) entry = { ...file.kept };
    else {
      const quarantine = quarantineOf.get(i) ?? [];
      entry = {
        key: file.key,
        etag: file.etag,
        records: file.records,
        otherEvents: file.otherEvents,
        quarantined: file.quarantined,
        users: `${dir}users.ndjson`,
        quarantine: quarantine.map((_, chunk) => `${dir}quarantine-${String(chunk).padStart(5, '0')}.ndjson`),
        startTimes: `${dir}start-times.f64`,
        startRange: logs[i].startRange,
        time: logs[i].time.map(({ partition }) => ({ partition, key: `${dir}time/${partition}/${DATA_FILE}` })),
        lookup: plan.lookup,
        songplays: [],
        songplaysCount: 0,
        songplaysWithSong: 0,
      };
      moves.push({ from: ctx.staging.staged('users', file.part, file.batch), to: entry.users });
      quarantine.forEach((from, chunk) => moves.push({ from, to: entry.quarantine[chunk] }));
      moves.push({ from: ctx.staging.startTimesFile(i), to: entry.startTimes });
      logs[i].time.forEach((t, n) => moves.push({ from: t.key, to: entry.time[n].key }));
    }
    const { encoded, fragments } = logs[i];
    if (encoded) {
      const folder = `${dir}songplays-${plan.lookup.slice(0, 16)}/`;
      entry.lookup = plan.lookup;
      entry.songplays = fragments.map(({ partition }) => ({ partition, key: `${folder}${partition}/${DATA_FILE}` }));
      fragments.forEach((f, n) => moves.push({ from: f.key, to: entry.songplays[n].key }));
      entry.songplaysCount = encoded.songplays;
      entry.songplaysWithSong = encoded.songplaysWithSong;
    }
    index.files[file.key] = entry;
  });
  return { index, moves };
}

/** The month's distinct start times, merged from every log's sorted list, as the time table. */
async function buildTime(ctx: StepContext, spill: SpillDir, lists: string[]): Promise<EncodedTable> {
  const startTimes = new DistinctNumbers(spill, 'start-times');
  for (const key of lists) {
    const body = await ctx.output.get(key);
    for (const ts of new Float64Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength))) startTimes.add(ts);
  }
  const encoder = spilledEncoder(spill, TABLES.time, 'time');
  let rows = 0;
  try {
    for (const ts of startTimes.sorted()) {
      encoder.append(timeRowOf(ts));
      // Millions of distinct start times encode for seconds: let the heartbeat timer run between slices.
      if (++rows % ROWS_PER_TURN === 0) await nextTurn();
    }
    const staged = await putPartitions(ctx, encoder, (partition) => ctx.staging.encodedPartition('time', partition));
    const encoded = await Promise.all(staged.map(async ({ file, ...p }) => ({ ...p, sha256: await sha256OfFile(file) })));
    return { table: 'time', encoded };
  } catch (err) {
    abandon(encoder);
    throw err;
  }
}

/**
 * Finishes every partition's spill file and puts it at its staging key: the partitions as staged, in path order, each
 * with its local file for a caller that hashes it.
 */
async function putPartitions(
  ctx: StepContext,
  encoder: PartitionedEncoder<SpillFileWriter>,
  keyOf: (partition: string) => string,
): Promise<(Omit<StagedPartitionFile, 'sha256'> & { file: string })[]> {
  const staged = [];
  for (const { path, rows, encoder: partition } of encoder.sorted()) {
    partition.finish();
    const key = keyOf(path);
    await ctx.output.putFile(key, partition.out.path);
    staged.push({ partition: path, key, rows, bytes: partition.out.size, file: partition.out.path });
  }
  return staged;
}

/** A failed encoding leaves no spill file behind. */
function abandon(encoder: PartitionedEncoder<SpillFileWriter>): void {
  for (const partition of encoder.sorted()) partition.encoder.out.abandon();
}

function spilledEncoder(spill: SpillDir, table: TableSpec, scope: string): PartitionedEncoder<SpillFileWriter> {
  return new PartitionedEncoder(table, (partition) => new SpillFileWriter(spill.fileSync(`${scope}/${table.name}/${partition}/${DATA_FILE}`)));
}

/** A staged object to a local file, a chunk at a time. */
async function download(store: ObjectStore, key: string, file: string): Promise<string> {
  await pipeline(await store.getStream(key), createWriteStream(file));
  return file;
}
