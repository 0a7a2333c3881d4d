import { createHash } from 'node:crypto';
import { formatMonth, twoDigits, type Month } from './month';
import type { TableName, TableSpec } from './tables/catalog';

/**
 * Where everything lives in the lake. Tables sit at the top; everything else starts with "_",
 * which Spark, DuckDB's hive reader and Athena crawlers skip, as they skip `_SUCCESS`.
 */

/** One file per partition under a fixed name: replacing it is a single atomic PUT or rename. */
export const DATA_FILE = 'part-00000.snappy.parquet';
export const SUCCESS_FILE = '_SUCCESS';

/** Hive's default for a null partition value, as Spark writes it. */
const NULL_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/** Spark's ExternalCatalogUtils.escapePathName: these characters become %XX in partition folder names. */
function escapePartitionValue(value: string): string {
  return value.replace(/[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * The longest folder name a partition may have, in UTF-8 bytes. Local file systems (ext4, XFS, APFS, tmpfs) allow 255
 * bytes per path segment; S3 allows 1024 bytes per whole key. The stricter limit holds for both stores, so a lake
 * moves between them unchanged and a record never loads into one and fails in the other.
 */
export const MAX_PARTITION_SEGMENT_BYTES = 255;

/** One `column=value` folder name per partition column, the value escaped as Spark escapes it. */
function partitionSegments(table: TableSpec, row: Record<string, unknown>): string[] {
  return table.partitionBy.map((column) => {
    const value = row[column];
    const text = value === null || value === undefined || value === '' ? NULL_PARTITION : escapePartitionValue(String(value));
    return `${column}=${text}`;
  });
}

export function partitionPath(table: TableSpec, row: Record<string, unknown>): string {
  return partitionSegments(table, row).join('/');
}

/** The first partition folder name of `row` that no store could hold, with its size in bytes; undefined if all fit. */
export function oversizedPartitionSegment(table: TableSpec, row: object): { segment: string; bytes: number } | undefined {
  for (const segment of partitionSegments(table, row as Record<string, unknown>)) {
    const bytes = Buffer.byteLength(segment);
    if (bytes > MAX_PARTITION_SEGMENT_BYTES) return { segment, bytes };
  }
  return undefined;
}

export function successKey(table: TableName): string {
  return `${table}/${SUCCESS_FILE}`;
}

export function dataFileKey(table: TableName, partition: string): string {
  return partition ? `${table}/${partition}/${DATA_FILE}` : `${table}/${DATA_FILE}`;
}

/** The part of a table one month's run owns and replaces: the whole table for dimensions, the month's partition for facts. */
export function ownedPrefix(table: TableName, month: Month): string {
  return table === 'time' || table === 'songplays' ? `${table}/year=${month.year}/month=${month.month}/` : `${table}/`;
}

export function monthPartition(month: Month): string {
  return `year=${month.year}/month=${month.month}`;
}

/** Where the input trees keep their files, as the Udacity data set lays them out. */
export const inputKeys = {
  songPrefix: () => 'song_data/',
  eventLogPrefix: ({ year, month }: Month) => `log_data/${year}/${twoDigits(month)}/`,
  eventLog: (month: Month, day: number) => `${inputKeys.eventLogPrefix(month)}${formatMonth(month)}-${twoDigits(day)}-events.json`,
};

export const lakeKeys = {
  songQuarantine: () => `_quarantine/songs/part-00000.ndjson`,
  eventQuarantine: (month: Month) => `_quarantine/events/${monthPartition(month)}/part-00000.ndjson`,
  userState: (month: Month) => `_state/users/${monthPartition(month)}/users.ndjson`,
  userStatePrefix: () => `_state/users/`,
  /** Validated song files by key and ETag, per shard, so later runs read only what changed. */
  songCachePrefix: () => '_state/songs/',
  songCache: (shards: number, shard: number) => `${lakeKeys.songCachePrefix()}${songCacheName(shards, shard)}`,
  /** The song catalogue as last loaded (listing hash, table hashes, counts) and its song lookup: see kept-catalogue. */
  keptCatalogue: () => `_state/catalogue/catalogue.json`,
  keptSongLookup: () => `_state/catalogue/lookup.ndjson`,
  /** What the lake published under one owned prefix: each file's key, rows and content hash. Only these are ever deleted. */
  publishedFiles: (table: TableName, month: Month) => `_state/files/${ownedPrefix(table, month)}manifest.json`,
  /**
   * What each event log of a month was last loaded as (its users, quarantine, start times and encoded songplays),
   * keyed by the log's key and ETag, so a later run of the month reads and encodes only the logs that changed.
   */
  keptEventsPrefix: (month: Month) => `_state/events/${monthPartition(month)}/`,
  keptEventsIndex: (month: Month) => `${lakeKeys.keptEventsPrefix(month)}index.json`,
  /** One version of one log's kept output: a new ETag is a new folder, so a half-updated index never mixes two. */
  keptEventDir: (month: Month, sourceKey: string, etag: string) =>
    `${lakeKeys.keptEventsPrefix(month)}${createHash('sha256').update(`${sourceKey}\u0000${etag}`).digest('hex').slice(0, 32)}/`,
  /** Marks a folder as a lake: runs write only into an empty folder or one that carries this. */
  lakeMarker: () => `_state/lake.json`,
  runReport: (month: Month, runId: string) => `_runs/${monthPartition(month)}/${runId}.json`,
  latestRunReport: (month: Month) => `_runs/${monthPartition(month)}/latest.json`,
};

/** Where every run's staging area lives: `_staging/<workflow id>/<run id>/`. */
export const STAGING_PREFIX = '_staging/';

/** A run's private working area; nothing here is part of the lake's tables. */
export class StagingArea {
  readonly root: string;

  constructor(workflowId: string, runId: string) {
    this.root = `${STAGING_PREFIX}${safeSegment(workflowId)}/${safeSegment(runId)}/`;
  }

  manifest(source: string, part: number): string {
    return `${this.root}manifest/${source}/${partName(part)}.json`;
  }
  /** What one stage part left of one kind (its staged rows or its quarantined records), as a key prefix. */
  partPrefix(kind: 'staged' | 'quarantine', source: string, part: number): string {
    return `${this.root}${kind}/${source}/${partName(part)}-`;
  }
  /**
   * One staged object of a batch. A batch too large for one object continues in chunks 1, 2, … whose keys sort right
   * after chunk 0's ("_" sorts after "."), so readers by prefix see a batch's rows in the order they were written.
   */
  staged(source: string, part: number, batch: number, chunk = 0): string {
    return `${this.batchPrefix('staged', source, part, batch)}${chunkSuffix(chunk)}`;
  }
  /** Every object of one batch of one kind, chunks included. */
  batchPrefix(kind: 'staged' | 'quarantine', source: string, part: number, batch: number): string {
    return `${this.partPrefix(kind, source, part)}b${String(batch).padStart(5, '0')}`;
  }
  stagedPrefix(source: string): string {
    return `${this.root}staged/${source}/`;
  }
  quarantine(source: string, part: number, batch: number, chunk = 0): string {
    return `${this.batchPrefix('quarantine', source, part, batch)}${chunkSuffix(chunk)}`;
  }
  quarantinePrefix(source: string): string {
    return `${this.root}quarantine/${source}/`;
  }
  stageStats(source: string, part: number): string {
    return `${this.root}stats/stage-${source}-${partName(part)}.json`;
  }
  stageStatsPrefix(): string {
    return `${this.root}stats/stage-`;
  }
  factsStats(): string {
    return `${this.root}stats/facts.json`;
  }
  /** The songs' plan's record of the listing, and of the kept catalogue where the run took it. */
  songCatalogue(): string {
    return `${this.root}catalogue/plan.json`;
  }
  /** What transform-dimensions made of the staged songs, for publish to keep with the listing. */
  catalogueTables(): string {
    return `${this.root}catalogue/tables.json`;
  }
  songLookup(): string {
    return `${this.root}lookup/songs.ndjson`;
  }
  userState(): string {
    return `${this.root}users/month-state.ndjson`;
  }
  tableRows(table: TableName, bucket: number): string {
    return `${this.root}tables/${table}/${partName(bucket)}.ndjson`;
  }
  /** A partition encoded for publishing, waiting in staging until publish copies it to its final key. */
  encodedPartition(table: TableName, partition: string): string {
    return `${this.encodedTablePrefix(table)}${partition ? `${partition}/` : ''}${DATA_FILE}`;
  }
  /** Under it, a table's encoded partitions are laid out as under the table's own folder. */
  encodedTablePrefix(table: TableName): string {
    return `${this.root}tables/${table}/encoded/`;
  }
  /** Several encoded partitions of one write part back to back, where the store has no cheap rename (S3). */
  encodedPack(table: TableName, part: number, pack: number): string {
    return `${this.root}tables/${table}/packs/${partName(part)}-${String(pack).padStart(3, '0')}.pack`;
  }
  /** What stage-events made of one event log: read and validated now, or kept from an earlier run of the month. */
  eventFile(part: number, batch: number): string {
    return `${this.eventFilePrefix()}${partName(part)}-b${String(batch).padStart(5, '0')}.json`;
  }
  eventFilePrefix(): string {
    return `${this.root}events/`;
  }
  /** One event log's songplays of one partition, encoded by transform-facts; assembled into the partition's file. */
  factsFragment(file: number, partition: string): string {
    return `${this.root}tables/songplays/files/${partition ? `${partition}/` : ''}${partName(file)}.parquet`;
  }
  /** One event log's time rows of one partition, encoded by transform-facts. */
  timeFragment(file: number, partition: string): string {
    return `${this.root}tables/time/files/${partition ? `${partition}/` : ''}${partName(file)}.parquet`;
  }
  /** One event log's distinct start times, ascending, as little-endian doubles. */
  startTimesFile(file: number): string {
    return `${this.root}tables/time/files/${partName(file)}.f64`;
  }
  /** The staged event logs transform-facts encodes, and in which segments, listed once by its plan. */
  factsPlan(): string {
    return `${this.root}tables/manifest-facts-plan.json`;
  }
  segmentStats(segment: number): string {
    return `${this.segmentStatsPrefix()}${partName(segment)}.json`;
  }
  segmentStatsPrefix(): string {
    return `${this.root}stats/facts-segment-`;
  }
  /** What one audit part read back: row counts and key values, for the audit's finish. */
  auditPart(set: string, part: number): string {
    return `${this.auditPartPrefix(set)}${partName(part)}.json`;
  }
  auditPartPrefix(set: string): string {
    return `${this.root}audit/${set}-`;
  }
  /** The month's kept event output as publish is to leave it: the new index, and what moves from staging into it. */
  keptEvents(): string {
    return `${this.root}kept-events.json`;
  }
  tableManifest(step: string): string {
    return `${this.root}tables/manifest-${step}.json`;
  }
  /** A part's new song cache, published with the run: a failed run leaves the lake's cache as it was. */
  songCache(shards: number, shard: number): string {
    return `${this.songCachePrefix()}${songCacheName(shards, shard)}`;
  }
  songCachePrefix(): string {
    return `${this.root}song-cache/`;
  }
  written(set: string, part: number): string {
    return `${this.root}written/${set}-${partName(part)}.json`;
  }
  /** What the write tasks staged: every one, or one task's (`dimensions`, `facts`). */
  writtenPrefix(set?: string): string {
    return `${this.root}written/${set ? `${set}-` : ''}`;
  }
}

function songCacheName(shards: number, shard: number): string {
  return `shards=${shards}/${partName(shard)}.ndjson`;
}

function chunkSuffix(chunk: number): string {
  return chunk === 0 ? '.ndjson' : `_c${String(chunk).padStart(5, '0')}.ndjson`;
}

function partName(n: number): string {
  return `part-${String(n).padStart(5, '0')}`;
}

function safeSegment(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
