import { mapLimit } from '../concurrency';
import { sha256Hex } from '../hash';
import { dataFileKey, lakeKeys } from '../layout';
import { fromNdjson } from '../ndjson';
import { finishToBuffer } from '../parquet/encode';
import { PartitionedEncoder } from '../parquet/partitioned';
import { listAll } from '../storage/object-store';
import { TABLES, type TableName } from '../tables/catalog';
import type { StepContext } from './context';
import { readPublishedFiles, type PublishedFile, type PublishedFiles } from './published-files';
import { SharedLoads } from './shared-loads';
import { readJson } from './staged-reader';

/** A partition file the run publishes: its final key and, unless the published file has the same bytes, its staged copy. */
export interface WrittenFile extends PublishedFile {
  key: string;
  /** Where the new content waits in staging; absent when it equals what the lake already has at `key`. */
  staged?: string;
  /** Set when `staged` is a pack of several files: where this file's bytes are in it. */
  range?: { offset: number; length: number };
}

/** What one writePartitions call staged; audit checks it and publish makes it visible. */
export interface WrittenSummary {
  table: TableName;
  files: WrittenFile[];
  /** The hash of the rows the table was built from, recorded with its published files (see PublishedFiles). */
  inputs?: string;
  /** The table's rows hash as the published table's did: publish leaves it as it is, files and record. */
  unchanged?: boolean;
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
 * encodes (`keys`), partitions already encoded (`encoded`), or a whole table whose rows hash as the published
 * table's (`unchanged`), which nothing encodes. No partition is split across two entries. `inputs` is the hash of the
 * rows of the whole table, where the transform step records one.
 */
export type StagedTableFile = (
  | { table: TableName; keys: string[] }
  | { table: TableName; encoded: StagedPartitionFile[] }
  | { table: TableName; unchanged: true }
) & { inputs?: string };

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
  if ('unchanged' in file) {
    await ctx.output.put(ctx.staging.written(set, part), JSON.stringify({ table: file.table, files: [], inputs: file.inputs, unchanged: true } satisfies WrittenSummary));
    return { table: file.table, rows: 0, partitions: 0, bytes: 0 };
  }
  const pending = await withPublished(ctx, file.table, async (published) => {
    const unchanged = (key: string, sha256: string) => published.files[key]?.sha256 === sha256;
    return 'encoded' in file ? encodedFiles(file, unchanged) : encodeRows(ctx, part, file, unchanged);
  });
  const checkpoint = await stageAll(ctx, pending);
  const summary: WrittenSummary = { table: file.table, files: pending.map((p) => p.file), inputs: file.inputs };
  await ctx.output.put(ctx.staging.written(set, part), JSON.stringify(summary));
  return { table: file.table, rows: checkpoint.rows, partitions: pending.length, bytes: checkpoint.bytes };
}

type Unchanged = (key: string, sha256: string) => boolean;

/**
 * A table's record of published files, as of its ETag, shared by the write parts a worker runs at once: the songs
 * table's names a file per artist (a million at two million songs), too large for every part to parse a copy.
 */
const publishedRecords = new SharedLoads<PublishedFiles>(30_000);

async function withPublished<R>(ctx: StepContext, table: TableName, use: (published: PublishedFiles) => Promise<R>): Promise<R> {
  const key = lakeKeys.publishedFiles(table, ctx.month);
  const [record] = (await listAll(ctx.output, key)).filter((o) => o.key === key);
  const load = () => readPublishedFiles(ctx.output, table, ctx.month);
  return publishedRecords.use(`${ctx.output.description}\n${key}\n${record?.etag ?? 'none'}`, load, use);
}

function encodedFiles(file: Extract<StagedTableFile, { encoded: unknown }>, unchanged: Unchanged): PendingFile[] {
  return file.encoded.map((p) => {
    const key = dataFileKey(file.table, p.partition);
    const same = unchanged(key, p.sha256);
    return { file: { key, rows: p.rows, bytes: p.bytes, sha256: p.sha256, staged: same ? undefined : p.key } };
  });
}

async function encodeRows(ctx: StepContext, part: number, file: Extract<StagedTableFile, { keys: unknown }>, unchanged: Unchanged): Promise<PendingFile[]> {
  const encoder = new PartitionedEncoder(TABLES[file.table]);
  for (const key of file.keys) {
    for (const row of fromNdjson<Record<string, unknown>>(await ctx.output.get(key))) encoder.append(row);
  }
  const encoded = encoder.sorted().map((p) => {
    const key = dataFileKey(file.table, p.path);
    const bytes = finishToBuffer(p.encoder);
    return { partition: p.path, key, bytes, written: { key, rows: p.rows, bytes: bytes.length, sha256: sha256Hex(bytes) } };
  });
  const changed = encoded.filter((e) => !unchanged(e.key, e.written.sha256));
  const pending = new Map<string, PendingFile>(encoded.map((e) => [e.key, { file: e.written }]));
  if (ctx.output.promoteCopies) {
    packed(changed, PACK_BYTES).forEach((pack, n) => {
      const staged = ctx.staging.encodedPack(file.table, part, n);
      let offset = 0;
      for (const e of pack) {
        pending.get(e.key)!.file = { ...e.written, staged, range: { offset, length: e.bytes.length } };
        offset += e.bytes.length;
      }
      pending.get(pack[0].key)!.stage = () => ctx.output.put(staged, Buffer.concat(pack.map((e) => e.bytes)));
    });
  } else {
    for (const e of changed) {
      const staged = ctx.staging.encodedPartition(file.table, e.partition);
      pending.set(e.key, { file: { ...e.written, staged }, stage: () => ctx.output.put(staged, e.bytes) });
    }
  }
  return [...pending.values()];
}

/**
 * A pack's size: big enough that a songs part is a few requests, small enough that the two packs audit and publish
 * hold at a time stay a small share of a worker's memory.
 */
const PACK_BYTES = 16 << 20;

/** Consecutive runs of `items` whose bytes add up to at most `limit` each (one item alone may exceed it). */
function packed<T extends { bytes: Buffer }>(items: T[], limit: number): T[][] {
  const packs: T[][] = [];
  let size = Infinity;
  for (const item of items) {
    if (size + item.bytes.length > limit) {
      packs.push([]);
      size = 0;
    }
    packs[packs.length - 1].push(item);
    size += item.bytes.length;
  }
  return packs;
}

/**
 * Puts run ioConcurrency at a time (a songs part is about one file per song, or a few packs of them); a batch is
 * checkpointed once all of it is in place, so a retry resumes after the last whole batch and at worst puts a batch
 * again, which is a replace. A pack is put with its first file, so every file before a checkpoint is in place.
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
