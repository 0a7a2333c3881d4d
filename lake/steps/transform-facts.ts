import type { PlayEvent } from '../model';
import { fromNdjson } from '../ndjson';
import { PartitionedEncoder } from '../parquet/partitioned';
import { listAll } from '../storage/object-store';
import { TABLES } from '../tables/catalog';
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
 * Builds songplays one staged event file at a time and encodes them straight into Parquet, so memory holds the song
 * lookup, one file's events and the month's compressed output, never the month's rows as objects; time needs only
 * the set of distinct start times. The encoded partitions wait in staging for writePartitions to publish.
 */
export async function transformFacts(ctx: StepContext): Promise<FactsResult> {
  const songs = new SongLookup(fromNdjson<SongKey>(await ctx.output.get(ctx.staging.songLookup())));
  const eventFiles = await listAll(ctx.output, ctx.staging.stagedPrefix('events'));
  const songplays = new PartitionedEncoder(TABLES.songplays);
  const startTimes = new Set<number>();
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

  const time = new PartitionedEncoder(TABLES.time);
  for (const ts of Float64Array.from(startTimes).sort()) time.append(timeRowOf(ts));
  result.time = startTimes.size;

  const files: StagedTableFile[] = [await stageEncoded(ctx, songplays), await stageEncoded(ctx, time)];
  await ctx.output.put(ctx.staging.factsStats(), JSON.stringify(result));
  await ctx.output.put(ctx.staging.tableManifest('facts'), JSON.stringify(files));
  return result;
}

async function stageEncoded(ctx: StepContext, encoder: PartitionedEncoder): Promise<StagedTableFile> {
  const encoded: StagedPartitionFile[] = [];
  for (const partition of encoder.sorted()) {
    const key = ctx.staging.encodedPartition(encoder.table.name, partition.path);
    await ctx.output.put(key, partition.encoder.finish());
    encoded.push({ partition: partition.path, key, rows: partition.rows });
  }
  return { table: encoder.table.name, encoded };
}
