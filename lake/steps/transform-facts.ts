import { mapLimit } from '../concurrency';
import type { PlayEvent } from '../model';
import { fromNdjson, toNdjson } from '../ndjson';
import { listAll } from '../storage/object-store';
import { SongLookup, type SongKey } from '../tables/song-lookup';
import { songplayOf } from '../tables/songplays';
import { timeRowOf } from '../tables/time';
import type { StepContext } from './context';
import type { StagedTableFile } from './transform-dimensions';

export interface FactsResult {
  songplays: number;
  songplaysWithSong: number;
  time: number;
}

/** Time rows per staged chunk: bounds memory while the month's distinct start times are written out. */
const TIME_ROWS_PER_CHUNK = 200_000;

/**
 * Builds songplays one staged event file at a time, so memory holds the song lookup and one file's rows, never the
 * month's events; time needs only the set of distinct start times.
 */
export async function transformFacts(ctx: StepContext): Promise<FactsResult> {
  const songs = new SongLookup(fromNdjson<SongKey>(await ctx.output.get(ctx.staging.songLookup())));
  const eventFiles = await listAll(ctx.output, ctx.staging.stagedPrefix('events'));
  const startTimes = new Set<number>();
  const songplayKeys: string[] = [];
  let songplays = 0;
  let songplaysWithSong = 0;
  for (const [chunk, file] of eventFiles.entries()) {
    const rows = fromNdjson<PlayEvent>(await ctx.output.get(file.key)).map((play) => {
      startTimes.add(play.ts);
      return songplayOf(play, songs);
    });
    songplays += rows.length;
    songplaysWithSong += rows.filter((row) => row.song_id !== null).length;
    const key = ctx.staging.tableRows('songplays', chunk);
    await ctx.output.put(key, toNdjson(rows));
    songplayKeys.push(key);
    ctx.progress.report({ eventFilesDone: chunk + 1 });
  }

  const sorted = Float64Array.from(startTimes).sort();
  const timeChunks = Array.from({ length: Math.ceil(sorted.length / TIME_ROWS_PER_CHUNK) }, (_, i) => i);
  const timeKeys = await mapLimit(timeChunks, 4, async (chunk) => {
    const key = ctx.staging.tableRows('time', chunk);
    const rows = Array.from(sorted.subarray(chunk * TIME_ROWS_PER_CHUNK, (chunk + 1) * TIME_ROWS_PER_CHUNK), timeRowOf);
    await ctx.output.put(key, toNdjson(rows));
    return key;
  });

  const files: StagedTableFile[] = [
    { table: 'songplays', keys: songplayKeys },
    { table: 'time', keys: timeKeys },
  ];
  const result: FactsResult = { songplays, songplaysWithSong, time: sorted.length };
  await ctx.output.put(ctx.staging.factsStats(), JSON.stringify(result));
  await ctx.output.put(ctx.staging.tableManifest('facts'), JSON.stringify(files));
  return result;
}
