import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { sha256OfFile } from '../hash';
import { DATA_FILE } from '../layout';
import type { PlayEvent } from '../model';
import { fromNdjson } from '../ndjson';
import { concatParquetFiles } from '../parquet/concat';
import { PartitionedEncoder } from '../parquet/partitioned';
import { SpillFileWriter } from '../parquet/spill-file-writer';
import { DistinctNumbers } from '../spill/distinct-numbers';
import { SpillDir } from '../spill/spill-dir';
import { listAll, type ObjectStore } from '../storage/object-store';
import { TABLES, type TableSpec } from '../tables/catalog';
import { SongLookup, type SongKey } from '../tables/song-lookup';
import { songplayOf } from '../tables/songplays';
import { timeRowOf } from '../tables/time';
import type { StepContext } from './context';
import { readJson, readJsonUnder } from './staged-reader';
import type { StagedPartitionFile, StagedTableFile } from './write-partitions';

/** Staged event objects per segment: one fan-out part's work, and what a retry redoes at most. */
const EVENT_FILES_PER_SEGMENT = 8;
/** Rows encoded between two turns of the event loop, which keep heartbeats flowing. */
const YIELD_EVERY_ROWS = 50_000;

export interface FactsResult {
  songplays: number;
  songplaysWithSong: number;
  time: number;
}

/** What one segment counted; kept in staging for the finish. */
export interface SegmentResult {
  segment: number;
  songplays: number;
  songplaysWithSong: number;
}

/** The staged event objects, listed once by the plan so every part and every retry sees the same segments. */
interface FactsPlan {
  eventFiles: string[];
  segments: number;
}

/**
 * transform-facts, as a fan-out: the plan splits the staged event objects into segments of a few files; each part,
 * on any worker, encodes one segment's songplays into Parquet (on its local disk, then staging) with the segment's
 * sorted, distinct start times, reading the song lookup once from staging; the finish assembles each songplays
 * partition from the segments' row groups, without decoding them again, and builds time from the merged start times.
 * A retried part redoes one segment; parts done are not redone. Memory holds the song lookup, one file's events and
 * a row group per table, whatever the month's size.
 */
export async function planFacts(ctx: StepContext): Promise<{ parts: number }> {
  const eventFiles = (await listAll(ctx.output, ctx.staging.stagedPrefix('events'))).map((o) => o.key);
  const plan: FactsPlan = { eventFiles, segments: Math.ceil(eventFiles.length / EVENT_FILES_PER_SEGMENT) };
  await ctx.output.put(ctx.staging.factsPlan(), JSON.stringify(plan));
  return { parts: plan.segments };
}

export async function factsSegment(ctx: StepContext, segment: number): Promise<SegmentResult> {
  const plan = await readJson<FactsPlan>(ctx, ctx.staging.factsPlan());
  const keys = plan.eventFiles.slice(segment * EVENT_FILES_PER_SEGMENT, (segment + 1) * EVENT_FILES_PER_SEGMENT);
  if (keys.length === 0) throw new Error(`transform-facts segment ${segment} is not in the plan`);
  const songs = new SongLookup(fromNdjson<SongKey>(await ctx.output.get(ctx.staging.songLookup())));
  const spill = await SpillDir.open();
  try {
    const result = await stageSegment(ctx, spill, songs, segment, keys);
    await ctx.output.put(ctx.staging.segmentStats(segment), JSON.stringify(result));
    return result;
  } finally {
    await spill.remove();
  }
}

