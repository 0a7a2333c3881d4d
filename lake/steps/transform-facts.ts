import type { PlayEvent } from '../model';
import { fromNdjson, toNdjson } from '../ndjson';
import { SongLookup, type SongKey } from '../tables/song-lookup';
import { buildSongplays } from '../tables/songplays';
import { buildTime } from '../tables/time';
import type { StepContext } from './context';
import { readStaged } from './staged-reader';
import type { StagedTableFile } from './transform-dimensions';

export interface FactsResult {
  songplays: number;
  songplaysWithSong: number;
  time: number;
}

export async function transformFacts(ctx: StepContext): Promise<FactsResult> {
  const songs = new SongLookup(fromNdjson<SongKey>(await ctx.output.get(ctx.staging.songLookup())));
  const plays = await readStaged<PlayEvent>(ctx, ctx.staging.stagedPrefix('events'));
  const songplays = buildSongplays(plays, songs);
  const time = buildTime(plays.map((p) => p.ts));

  const files: StagedTableFile[] = [
    { table: 'songplays', key: ctx.staging.tableRows('songplays', 0) },
    { table: 'time', key: ctx.staging.tableRows('time', 0) },
  ];
  await ctx.output.put(files[0].key, toNdjson(songplays));
  await ctx.output.put(files[1].key, toNdjson(time));
  await ctx.output.put(ctx.staging.tableManifest('facts'), JSON.stringify(files));
  return {
    songplays: songplays.length,
    songplaysWithSong: songplays.filter((row) => row.song_id !== null).length,
    time: time.length,
  };
}
