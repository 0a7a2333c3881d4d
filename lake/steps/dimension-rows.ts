import { createHash, type Hash } from 'node:crypto';

/**
 * What a dimension table's files are a function of: its rows, in order, and how they are encoded. Bump the format
 * whenever encoding changes, so tables published before are encoded again (and a kept catalogue of the old format
 * is not taken).
 */
export const DIMENSIONS_FORMAT = 1;

/** The hash a published songs or artists table records as its `inputs`, taken a row at a time. */
export class DimensionRowsHash {
  private readonly hash: Hash = createHash('sha256').update(`format=${DIMENSIONS_FORMAT}\n`);

  add(row: object): void {
    this.hash.update(`${JSON.stringify(row)}\n`);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
