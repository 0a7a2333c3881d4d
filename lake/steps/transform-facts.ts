import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { DATA_FILE } from '../layout';
import type { PlayEvent } from '../model';
import { fromNdjson } from '../ndjson';
import { PartitionedEncoder } from '../parquet/partitioned';
import { SpillFileWriter } from '../parquet/spill-file-writer';
import { DistinctNumbers } from '../spill/distinct-numbers';
import { SpillDir } from '../spill/spill-dir';
import { listAll } from '../storage/object-store';
import { TABLES, type TableSpec } from '../tables/catalog';
import { SongLookup, type SongKey } from '../tables/song-lookup';
import { songplayOf } from '../tables/songplays';
import { timeRowOf } from '../tables/time';
import type { StepContext } from './context';
import type { StagedPartitionFile, StagedTableFile } from './write-partitions';

export interface FactsResult {
  songplays: number;
  songplaysWithSong: number;
  time: number;
}

/**
 * Builds songplays one staged event file at a time and encodes them straight into Parquet files on the worker's
 * local disk, so memory holds the song lookup, one file's events and a row group per table, whatever the month's size.
 * time needs the distinct start times, which are sorted and de-duplicated on disk too. The encoded partitions go to
 * staging, where publish finds them once audit has checked them.
 */
export async function transformFacts(ctx: StepContext): Promise<FactsResult> {
  const spill = await SpillDir.open();
  const open: PartitionedEncoder<SpillFileWriter>[] = [];
  try {
    const songs = new SongLookup(fromNdjson<SongKey>(await ctx.output.get(ctx.staging.songLookup())));
    const eventFiles = await listAll(ctx.output, ctx.staging.stagedPrefix('events'));
    const songplays = spilledEncoder(spill, TABLES.songplays, open);
    const startTimes = new DistinctNumbers(spill, 'start-times');
    const result: FactsResult = { songplays: 0, songplaysWithSong: 0, time: 0 };
    for (const [done, file] of eventFiles.entries()) {
      for (const play of fromNdjson<PlayEvent>(await ctx.output.get(file.key))) {
        startTimes.add(play.ts);
        const row = songplayOf(play, songs);
        songplays.append(row);
        result.songplays++;
        if (row.song_id !== null) result.songplaysWithSong++;
      }
      ctx.progress.report({ eventFilesDone: done + 1 });
    }

    const time = spilledEncoder(spill, TABLES.time, open);
    for (const ts of startTimes.sorted()) {
      time.append(timeRowOf(ts));
      result.time++;
    }

    const files: StagedTableFile[] = [await stageEncoded(ctx, songplays), await stageEncoded(ctx, time)];
    await ctx.output.put(ctx.staging.factsStats(), JSON.stringify(result));
    await ctx.output.put(ctx.staging.tableManifest('facts'), JSON.stringify(files));
    return result;
  } finally {
    for (const encoder of open) for (const partition of encoder.sorted()) partition.encoder.out.abandon();
    await spill.remove();
  }
}

function spilledEncoder(spill: SpillDir, table: TableSpec, open: PartitionedEncoder<SpillFileWriter>[]): PartitionedEncoder<SpillFileWriter> {
  const encoder = new PartitionedEncoder(table, (partition) => new SpillFileWriter(spill.fileSync(`${table.name}/${partition}/${DATA_FILE}`)));
  open.push(encoder);
  return encoder;
}

async function stageEncoded(ctx: StepContext, encoder: PartitionedEncoder<SpillFileWriter>): Promise<StagedTableFile> {
  const encoded: StagedPartitionFile[] = [];
  for (const partition of encoder.sorted()) {
    partition.encoder.finish();
    const key = ctx.staging.encodedPartition(encoder.table.name, partition.path);
    await ctx.output.putFile(key, partition.encoder.out.path);
    const sha256 = await sha256OfFile(partition.encoder.out.path);
    encoded.push({ partition: partition.path, key, rows: partition.rows, bytes: partition.encoder.out.size, sha256 });
  }
  return { table: encoder.table.name, encoded };
}

/** Read a chunk at a time: a month's songplays file need not fit in memory. */
async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
