/** A validated song file, as staged for the transforms. */
export interface SongRecord {
  song_id: string;
  title: string;
  duration: number;
  year: number;
  artist_id: string;
  artist_name: string;
  artist_location: string | null;
  artist_latitude: number | null;
  artist_longitude: number | null;
  source_key: string;
}

/** A validated NextSong event of the run's month: the only events the star schema is built from. */
export interface PlayEvent {
  ts: number;
  userId: string;
  firstName: string | null;
  lastName: string | null;
  gender: string | null;
  level: string;
  sessionId: number;
  itemInSession: number;
  song: string;
  artist: string;
  length: number;
  location: string | null;
  userAgent: string | null;
}

/** What transform-facts reads of a play: the songplays row and its id. The user's name and gender go to users. */
export type FactPlay = Pick<PlayEvent, 'ts' | 'userId' | 'level' | 'sessionId' | 'itemInSession' | 'song' | 'artist' | 'length' | 'location' | 'userAgent'>;

export type QuarantineReason =
  | 'invalid-json'
  | 'not-an-object'
  | 'missing-field'
  | 'wrong-type'
  | 'missing-user-id'
  | 'outside-month'
  /** An event line longer than the line limit (MAX_EVENT_LINE_BYTES); only its first bytes are kept. */
  | 'line-too-long'
  /** Bytes that are not UTF-8: a line of an event log, or a whole song file. */
  | 'invalid-utf8'
  /** Listed but not readable (a dangling symlink, no permission, gone since listing); detail names the OS error code. */
  | 'unreadable'
  /** A path that is not valid UTF-8: it has no key the lake can record, so the file is not loaded. */
  | 'invalid-file-name'
  /**
   * A song whose partition folder (`artist_id=<value>` escaped as Spark does, or `year=`) would be longer than a store
   * allows a folder name (MAX_PARTITION_SEGMENT_BYTES): the whole song, and so its artist, is left out.
   */
  | 'partition-value-too-long';

/** An input record that could not be used, kept with enough context to find and fix it. */
export interface QuarantineRecord {
  source_key: string;
  /** 1-based line within the source object; null for whole-object sources such as song files. */
  line: number | null;
  reason: QuarantineReason;
  detail: string;
  raw: string;
}

export type ReasonCounts = Partial<Record<QuarantineReason, number>>;

export function addCounts(into: ReasonCounts, from: ReasonCounts): ReasonCounts {
  for (const [reason, n] of Object.entries(from) as [QuarantineReason, number][]) {
    into[reason] = (into[reason] ?? 0) + n;
  }
  return into;
}
