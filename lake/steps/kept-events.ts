import { MAX_EVENT_LINE_BYTES } from '../input/events';
import { lakeKeys } from '../layout';
import type { ReasonCounts } from '../model';
import type { StepContext } from './context';

/**
 * Kept event output: what each event log of a month was loaded as, so a later run of the month (tomorrow's daily run,
 * a rerun) reads and encodes only the logs whose ETag changed. Per log the lake keeps its users' latest states, its
 * quarantined records, its sorted distinct start times and its songplays encoded as Parquet row groups, joined with
 * one song lookup (named by its hash): while the lookup is the same, a kept log's row groups go into the month's
 * partition as they are; when the catalogue changed, the log is read and encoded again. A full run encodes every log
 * the same way, so a daily run's lake is byte for byte the lake a full run of the same input makes.
 */

/**
 * Bumped whenever validation or encoding changes what a log stages or what its entry holds (2: its own time rows): an
 * index of another format is not used. The line limit is part of it, as it decides which lines are quarantined.
 */
const KEPT_FORMAT = 2;

export function validationFingerprint(maxLineBytes = MAX_EVENT_LINE_BYTES): string {
  return `format=${KEPT_FORMAT};max-line-bytes=${maxLineBytes}`;
}

export interface KeptEventFile {
  key: string;
  etag: string;
  /** Valid NextSong plays, other pages' events and quarantined records the log held. */
  records: number;
  otherEvents: number;
  quarantined: ReasonCounts;
  /** The log's users' latest states (NDJSON), its quarantine (NDJSON chunks) and distinct start times (f64). */
  users: string;
  quarantine: string[];
  startTimes: string;
  /** The hash of the song lookup its songplays were joined with. */
  lookup: string;
  /** The first and last of its start times; absent for a log without plays. */
  startRange?: [number, number];
  /** Its own time rows (one per distinct start time) per partition, encoded. */
  time: Fragment[];
  /** Its songplays per partition, encoded; a log's plays may fall in no partition at all. */
  songplays: Fragment[];
  songplaysCount: number;
  songplaysWithSong: number;
}

/** One log's rows of one partition of a table, as Parquet row groups of their own. */
export interface Fragment {
  partition: string;
  key: string;
}

export interface KeptEventsIndex {
  validation: string;
  /** By the log's key. */
  files: Record<string, KeptEventFile>;
}

/** The month's kept logs, or none when the lake has none or they were kept under other validation rules. */
export async function readKeptEvents(ctx: StepContext, validation: string): Promise<KeptEventsIndex> {
  const body = await ctx.output.getIfExists(lakeKeys.keptEventsIndex(ctx.month));
  const index = body ? (JSON.parse(body.toString('utf8')) as KeptEventsIndex) : undefined;
  return index?.validation === validation ? index : { validation, files: {} };
}

/** Every object a kept log's entry names. */
export function keptObjectKeys(file: KeptEventFile): string[] {
  return [file.users, ...file.quarantine, file.startTimes, ...file.time.map((t) => t.key), ...file.songplays.map((s) => s.key)];
}

/**
 * What stage-events made of one event log, for transform-facts and publish: either read and validated now (its
 * staged plays, users and quarantine in the batch's staging keys) or `kept` from an earlier run of the month.
 */
export interface StagedEventFile {
  key: string;
  etag: string;
  part: number;
  batch: number;
  kept?: KeptEventFile;
  /** Read now: keep it for later runs. False for a log that could not be read, which is looked at again next run. */
  keepable: boolean;
  records: number;
  otherEvents: number;
  quarantined: ReasonCounts;
  /** The line limit it was validated with, where a test set one: a kept log read again is read the same way. */
  maxLineBytes?: number;
}

/** The month's kept output as publish leaves it: the new index and each staged object's key in the lake. */
export interface KeptEventsPlan {
  index: KeptEventsIndex;
  moves: { from: string; to: string }[];
}
