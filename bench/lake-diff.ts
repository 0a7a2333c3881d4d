import { createHash } from 'node:crypto';
import { mapLimit } from '../lake/concurrency';
import { lakeKeys, STAGING_PREFIX } from '../lake/layout';
import { listAll, type ObjectStore } from '../lake/storage/object-store';

/**
 * What a run under faults must leave exactly as an undisturbed run does, byte for byte: every table's files (Parquet
 * partitions and `_SUCCESS`), the quarantine (`_quarantine/`), and the state later runs build on (`_state/users/`,
 * the song cache `_state/songs/`, the kept catalogue `_state/catalogue/`, the kept event logs `_state/events/`, the
 * record of published files `_state/files/`), all of which are functions of the input alone. Left out, because they name the run or the moment and so differ between any two runs: the run
 * reports (`_runs/`) and the lake's marker (`_state/lake.json`, its creator and creation time). The staging area
 * (`_staging/`) is no part of the lake; a finished run removes its own, so anything left there is counted apart.
 */
export function comparedKey(key: string): boolean {
  return !key.startsWith('_runs/') && key !== lakeKeys.lakeMarker() && !key.startsWith(STAGING_PREFIX);
}

export interface LakeDiff {
  /** Keys compared (present in either lake). */
  files: number;
  onlyInBaseline: string[];
  onlyInOther: string[];
  /** Present in both with different bytes. */
  differing: string[];
  /** Objects left under `_staging/` in the other lake: a retry's leftovers, no part of the tables. */
  stagingLeft: number;
}

export const identical = (d: LakeDiff) => d.onlyInBaseline.length === 0 && d.onlyInOther.length === 0 && d.differing.length === 0;

/** Both lakes' compared files, keyed relative to each store's root, each with the SHA-256 of its bytes. */
export async function compareLakes(baseline: ObjectStore, other: ObjectStore): Promise<LakeDiff> {
  const [a, b] = await Promise.all([fingerprint(baseline), fingerprint(other)]);
  const keys = [...new Set([...a.hashes.keys(), ...b.hashes.keys()])].sort();
  return {
    files: keys.length,
    onlyInBaseline: keys.filter((k) => !b.hashes.has(k)),
    onlyInOther: keys.filter((k) => !a.hashes.has(k)),
    differing: keys.filter((k) => a.hashes.has(k) && b.hashes.has(k) && a.hashes.get(k) !== b.hashes.get(k)),
    stagingLeft: b.stagingLeft,
  };
}

/**
 * Hashes the bytes rather than trusting ETags: an S3 ETag is the MD5 of the bytes only for a single-part upload, and
 * the lake's files reach their keys by PUT, multipart upload or server-side copy depending on size and store.
 */
async function fingerprint(store: ObjectStore): Promise<{ hashes: Map<string, string>; stagingLeft: number }> {
  const listed = await listAll(store, '');
  const compared = listed.filter((o) => comparedKey(o.key));
  const hashes = await mapLimit(compared, 8, async (o) => [o.key, await sha256Of(store, o.key)] as const);
  return { hashes: new Map(hashes), stagingLeft: listed.filter((o) => o.key.startsWith(STAGING_PREFIX)).length };
}

async function sha256Of(store: ObjectStore, key: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await store.getStream(key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One line for a table cell: `identical (123 files)` or what differs, the first few keys named. */
export function describeDiff(d: LakeDiff): string {
  const staging = d.stagingLeft > 0 ? `; ${d.stagingLeft} staging objects left` : '';
  if (identical(d)) return `identical (${d.files} files${staging})`;
  const few = (label: string, keys: string[]) => (keys.length ? [`${keys.length} ${label} (${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''})`] : []);
  return `DIFFERENT: ${[...few('differ', d.differing), ...few('only in baseline', d.onlyInBaseline), ...few('only here', d.onlyInOther)].join('; ')}${staging}`;
}
