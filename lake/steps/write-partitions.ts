import { mapLimit } from '../concurrency';
import { sha256Hex } from '../hash';
import { dataFileKey } from '../layout';
import { fromNdjson } from '../ndjson';
import { finishToBuffer } from '../parquet/encode';
import { PartitionedEncoder } from '../parquet/partitioned';
import { TABLES, type TableName } from '../tables/catalog';
import type { StepContext } from './context';
import { readPublishedFiles, type PublishedFile } from './published-files';
import { readJson } from './staged-reader';

/** A partition file the run publishes: its final key and, unless the published file has the same bytes, its staged copy. */
export interface WrittenFile extends PublishedFile {
  key: string;
  /** Where the new content waits in staging; absent when it equals what the lake already has at `key`. */
  staged?: string;
}

/** What one writePartitions call staged; audit checks it and publish makes it visible. */
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

/** A partition file a transform step encoded already into staging. */
export interface StagedPartitionFile {
  partition: string;
  key: string;
  rows: number;
  bytes: number;
  sha256: string;
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

/** One partition file: what publish will need to know of it, and how to stage its bytes (when they changed). */
interface PendingFile {
  file: WrittenFile;
  stage?: () => Promise<void>;
}

/**
 * Stages one entry's partitions for publishing; nothing here writes a key readers of the lake see. Rows staged as
 * NDJSON are encoded here, one encoder per partition; partitions a transform step encoded are in staging already.
 * A partition whose bytes hash the same as the lake's published file is not staged at all: publish leaves it be.
 */
export async function writePart(ctx: StepContext, set: TableSet, part: number): Promise<WritePartResult> {
  const file = (await stagedTableFiles(ctx, set))[part];
  if (!file) throw new Error(`writePartitions part ${part} of the ${set} is not in the plan`);
  const published = (await readPublishedFiles(ctx.output, file.table, ctx.month)).files;
  const unchanged = (key: string, sha256: string) => published[key]?.sha256 === sha256;
  const pending = 'encoded' in file ? encodedFiles(file, unchanged) : await encodeRows(ctx, file, unchanged);
  const checkpoint = await stageAll(ctx, pending);
  const summary: WrittenSummary = { table: file.table, files: pending.map((p) => p.file) };
  await ctx.output.put(ctx.staging.written(set, part), JSON.stringify(summary));
  return { table: file.table, rows: checkpoint.rows, partitions: pending.length, bytes: checkpoint.bytes };
}

type Unchanged = (key: string, sha256: string) => boolean;

function encodedFiles(file: Extract<StagedTableFile, { encoded: unknown }>, unchanged: Unchanged): PendingFile[] {
  return file.encoded.map((p) => {
    const key = dataFileKey(file.table, p.partition);
    const same = unchanged(key, p.sha256);
    return { file: { key, rows: p.rows, bytes: p.bytes, sha256: p.sha256, staged: same ? undefined : p.key } };
  });
}

async function encodeRows(ctx: StepContext, file: Extract<StagedTableFile, { keys: unknown }>, unchanged: Unchanged): Promise<PendingFile[]> {
  const encoder = new PartitionedEncoder(TABLES[file.table]);
  for (const key of file.keys) {
    for (const row of fromNdjson<Record<string, unknown>>(await ctx.output.get(key))) encoder.append(row);
  }
  return encoder.sorted().map((p) => {
    const key = dataFileKey(file.table, p.path);
    const bytes = finishToBuffer(p.encoder);
    const sha256 = sha256Hex(bytes);
    if (unchanged(key, sha256)) return { file: { key, rows: p.rows, bytes: bytes.length, sha256 } };
    const staged = ctx.staging.encodedPartition(file.table, p.path);
    return { file: { key, rows: p.rows, bytes: bytes.length, sha256, staged }, stage: () => ctx.output.put(staged, bytes) };
  });
}

/**
 * Puts run ioConcurrency at a time (a songs part is about one file per song); a batch is checkpointed once all of it
 * is in place, so a retry resumes after the last whole batch and at worst puts a batch again, which is a replace.
 */
async function stageAll(ctx: StepContext, files: PendingFile[]): Promise<WriteCheckpoint> {
  const checkpoint = ctx.progress.resumeFrom<WriteCheckpoint>() ?? { nextPartition: 0, rows: 0, bytes: 0 };
  const batchSize = ctx.ioConcurrency * PUT_BATCHES_PER_REPORT;
  for (let start = checkpoint.nextPartition; start < files.length; start += batchSize) {
    const batch = files.slice(start, start + batchSize);
    await mapLimit(batch, ctx.ioConcurrency, async ({ stage }) => stage?.());
    checkpoint.nextPartition = start + batch.length;
    checkpoint.rows += batch.reduce((sum, { file }) => sum + file.rows, 0);
    checkpoint.bytes += batch.reduce((sum, { file }) => sum + file.bytes, 0);
    ctx.progress.report(checkpoint);
  }
  return checkpoint;
}
