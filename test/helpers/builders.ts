/**
 * Builders for the records and contexts tests need, each with realistic defaults from the Udacity sample that a test
 * overrides where it matters. One home, so a change of a record's shape changes one file.
 */
import { StagingArea } from '../../lake/layout';
import type { PlayEvent, SongRecord } from '../../lake/model';
import type { Month } from '../../lake/month';
import { noProgress, type StepContext } from '../../lake/steps/context';
import type { ObjectStore } from '../../lake/storage/object-store';

export const NOV_2018: Month = { year: 2018, month: 11 };

/** A validated NextSong event, as stage leaves it for the transforms. */
export function playEvent(overrides: Partial<PlayEvent> = {}): PlayEvent {
  return {
    ts: 1541106106796,
    userId: '8',
    firstName: 'Kaylee',
    lastName: 'Summers',
    gender: 'F',
    level: 'free',
    sessionId: 139,
    itemInSession: 0,
    song: 'You Gotta Be',
    artist: "Des'ree",
    length: 246.30812,
    location: 'Phoenix-Mesa-Scottsdale, AZ',
    userAgent: 'Mozilla/5.0',
    ...overrides,
  };
}

/** An event as the simulator writes it to log_data (one JSON line); `undefined` overrides leave a field out. */
export function rawEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    artist: "Des'ree",
    auth: 'Logged In',
    firstName: 'Kaylee',
    gender: 'F',
    itemInSession: 1,
    lastName: 'Summers',
    length: 246.30812,
    level: 'free',
    location: 'Phoenix-Mesa-Scottsdale, AZ',
    method: 'PUT',
    page: 'NextSong',
    registration: 1540344794796.0,
    sessionId: 139,
    song: 'You Gotta Be',
    status: 200,
    ts: 1541106106796,
    userAgent: '"Mozilla/5.0 (Windows NT 6.1; WOW64)"',
    userId: '8',
    ...overrides,
  };
}

/** JSON lines of an event log, from raw events or verbatim strings. */
export function eventLines(...items: (object | string)[]): string {
  return items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join('\n');
}

/** A validated song, as stage leaves it for the transforms. */
export function songRecord(overrides: Partial<SongRecord> = {}): SongRecord {
  return {
    song_id: 'SOA',
    title: 'Title',
    duration: 100.5,
    year: 2000,
    artist_id: 'ARA',
    artist_name: 'Artist',
    artist_location: 'London, England',
    artist_latitude: 51.5,
    artist_longitude: -0.12,
    source_key: 'song_data/A/A/A/TRAAA.json',
    ...overrides,
  };
}

/** A song file's JSON as the Million Song Dataset subset has it; `undefined` overrides leave a field out. */
export function rawSong(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    num_songs: 1,
    artist_id: 'ARD7TVE1187B99BFB1',
    artist_latitude: null,
    artist_longitude: null,
    artist_location: 'California - LA',
    artist_name: 'Casual',
    song_id: 'SOMZWCG12A8C13C480',
    title: "I Didn't Mean To",
    duration: 218.93179,
    year: 0,
    ...overrides,
  };
}

/**
 * The i-th of a sequence of songplays rows as the encoder takes them: distinct ids and start times, nulls and
 * non-ASCII text at regular places, so a reader's mistake shows at a known row.
 */
export function songplayRow(i: number): Record<string, unknown> {
  return {
    songplay_id: String(BigInt(i) * 7919n - 3n ** 30n),
    start_time: 1_541_030_400_000 + i * 13,
    user_id: String(i % 97),
    level: i % 3 ? 'paid' : 'free',
    song_id: i % 5 ? `SO${i}` : null,
    artist_id: i % 5 ? `AR${i % 1000}` : null,
    session_id: i % 4000,
    location: i % 7 ? 'Zürich, "CH"' : null,
    user_agent: null,
  };
}

/** What an engine step gets from the activity glue, for a test run `wf`/`run` of November 2018. */
export function stepContext(input: ObjectStore, output: ObjectStore, overrides: Partial<StepContext> = {}): StepContext {
  const workflowId = overrides.workflowId ?? 'wf';
  const runId = overrides.runId ?? 'run';
  return {
    input,
    output,
    month: NOV_2018,
    staging: new StagingArea(workflowId, runId),
    workflowId,
    runId,
    progress: noProgress,
    ioConcurrency: 8,
    ...overrides,
  };
}
