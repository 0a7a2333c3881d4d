import type { FactPlay } from '../model';
import { fromNdjson } from '../ndjson';

export type StagedPlay = [number, string, string, number, number, string, string, number, string | null, string | null];

/**
 * A staged play as one JSON array line, not an object: no field names to write and parse 1.6 million times a month,
 * and a third fewer bytes through staging. Staged plays live only within a run.
 */
export function stagedPlay(play: FactPlay): StagedPlay {
  return [play.ts, play.userId, play.level, play.sessionId, play.itemInSession, play.song, play.artist, play.length, play.location, play.userAgent];
}

/** A staged play read back; also one staged as an object, by a worker of the previous release in the same run. */
export function factPlayOf(row: StagedPlay | FactPlay): FactPlay {
  if (!Array.isArray(row)) return row;
  const [ts, userId, level, sessionId, itemInSession, song, artist, length, location, userAgent] = row;
  return { ts, userId, level, sessionId, itemInSession, song, artist, length, location, userAgent };
}

/** The plays of one staged chunk. */
export function stagedPlaysFrom(body: Buffer): FactPlay[] {
  return fromNdjson<StagedPlay | FactPlay>(body).map(factPlayOf);
}
