import { TABLES, TABLE_NAMES } from '../../lake/tables/catalog';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import { download } from './servers';
import { queryLake, table } from './duckdb';
import { TempDir } from './temp';

/** Every table's rows, read back by DuckDB and sorted, plus the list of data files: what "identical contents" means. */
export interface LakeSnapshot {
  rows: Record<string, unknown[]>;
  dataFiles: string[];
  counts: Record<string, number>;
}

export async function snapshotLake(store: ObjectStore): Promise<LakeSnapshot> {
  const rows: Record<string, unknown[]> = {};
  const counts: Record<string, number> = {};
  // The copy is only for DuckDB to read; it goes however the reading ends (a test calls this many times).
  const copy = new TempDir('lake-copy');
  try {
    copy.make();
    await download(store, copy.root);
    for (const name of TABLE_NAMES) {
      const columns = [...TABLES[name].columns.map((c) => c.name), ...TABLES[name].partitionBy];
      const result = await queryLake(`select ${columns.map((c) => `"${c}"`).join(', ')} from ${table(copy.root, name)} order by all`);
      rows[name] = result.map((r) => JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))));
      counts[name] = result.length;
    }
  } finally {
    copy.remove();
  }
  const dataFiles = (await listAll(store, ''))
    .map((o) => o.key)
    .filter((k) => !k.startsWith('_'))
    .sort();
  return { rows, dataFiles, counts };
}