export async function finishFacts(ctx: StepContext): Promise<FactsResult> {
  const plan = await readJson<FactsPlan>(ctx, ctx.staging.factsPlan());
  const counted = await readJsonUnder<SegmentResult>(ctx, ctx.staging.segmentStatsPrefix());
  if (counted.length !== plan.segments) throw new Error(`transform-facts has ${counted.length} of ${plan.segments} segments staged`);
  const spill = await SpillDir.open();
  try {
    const songplays = await assembleSongplays(ctx, spill);
    const time = await buildTime(ctx, spill, plan.segments);
    const result: FactsResult = {
      songplays: counted.reduce((sum, c) => sum + c.songplays, 0),
      songplaysWithSong: counted.reduce((sum, c) => sum + c.songplaysWithSong, 0),
      time: time.rows,
    };
    await ctx.output.put(ctx.staging.factsStats(), JSON.stringify(result));
    const files: StagedTableFile[] = [songplays, time.file];
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

/** One segment: its songplays partitions and its sorted distinct start times, put to staging. */
async function stageSegment(ctx: StepContext, spill: SpillDir, songs: SongLookup, segment: number, keys: string[]): Promise<SegmentResult> {
  const encoder = spilledEncoder(spill, TABLES.songplays, `segment-${segment}`);
  const startTimes = new DistinctNumbers(spill, `start-times-${segment}`);
  const counted: SegmentResult = { segment, songplays: 0, songplaysWithSong: 0 };
  try {
    for (const [done, key] of keys.entries()) {
      for (const play of fromNdjson<PlayEvent>(await ctx.output.get(key))) {
        startTimes.add(play.ts);
        const row = songplayOf(play, songs);
        encoder.append(row);
        counted.songplays++;
        if (row.song_id !== null) counted.songplaysWithSong++;
      }
      ctx.progress.report({ eventFilesDone: done + 1 });
    }
    for (const partition of encoder.sorted()) {
      partition.encoder.finish();
      await ctx.output.putFile(ctx.staging.factsSegment(partition.path, segment), partition.encoder.out.path);
    }
    const times = Float64Array.from(startTimes.sorted());
    await ctx.output.put(ctx.staging.startTimesSegment(segment), Buffer.from(times.buffer, times.byteOffset, times.byteLength));
    return counted;
  } catch (err) {
    for (const partition of encoder.sorted()) partition.encoder.out.abandon();
    throw err;
  }
}

/** Each songplays partition as one file: its segments' row groups in segment order, under one footer. */
async function assembleSongplays(ctx: StepContext, spill: SpillDir): Promise<StagedTableFile> {
  const prefix = ctx.staging.factsSegmentPrefix();
  const byPartition = new Map<string, string[]>();
  // Listed in key order, and segment names sort in segment order.
  for (const { key } of await listAll(ctx.output, prefix)) {
    const partition = key.slice(prefix.length, key.lastIndexOf('/'));
    const keys = byPartition.get(partition) ?? [];
    keys.push(key);
    byPartition.set(partition, keys);
  }
  const encoded: StagedPartitionFile[] = [];
  for (const [partition, keys] of [...byPartition].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const parts: string[] = [];
    for (const [i, key] of keys.entries()) parts.push(await download(ctx.output, key, spill.fileSync(`segments/${partition}/${i}.parquet`)));
    const assembled = spill.fileSync(`songplays/${partition}/${DATA_FILE}`);
    const { rows, bytes } = await concatParquetFiles(parts, assembled);
    const key = ctx.staging.encodedPartition('songplays', partition);
    await ctx.output.putFile(key, assembled);
    encoded.push({ partition, key, rows, bytes, sha256: await sha256OfFile(assembled) });
  }
  return { table: 'songplays', encoded };
}

/** The month's distinct start times, merged from the segments' sorted lists, as the time table. */
async function buildTime(ctx: StepContext, spill: SpillDir, segments: number): Promise<{ file: StagedTableFile; rows: number }> {
  const startTimes = new DistinctNumbers(spill, 'start-times');
  for (let segment = 0; segment < segments; segment++) {
    const body = await ctx.output.get(ctx.staging.startTimesSegment(segment));
    for (const ts of new Float64Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength))) startTimes.add(ts);
  }
  const encoder = spilledEncoder(spill, TABLES.time, 'time');
  let rows = 0;
  try {
    for (const ts of startTimes.sorted()) {
      encoder.append(timeRowOf(ts));
      // Millions of distinct start times encode for seconds: let the heartbeat timer run between slices.
      if (++rows % YIELD_EVERY_ROWS === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const encoded: StagedPartitionFile[] = [];
    for (const partition of encoder.sorted()) {
      partition.encoder.finish();
      const key = ctx.staging.encodedPartition('time', partition.path);
      await ctx.output.putFile(key, partition.encoder.out.path);
      encoded.push({ partition: partition.path, key, rows: partition.rows, bytes: partition.encoder.out.size, sha256: await sha256OfFile(partition.encoder.out.path) });
    }
    return { file: { table: 'time', encoded }, rows };
  } catch (err) {
    for (const partition of encoder.sorted()) partition.encoder.out.abandon();
    throw err;
  }
}

function spilledEncoder(spill: SpillDir, table: TableSpec, scope: string): PartitionedEncoder<SpillFileWriter> {
  return new PartitionedEncoder(table, (partition) => new SpillFileWriter(spill.fileSync(`${scope}/${table.name}/${partition}/${DATA_FILE}`)));
}

/** A staged object to a local file, a chunk at a time. */
async function download(store: ObjectStore, key: string, file: string): Promise<string> {
  await pipeline(await store.getStream(key), createWriteStream(file));
  return file;
}
