import type { QuarantineReason } from '../model';
import { decodeLossy } from '../utf8';

/** Why a record was rejected; becomes a quarantine entry. */
export class RecordRejected extends Error {
  constructor(
    readonly reason: QuarantineReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}

type Json = Record<string, unknown>;

export function parseObject(text: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RecordRejected('invalid-json', (err as Error).message);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RecordRejected('not-an-object', `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Json;
}

function present(record: Json, field: string): unknown {
  const value = record[field];
  if (value === undefined || value === null) throw new RecordRejected('missing-field', `${field} is missing`);
  return value;
}

export function requiredString(record: Json, field: string, allowEmpty = true): string {
  const value = present(record, field);
  if (typeof value !== 'string') throw new RecordRejected('wrong-type', `${field} must be a string, got ${typeof value}`);
  if (!allowEmpty && value.trim() === '') throw new RecordRejected('missing-field', `${field} is empty`);
  return value;
}

export function requiredNumber(record: Json, field: string): number {
  const value = present(record, field);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RecordRejected('wrong-type', `${field} must be a number, got ${typeof value}`);
  }
  return value;
}

export function requiredInteger(record: Json, field: string): number {
  const value = requiredNumber(record, field);
  if (!Number.isSafeInteger(value)) throw new RecordRejected('wrong-type', `${field} must be a whole number, got ${value}`);
  return value;
}

export function optionalString(record: Json, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RecordRejected('wrong-type', `${field} must be a string or null, got ${typeof value}`);
  return value;
}

export function optionalNumber(record: Json, field: string): number | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RecordRejected('wrong-type', `${field} must be a number or null, got ${typeof value}`);
  }
  return value;
}

/** Quarantine keeps enough of the raw record to diagnose it without letting one huge line bloat the lake. */
export function clip(raw: string, limit = 16_384): string {
  return raw.length <= limit ? raw : `${raw.slice(0, limit)}…(${raw.length - limit} more characters)`;
}

/** Bytes of a record kept in quarantine; the same figure as `clip`'s characters. */
export const CLIP_BYTES = 16_384;

/**
 * `clip` for a record known only as bytes (not UTF-8, or too long to hold): the first bytes decoded with U+FFFD for
 * anything invalid (a character cut at the end shows as one U+FFFD too), and how many bytes were left out.
 */
export function clipBytes(head: Uint8Array, totalBytes: number, limit = CLIP_BYTES): string {
  const shown = head.subarray(0, limit);
  const text = decodeLossy(shown);
  return totalBytes <= shown.length ? text : `${text}…(${totalBytes - shown.length} more bytes)`;
}
