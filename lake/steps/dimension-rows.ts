import { createHash } from 'node:crypto';

/**
 * What a dimension table's files are a function of: its rows, in order, and how they are encoded. Bump the format
 * whenever encoding changes, so tables published before are encoded again (and a kept catalogue of the old format
 * is not taken).
 */
export const DIMENSIONS_FORMAT = 1;

/** The hash a published songs or artists table records as its `inputs`. */
export function dimensionRowsHash(rows: object[]): string {
  const hash = createHash('sha256').update(`format=${DIMENSIONS_FORMAT}\n`);
  for (const row of rows) hash.update(`${JSON.stringify(row)}\n`);
  return hash.digest('hex');
}
