import { mapLimit } from '../concurrency';
import { dataFileKey } from '../layout';
import { fromNdjson } from '../ndjson';
import { finishToBuffer } from '../parquet/encode';
import { PartitionedEncoder } from '../parquet/partitioned';
import { TABLES, type TableName } from '../tables/catalog';
import type { StepContext } from './context';
import { readJson } from './staged-reader';

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

/** A partition file a transform step encoded already, waiting in staging for writePartitions to copy into place. */
export interface StagedPartitionFile {
  partition: string;
  key: string;
  rows: number;
  bytes: number;
}

/**
 * One writePartitions call's share of a table, as the transform steps list it in their manifests: NDJSON rows it
 * encodes (`keys`), or partitions already encoded (`encoded`). No partition is split across two entries.
 */
export type StagedTableFile = { table: TableName; keys: string[] } | { table: TableName; encoded: StagedPartitionFile[] };

/** Which transform step's tables a writePartitions task publishes: dimensions are written while facts are built. */
export type TableSet = 'dimensions' | 'facts';

async function stagedTableFiles(ctx: StepContext, set: TableSet): Promise<StagedTableFile[]> {
  return readJson<StagedTableFile[]>(ctx, ctx.staging.tableManifest(set));
}

export async function planWrite(ctx: StepContext, set: TableSet): Promise<{ parts: number }> {
  return { parts: (await stagedTableFiles(ctx, set)).length };
}

/** Concurrent rounds of puts between two checkpoints: few enough heartbeats, little work redone after a crash. */
const PUT_BATCHES_PER_REPORT = 8;

interface WriteCheckpoint {
  nextPartition: number;
  rows: number;
  bytes: number;
}

/** One partition file to put: its final key, its rows, and how to put it there (giving its size). */
interface PendingFile {
  key: string;
  rows: number;
  put: () => Promise<number>;
}

/**
 * Publishes one staged entry's partitions at their final keys. A partition is one object under a fixed name, so its
 * replacement is atomic: readers see the previous run's file or this one, never a mix or a fragment. Rows staged as
 * NDJSON are encoded here, one encoder per partition; partitions a transform step already encoded are copied.
 */
export async function writePart(ctx: StepContext, set: TableSet, part: number): Promise<WritePartResult> {
  const file = (await stagedTableFiles(ctx, set))[part];
  if (!file) throw new Error(`writePartitions part ${part} of the ${set} is not in the plan`);
  const pending = 'encoded' in file ? encodedFiles(ctx, file) : await encodeRows(ctx, file);
  const checkpoint = await putAll(ctx, pending);
  const summary: WrittenSummary = { table: file.table, files: pending.map(({ key, rows }) => ({ key, rows })) };
  await ctx.output.put(ctx.staging.written(set, part), JSON.stringify(summary));
  return { table: file.table, rows: checkpoint.rows, partitions: pending.length, bytes: checkpoint.bytes };
}

/** A copy inside the store: on S3 the bytes never pass through the worker. */
function encodedFiles(ctx: StepContext, file: Extract<StagedTableFile, { encoded: unknown }>): PendingFile[] {
  return file.encoded.map((p) => {
    const key = dataFileKey(file.table, p.partition);
    const put = async () => {
      await ctx.output.copy(p.key, key);
      return p.bytes;
    };
    return { key, rows: p.rows, put };
  });
}

async function encodeRows(ctx: StepContext, file: Extract<StagedTableFile, { keys: unknown }>): Promise<PendingFile[]> {
  const encoder = new PartitionedEncoder(TABLES[file.table]);
  for (const key of file.keys) {
    for (const row of fromNdjson<Record<string, unknown>>(await ctx.output.get(key))) encoder.append(row);
  }
  return encoder.sorted().map((p) => {
    const key = dataFileKey(file.table, p.path);
    return {
      key,
      rows: p.rows,
      put: async () => {
        const bytes = finishToBuffer(p.encoder);
        await ctx.output.put(key, bytes);
        return bytes.length;
      },
    };
  });
}

/**
 * Puts run ioConcurrency at a time (a songs part is about one file per song); a batch is checkpointed once all of it
 * is in place, so a retry resumes after the last whole batch and at worst puts a batch again, which is a replace.
 */
async function putAll(ctx: StepContext, files: PendingFile[]): Promise<WriteCheckpoint> {
  const checkpoint = ctx.progress.resumeFrom<WriteCheckpoint>() ?? { nextPartition: 0, rows: 0, bytes: 0 };
  const batchSize = ctx.ioConcurrency * PUT_BATCHES_PER_REPORT;
  for (let start = checkpoint.nextPartition; start < files.length; start += batchSize) {
    const batch = files.slice(start, start + batchSize);
    const sizes = await mapLimit(batch, ctx.ioConcurrency, ({ put }) => put());
    checkpoint.nextPartition = start + batch.length;
    checkpoint.rows += batch.reduce((sum, { rows }) => sum + rows, 0);
    checkpoint.bytes += sizes.reduce((sum, size) => sum + size, 0);
    ctx.progress.report(checkpoint);
  }
  return checkpoint;
}
