import { monthBounds, type Month } from '../month';
import type { PlayEvent, QuarantineReason, QuarantineRecord } from '../model';
import { decodeUtf8, firstInvalidUtf8, hexAt } from '../utf8';
import { LineSplitter, type Line } from './lines';
import {
  CLIP_BYTES,
  RecordRejected,
  clip,
  clipBytes,
  optionalString,
  parseObject,
  requiredInteger,
  requiredNumber,
  requiredString,
} from './validate';

export interface ParsedEventLog {
  plays: PlayEvent[];
  rejected: QuarantineRecord[];
  /** Valid events of pages other than NextSong: read, checked, and not part of the star schema. */
  otherPages: number;
}

/**
 * The longest event line staged, in bytes (64 MiB). A longer line is quarantined as `line-too-long` with its first
 * bytes, and never held whole: one runaway line cannot exhaust a worker. A day of the simulator's lines is under 1 KiB
 * each.
 */
export const MAX_EVENT_LINE_BYTES = 64 * 1024 * 1024;

export interface EventLogOptions {
  /** Overrides MAX_EVENT_LINE_BYTES (tests use a small limit). */
  maxLineBytes?: number;
}

/** What one line of an event log turns into; blank lines turn into nothing. */
export type EventOutcome =
  | { kind: 'play'; play: PlayEvent }
  | { kind: 'other-page' }
  | { kind: 'rejected'; record: QuarantineRecord };

/** A day of the event simulator's JSON lines; keeps the month's NextSong events and rejects the rest with a reason. */
export function parseEventLog(sourceKey: string, text: string, month: Month): ParsedEventLog {
  const bounds = monthBounds(month);
  const result: ParsedEventLog = { plays: [], rejected: [], otherPages: 0 };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) addOutcome(result, parseEventText(sourceKey, i + 1, lines[i], bounds));
  return result;
}

/**
 * `parseEventLog` over a stream of bytes, in bounded memory: yields each chunk's outcomes as the lines complete, so
 * the caller can write them away before the next chunk is read. Each line is decoded on its own, strictly: a line
 * that is not UTF-8 is quarantined as `invalid-utf8` and the lines around it load as usual.
 */
export async function* readEventLog(
  sourceKey: string,
  chunks: AsyncIterable<Uint8Array>,
  month: Month,
  options: EventLogOptions = {},
): AsyncGenerator<EventOutcome[]> {
  const bounds = monthBounds(month);
  const maxLineBytes = options.maxLineBytes ?? MAX_EVENT_LINE_BYTES;
  const splitter = new LineSplitter(maxLineBytes, CLIP_BYTES);
  const take = (line: Line, into: EventOutcome[]) => {
    const outcome = parseEventLine(sourceKey, line, bounds, maxLineBytes);
    if (outcome) into.push(outcome);
  };
  for await (const chunk of chunks) {
    const outcomes: EventOutcome[] = [];
    for (const line of splitter.push(chunk)) take(line, outcomes);
    yield outcomes;
  }
  const outcomes: EventOutcome[] = [];
  const last = splitter.end();
  if (last) take(last, outcomes);
  yield outcomes;
}

/** Sums what `readEventLog` yields the way `parseEventLog` returns it; for callers that can hold a whole log. */
export async function collectEventLog(outcomes: AsyncIterable<EventOutcome[]>): Promise<ParsedEventLog> {
  const result: ParsedEventLog = { plays: [], rejected: [], otherPages: 0 };
  for await (const batch of outcomes) for (const outcome of batch) addOutcome(result, outcome);
  return result;
}

function addOutcome(result: ParsedEventLog, outcome: EventOutcome | undefined): void {
  if (outcome?.kind === 'play') result.plays.push(outcome.play);
  else if (outcome?.kind === 'other-page') result.otherPages++;
  else if (outcome?.kind === 'rejected') result.rejected.push(outcome.record);
}

type MonthBounds = ReturnType<typeof monthBounds>;

function parseEventLine(sourceKey: string, line: Line, bounds: MonthBounds, maxLineBytes: number): EventOutcome | undefined {
  if (line.tooLong) {
    const detail = `the line is ${line.length} bytes, over the limit of ${maxLineBytes} bytes`;
    return rejected(sourceKey, line.number, 'line-too-long', detail, clipBytes(line.head, line.length));
  }
  const text = decodeUtf8(line.bytes);
  if (text === undefined) {
    const at = firstInvalidUtf8(line.bytes);
    // raw is the line decoded with U+FFFD in place of each invalid sequence: readable, and safe to write as JSON.
    const detail = `invalid UTF-8 at byte ${at + 1} of the line (bytes ${hexAt(line.bytes, at)})`;
    return rejected(sourceKey, line.number, 'invalid-utf8', detail, clipBytes(line.bytes, line.bytes.length));
  }
  return parseEventText(sourceKey, line.number, text, bounds);
}

function parseEventText(sourceKey: string, lineNumber: number, text: string, { startMs, endMs }: MonthBounds): EventOutcome | undefined {
  const line = text.trim();
  if (line === '') return undefined;
  try {
    const record = parseObject(line);
    const ts = requiredInteger(record, 'ts');
    const page = requiredString(record, 'page');
    if (ts < startMs || ts >= endMs) {
      throw new RecordRejected('outside-month', `ts ${describeInstant(ts)} is outside the run's month`);
    }
    if (page !== 'NextSong') return { kind: 'other-page' };
    return { kind: 'play', play: toPlay(record, ts) };
  } catch (err) {
    if (!(err instanceof RecordRejected)) throw err;
    return rejected(sourceKey, lineNumber, err.reason, err.detail, clip(line));
  }
}

function rejected(sourceKey: string, line: number, reason: QuarantineReason, detail: string, raw: string): EventOutcome {
  return { kind: 'rejected', record: { source_key: sourceKey, line, reason, detail, raw } };
}

function toPlay(record: Record<string, unknown>, ts: number): PlayEvent {
  const userId = record.userId;
  // A blank id names no user any more than an empty one does.
  if (userId === undefined || userId === null || (typeof userId === 'string' && userId.trim() === '')) {
    throw new RecordRejected('missing-user-id', 'NextSong event without a userId');
  }
  return {
    ts,
    userId: requiredString(record, 'userId', false),
    firstName: optionalString(record, 'firstName'),
    lastName: optionalString(record, 'lastName'),
    gender: optionalString(record, 'gender'),
    level: requiredString(record, 'level', false),
    sessionId: requiredInteger(record, 'sessionId'),
    itemInSession: requiredInteger(record, 'itemInSession'),
    song: requiredString(record, 'song'),
    artist: requiredString(record, 'artist'),
    length: requiredNumber(record, 'length'),
    location: optionalString(record, 'location'),
    userAgent: optionalString(record, 'userAgent'),
  };
}

/** Safe integers reach beyond the ±8.64e15 ms a Date can hold, where toISOString throws; show those raw. */
function describeInstant(ts: number): string {
  const instant = new Date(ts);
  return Number.isNaN(instant.getTime()) ? String(ts) : instant.toISOString();
}
