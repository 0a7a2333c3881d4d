import { DuckDBInstance } from '@duckdb/node-api';

/** An independent Parquet reader: DuckDB, reading the lake's folders with hive partitioning as an analyst would. */
export async function queryLake<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as T[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export function table(lake: string, name: string): string {
  return `read_parquet('${lake}/${name}/**/*.parquet', hive_partitioning = true)`;
}

export async function countRows(lake: string, name: string): Promise<number> {
  const [row] = await queryLake<{ n: bigint | number }>(`select count(*) as n from ${table(lake, name)}`);
  return Number(row.n);
}
