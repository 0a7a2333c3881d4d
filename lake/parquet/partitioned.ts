import { ByteWriter } from 'hyparquet-writer';
import { partitionPath } from '../layout';
import type { TableSpec } from '../tables/catalog';
import { ParquetEncoder } from './encode';

/** One partition being encoded. */
export interface OpenPartition<Out extends ByteWriter = ByteWriter> {
  /** Hive partition path, e.g. `year=2018/month=11`; empty for an unpartitioned table. */
  path: string;
  rows: number;
  encoder: ParquetEncoder<Out>;
}

/**
 * Rows of one table spread over one Parquet encoder per Hive partition, as Spark's `partitionBy` lays them out.
 * Each encoder holds its partition compressed, or writes it to a spill file as it goes (`outFor`), so memory grows
 * with the output's size at most, never with the rows' objects.
 */
export class PartitionedEncoder<Out extends ByteWriter = ByteWriter> {
  private readonly partitions = new Map<string, OpenPartition<Out>>();

  constructor(
    readonly table: TableSpec,
    private readonly outFor: (partition: string) => Out = () => new ByteWriter() as Out,
  ) {}

  /** The partition of the previous row: rows mostly come in runs of one partition (a log's plays are one month). */
  private last?: { values: unknown[]; entry: OpenPartition<Out> };

  append(row: object): void {
    const entry = this.partitionOf(row as Record<string, unknown>);
    entry.encoder.append(row);
    entry.rows++;
  }

  private partitionOf(row: Record<string, unknown>): OpenPartition<Out> {
    const columns = this.table.partitionBy;
    const last = this.last;
    if (last && columns.every((column, i) => row[column] === last.values[i])) return last.entry;
    const path = partitionPath(this.table, row);
    let entry = this.partitions.get(path);
    if (!entry) this.partitions.set(path, (entry = { path, rows: 0, encoder: new ParquetEncoder(this.table, this.outFor(path)) }));
    this.last = { values: columns.map((column) => row[column]), entry };
    return entry;
  }

  /** In partition-path order, so every run publishes in the same order. */
  sorted(): OpenPartition<Out>[] {
    return [...this.partitions.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
