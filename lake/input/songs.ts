import type { QuarantineRecord, SongRecord } from '../model';
import { RecordRejected, clip, optionalNumber, optionalString, parseObject, requiredInteger, requiredNumber, requiredString } from './validate';

export type ParsedSong = { ok: true; song: SongRecord } | { ok: false; rejected: QuarantineRecord };

/** One Million Song Dataset file: a single JSON object describing a song and its artist. */
export function parseSongFile(sourceKey: string, text: string): ParsedSong {
  try {
    const record = parseObject(text.trim());
    const song: SongRecord = {
      song_id: requiredString(record, 'song_id', false),
      title: requiredString(record, 'title'),
      duration: requiredNumber(record, 'duration'),
      year: requiredInteger(record, 'year'),
      artist_id: requiredString(record, 'artist_id', false),
      artist_name: requiredString(record, 'artist_name'),
      artist_location: optionalString(record, 'artist_location'),
      artist_latitude: optionalNumber(record, 'artist_latitude'),
      artist_longitude: optionalNumber(record, 'artist_longitude'),
      source_key: sourceKey,
    };
    return { ok: true, song };
  } catch (err) {
    if (!(err instanceof RecordRejected)) throw err;
    return { ok: false, rejected: { source_key: sourceKey, line: null, reason: err.reason, detail: err.detail, raw: clip(text) } };
  }
}
