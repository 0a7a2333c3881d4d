import { UsageError } from './command';

/** What `npm run bench` can time: this pipeline on local disk and through MinIO, and its peers. */
export const SYSTEMS = ['sparkify-local', 'sparkify-s3', 'duckdb', 'duckdb-s3', 'pyspark', 'scaling'] as const;
export type System = (typeof SYSTEMS)[number];

/** The systems `--systems` names, all but scaling when absent; an unknown name is refused, never run under its label. */
export function parseSystems(option: string | undefined): System[] {
  // scaling runs the pipeline four times or more: only when asked for.
  if (option === undefined) return SYSTEMS.filter((s) => s !== 'scaling');
  const names = option.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(SYSTEMS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new UsageError(`--systems: unknown ${unknown.join(', ')}; known systems are ${SYSTEMS.join(', ')}`);
  return names as System[];
}
