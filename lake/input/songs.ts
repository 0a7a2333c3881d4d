import { MAX_PARTITION_SEGMENT_BYTES, oversizedPartitionSegment } from '../layout';
import type { QuarantineRecord, SongRecord } from '../model';
import { TABLES } from '../tables/catalog';
import { decodeUtf8, firstInvalidUtf8, hexAt } from '../utf8';
import { RecordRejected, clip, clipBytes, optionalNumber, optionalString, parseObject, requiredInteger, requiredNumber, requiredString } from './validate';

export type ParsedSong = { ok: true; song: SongRecord } | { ok: false; rejected: QuarantineRecord };

/**
 * A song file as read: decoded strictly, so a file that is not UTF-8 is quarantined as `invalid-utf8` instead of
 * loading with U+FFFD in place of its bad bytes. raw then shows the file decoded with U+FFFD, which is safe to store.
 */
export function parseSongBytes(sourceKey: string, bytes: Uint8Array): ParsedSong {
  const text = decodeUtf8(bytes);
  if (text !== undefined) return parseSongFile(sourceKey, text);
  const at = firstInvalidUtf8(bytes);
  const detail = `invalid UTF-8 at byte ${at + 1} of the file (bytes ${hexAt(bytes, at)})`;
  return { ok: false, rejected: { source_key: sourceKey, line: null, reason: 'invalid-utf8', detail, raw: clipBytes(bytes, bytes.length) } };
}

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

/**
 * A song that would need a partition folder longer than any store allows, as the record to quarantine it with; else
 * undefined. Checked at stage time, so write-partitions never meets a name the disk refuses (ENAMETOOLONG on every
 * run, forever). The whole song is quarantined, its artist too: the artists table only holds artists of songs that
 * loaded, so an artist appears there only through another song of theirs with an id that fits.
 */
export function unstorableSong(song: SongRecord, raw: string): QuarantineRecord | undefined {
  const oversized = oversizedPartitionSegment(TABLES.songs, song);
  if (!oversized) return undefined;
  const detail = `the songs partition folder ${clip(oversized.segment, 64)} is ${oversized.bytes} bytes, over the limit of ${MAX_PARTITION_SEGMENT_BYTES} bytes per folder name`;
  return { source_key: song.source_key, line: null, reason: 'partition-value-too-long', detail, raw: clip(raw) };
}
