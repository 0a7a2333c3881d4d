import { mapLimit } from '../concurrency';
import { dataFileKey, partitionPath } from '../layout';
import { fromNdjson } from '../ndjson';
import { ParquetEncoder } from '../parquet/encode';
import { TABLES, type TableName } from '../tables/catalog';
import type { StepContext } from './context';
import { readJson } from './staged-reader';
import type { StagedTableFile } from './transform-dimensions';

export interface WrittenFile {
  key: string;
  rows: number;
}

/** What one writePartitions call published; kept in staging for the commit. */
export interface WrittenSummary {
  table: TableName;
  files: WrittenFile[];
}

export interface WritePartResult {
  table: TableName;
  rows: number;
  partitions: number;
  bytes: number;
}

async function stagedTableFiles(ctx: StepContext): Promise<StagedTableFile[]> {
  const manifests = await Promise.all(
    ['dimensions', 'facts'].map((step) => readJson<StagedTableFile[]>(ctx, ctx.staging.tableManifest(step))),
  );
  return manifests.flat();
}

export async function planWrite(ctx: StepContext): Promise<{ parts: number }> {
  return { parts: (await stagedTableFiles(ctx)).length };
}

/** Concurrent rounds of puts between two checkpoints: few enough heartbeats, little work redone after a crash. */
const PUT_BATCHES_PER_REPORT = 8;

interface WriteCheckpoint {
  nextPartition: number;
  rows: number;
  bytes: number;
}

/**
 * Encodes one staged entry's partitions and puts each at its final key. A partition is one object under a fixed name,
 * so its replacement is atomic: readers see the previous run's file or this one, never a mix or a fragment. Rows
 * stream into one encoder per partition, which holds them compressed; a retry re-encodes but skips the puts done.
 */
export async function writePart(ctx: StepContext, part: number): Promise<WritePartResult> {
  const file = (await stagedTableFiles(ctx))[part];
  if (!file) throw new Error(`writePartitions part ${part} is not in the plan`);
  const table = TABLES[file.table];
  const encoders = new Map<string, { encoder: ParquetEncoder; rows: number }>();
  for (const key of file.keys) {
    for (const row of fromNdjson<Record<string, unknown>>(await ctx.output.get(key))) {
      const path = partitionPath(table, row);
      let entry = encoders.get(path);
      if (!entry) encoders.set(path, (entry = { encoder: await ParquetEncoder.open(table), rows: 0 }));
      await entry.encoder.append(row);
      entry.rows++;
    }
  }
  const ordered = [...encoders.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  // Puts run ioConcurrency at a time (a songs part is ~one file per song); a batch is checkpointed once all of it is
  // in place, so a retry resumes after the last whole batch and at worst puts a batch again, which is a replace.
  const checkpoint = ctx.progress.resumeFrom<WriteCheckpoint>() ?? { nextPartition: 0, rows: 0, bytes: 0 };
  const batchSize = ctx.ioConcurrency * PUT_BATCHES_PER_REPORT;
  for (let start = checkpoint.nextPartition; start < ordered.length; start += batchSize) {
    const batch = ordered.slice(start, start + batchSize);
    const sizes = await mapLimit(batch, ctx.ioConcurrency, async ([path, { encoder }]) => {
      const body = await encoder.finish();
      await ctx.output.put(dataFileKey(table.name, path), body);
      return body.length;
    });
    checkpoint.nextPartition = start + batch.length;
    checkpoint.rows += batch.reduce((sum, [, { rows }]) => sum + rows, 0);
    checkpoint.bytes += sizes.reduce((sum, size) => sum + size, 0);
    ctx.progress.report(checkpoint);
  }

  const summary: WrittenSummary = {
    table: table.name,
    files: ordered.map(([path, { rows }]) => ({ key: dataFileKey(table.name, path), rows })),
  };
  await ctx.output.put(ctx.staging.written(part), JSON.stringify(summary));
  return { table: table.name, rows: checkpoint.rows, partitions: ordered.length, bytes: checkpoint.bytes };
}
