import { TABLES, TABLE_NAMES } from '../../lake/tables/catalog';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import { download } from './servers';
import { queryLake, table } from './duckdb';

/** Every table's rows, read back by DuckDB and sorted, plus the list of data files: what "identical contents" means. */
export interface LakeSnapshot {
  rows: Record<string, unknown[]>;
  dataFiles: string[];
  counts: Record<string, number>;
}

export async function snapshotLake(store: ObjectStore): Promise<LakeSnapshot> {
  const dir = await download(store);
  const rows: Record<string, unknown[]> = {};
  const counts: Record<string, number> = {};
  for (const name of TABLE_NAMES) {
    const columns = [...TABLES[name].columns.map((c) => c.name), ...TABLES[name].partitionBy];
    const result = await queryLake(`select ${columns.map((c) => `"${c}"`).join(', ')} from ${table(dir, name)} order by all`);
    rows[name] = result.map((r) => JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))));
    counts[name] = result.length;
  }
  const dataFiles = (await listAll(store, ''))
    .map((o) => o.key)
    .filter((k) => !k.startsWith('_'))
    .sort();
  return { rows, dataFiles, counts };
}
