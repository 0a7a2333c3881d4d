import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
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
import type { StagedPartitionFile, StagedTableFile } from './write-partitions';

/** Staged event objects per segment: the work a retry may redo at most. */
const EVENT_FILES_PER_SEGMENT = 8;
/** Rows encoded between two turns of the event loop, which keep heartbeats flowing. */
const YIELD_EVERY_ROWS = 50_000;

export interface FactsResult {
  songplays: number;
  songplaysWithSong: number;
  time: number;
}

/** What a retry resumes from: the segments already in staging and what they counted. */
interface FactsCheckpoint {
  segments: number;
  songplays: number;
  songplaysWithSong: number;
}

/**
 * Builds songplays and time from the staged events, in segments of a few staged event files. Each segment's
 * songplays are encoded into Parquet files on the worker's local disk and put to staging with the segment's sorted,
 * distinct start times, then reported as a checkpoint: a retry on any worker resumes after the last segment staged.
 * Memory holds the song lookup, one file's events and a row group per table, whatever the month's size. At the end
 * each songplays partition is assembled from its segments' row groups without decoding them again, and time is built
 * from the merged start times; both go to staging, where publish finds them once audit has checked them.
 */
export async function transformFacts(ctx: StepContext): Promise<FactsResult> {
  const spill = await SpillDir.open();
  try {
    const eventFiles = await listAll(ctx.output, ctx.staging.stagedPrefix('events'));
    const segments = Math.ceil(eventFiles.length / EVENT_FILES_PER_SEGMENT);
    const checkpoint = ctx.progress.resumeFrom<FactsCheckpoint>() ?? { segments: 0, songplays: 0, songplaysWithSong: 0 };
    if (checkpoint.segments < segments) {
      const songs = new SongLookup(fromNdjson<SongKey>(await ctx.output.get(ctx.staging.songLookup())));
      for (let segment = checkpoint.segments; segment < segments; segment++) {
        const files = eventFiles.slice(segment * EVENT_FILES_PER_SEGMENT, (segment + 1) * EVENT_FILES_PER_SEGMENT);
        const counted = await stageSegment(ctx, spill, songs, segment, files.map((f) => f.key));
        checkpoint.segments = segment + 1;
        checkpoint.songplays += counted.songplays;
        checkpoint.songplaysWithSong += counted.songplaysWithSong;
        ctx.progress.report(checkpoint);
      }
    }
    const songplays = await assembleSongplays(ctx, spill);
    const time = await buildTime(ctx, spill, segments);
    const result: FactsResult = { songplays: checkpoint.songplays, songplaysWithSong: checkpoint.songplaysWithSong, time: time.rows };
    await ctx.output.put(ctx.staging.factsStats(), JSON.stringify(result));
    const files: StagedTableFile[] = [songplays, time.file];
    await ctx.output.put(ctx.staging.tableManifest('facts'), JSON.stringify(files));
    return result;
  } finally {
    await spill.remove();
  }
}

/** One segment: its songplays partitions and its sorted distinct start times, put to staging. */
async function stageSegment(ctx: StepContext, spill: SpillDir, songs: SongLookup, segment: number, keys: string[]): Promise<Omit<FactsCheckpoint, 'segments'>> {
  const encoder = spilledEncoder(spill, TABLES.songplays, `segment-${segment}`);
  const startTimes = new DistinctNumbers(spill, `start-times-${segment}`);
  const counted = { songplays: 0, songplaysWithSong: 0 };
  try {
    for (const key of keys) {
      for (const play of fromNdjson<PlayEvent>(await ctx.output.get(key))) {
        startTimes.add(play.ts);
        const row = songplayOf(play, songs);
        encoder.append(row);
        counted.songplays++;
        if (row.song_id !== null) counted.songplaysWithSong++;
      }
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

/** Read a chunk at a time: a month's songplays file need not fit in memory. */
async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
