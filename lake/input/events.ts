import { monthBounds, type Month } from '../month';
import type { PlayEvent, QuarantineRecord } from '../model';
import { RecordRejected, clip, optionalString, parseObject, requiredInteger, requiredNumber, requiredString } from './validate';

export interface ParsedEventLog {
  plays: PlayEvent[];
  rejected: QuarantineRecord[];
  /** Valid events of pages other than NextSong: read, checked, and not part of the star schema. */
  otherPages: number;
}

/** A day of the event simulator's JSON lines; keeps the month's NextSong events and rejects the rest with a reason. */
export function parseEventLog(sourceKey: string, text: string, month: Month): ParsedEventLog {
  const { startMs, endMs } = monthBounds(month);
  const result: ParsedEventLog = { plays: [], rejected: [], otherPages: 0 };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      const record = parseObject(line);
      const ts = requiredInteger(record, 'ts');
      const page = requiredString(record, 'page');
      if (ts < startMs || ts >= endMs) {
        throw new RecordRejected('outside-month', `ts ${describeInstant(ts)} is outside the run's month`);
      }
      if (page !== 'NextSong') {
        result.otherPages++;
        continue;
      }
      result.plays.push(toPlay(record, ts));
    } catch (err) {
      if (!(err instanceof RecordRejected)) throw err;
      result.rejected.push({ source_key: sourceKey, line: i + 1, reason: err.reason, detail: err.detail, raw: clip(line) });
    }
  }
  return result;
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
