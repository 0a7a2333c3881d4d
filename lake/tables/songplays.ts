import { sha256 } from '../hash';
import type { FactPlay } from '../model';
import type { SongLookup } from './song-lookup';

export interface SongplayRow {
  /** A signed 64-bit id, carried as a decimal string until it is written. */
  songplay_id: string;
  start_time: number;
  user_id: string;
  level: string;
  song_id: string | null;
  artist_id: string | null;
  session_id: number;
  location: string | null;
  user_agent: string | null;
  year: number;
  month: number;
}

/** Derived from the event's own fields, so reruns and retries give every play the same id. */
export function songplayId(play: FactPlay): string {
  const digest = sha256(JSON.stringify([play.ts, play.userId, play.sessionId, play.itemInSession, play.song, play.artist, play.length]));
  return (digest.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn).toString();
}

export function songplayOf(play: FactPlay, songs: SongLookup): SongplayRow {
  const match = songs.find(play.song, play.artist, play.length);
  const date = new Date(play.ts);
  return {
    songplay_id: songplayId(play),
    start_time: play.ts,
    user_id: play.userId,
    level: play.level,
    song_id: match?.song_id ?? null,
    artist_id: match?.artist_id ?? null,
    session_id: play.sessionId,
    location: play.location,
    user_agent: play.userAgent,
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
  };
}

export function buildSongplays(plays: Iterable<FactPlay>, songs: SongLookup): SongplayRow[] {
  const rows: SongplayRow[] = [];
  for (const play of plays) rows.push(songplayOf(play, songs));
  return rows.sort((a, b) => a.start_time - b.start_time || (a.songplay_id < b.songplay_id ? -1 : a.songplay_id > b.songplay_id ? 1 : 0));
}
