/**
 * The song catalogue as the lake last loaded it. Every run of any month rebuilds songs and artists from the whole song
 * tree, and the song cache spares it reading unchanged files, but not listing, re-staging and re-joining them. When
 * the tree lists exactly as it did (every key with the same ETag) the lake keeps what that catalogue came to: the
 * hashes of the songs and artists rows (the published tables' `inputs`), the song lookup transform-facts joins with,
 * the songs' quarantine and the stage's counts. A run that finds the same listing stages no song file at all: its plan
 * puts the kept lookup and quarantine into staging, transform-dimensions leaves both tables as published, and the
 * lake ends as a run that staged every song would have left it.
 */
import { createHash } from 'node:crypto';
import { addCounts, type ReasonCounts } from '../model';
import { sha256Hex } from '../hash';
import { lakeKeys } from '../layout';
import type { ObjectInfo } from '../storage/object-store';
import type { StepContext } from './context';
import { DIMENSIONS_FORMAT } from './dimension-rows';
import { readPublishedInputs } from './published-files';
import type { StageResult } from './stage';
import { readJson, readJsonUnder } from './staged-reader';

/**
 * Bumped whenever song validation or the songs, artists or lookup rows built from it change: a kept catalogue of
 * another format is not used.
 */
const CATALOGUE_FORMAT = 1;

/** What one table's rows were: their hash (as the published table records it) and their count. */
export interface CatalogueTable {
  inputs: string;
  rows: number;
}

export interface KeptCatalogue {
  format: number;
  /** The dimensions' encoding the tables were published with: another one has them encoded again. */
  dimensions: number;
  /** The hash of the song tree's listing: every key, ETag and size, in key order. */
  listing: string;
  songs: CatalogueTable;
  artists: CatalogueTable;
  /** SHA-256 of the kept song lookup, and of the published songs quarantine (absent when there is none). */
  lookup: string;
  quarantine?: string;
  /** The stage's counts over the whole tree, for the run report. */
  records: number;
  quarantined: ReasonCounts;
}

/** What this run's plan found: the listing's hash, and the kept catalogue when it applies. */
export interface StagedCatalogue {
  listing: string;
  kept?: KeptCatalogue;
}

/** What transform-dimensions made of the staged songs, for publish to keep. */
export type CatalogueTables = Pick<KeptCatalogue, 'songs' | 'artists'>;

export function listingHash(objects: ObjectInfo[]): string {
  const hash = createHash('sha256').update(`format=${CATALOGUE_FORMAT}\n`);
  for (const o of objects) hash.update(`${o.key}\u0000${o.etag}\u0000${o.size}\n`);
  return hash.digest('hex');
}

/**
 * Called by the songs' plan with the listing: when the lake's kept catalogue is this listing's, and what it names is
 * still what the lake holds, stages its lookup, quarantine and counts and returns it; the run then stages no song.
 * Not when any file could not be listed or read: such a file is looked at again every run, as the song cache does.
 */
export async function stageKeptCatalogue(ctx: StepContext, objects: ObjectInfo[]): Promise<KeptCatalogue | undefined> {
  const listing = listingHash(objects);
  const found = await keptCatalogue(ctx, listing, objects);
  const kept = found?.kept;
  if (found && kept) {
    await ctx.output.put(ctx.staging.songLookup(), found.lookup);
    if (found.quarantine) await ctx.output.put(ctx.staging.quarantine('songs', 0, 0), found.quarantine);
    const stats: StageResult = {
      source: 'songs',
      objectsRead: 0,
      bytesRead: 0,
      objectsReused: objects.length,
      records: kept.records,
      otherEvents: 0,
      quarantined: kept.quarantined,
    };
    await ctx.output.put(ctx.staging.stageStats('songs', 0), JSON.stringify(stats));
  }
  await ctx.output.put(ctx.staging.songCatalogue(), JSON.stringify({ listing, kept } satisfies StagedCatalogue));
  return kept;
}

/** The kept catalogue with the lookup and quarantine it names, when all of it is this listing's and still in place. */
async function keptCatalogue(
  ctx: StepContext,
  listing: string,
  objects: ObjectInfo[],
): Promise<{ kept: KeptCatalogue; lookup: Buffer; quarantine?: Buffer } | undefined> {
  if (objects.some((o) => o.problem)) return undefined;
  const body = await ctx.output.getIfExists(lakeKeys.keptCatalogue());
  if (!body) return undefined;
  const kept = JSON.parse(body.toString('utf8')) as KeptCatalogue;
  if (kept.format !== CATALOGUE_FORMAT || kept.dimensions !== DIMENSIONS_FORMAT || kept.listing !== listing || (kept.quarantined.unreadable ?? 0) > 0) return undefined;
  // The tables, lookup and quarantine must still be the ones the catalogue made: another run or a hand may have
  // replaced any of them since.
  const [songs, artists] = await Promise.all([readPublishedInputs(ctx.output, 'songs', ctx.month), readPublishedInputs(ctx.output, 'artists', ctx.month)]);
  if (songs !== kept.songs.inputs || artists !== kept.artists.inputs) return undefined;
  const lookup = await ctx.output.getIfExists(lakeKeys.keptSongLookup());
  if (!lookup || sha256Hex(lookup) !== kept.lookup) return undefined;
  const quarantine = await ctx.output.getIfExists(lakeKeys.songQuarantine());
  if ((quarantine ? sha256Hex(quarantine) : undefined) !== kept.quarantine) return undefined;
  return { kept, lookup, quarantine };
}

/** The plan's record: whether this run took the kept catalogue. */
export async function readStagedCatalogue(ctx: StepContext): Promise<StagedCatalogue> {
  return readJson<StagedCatalogue>(ctx, ctx.staging.songCatalogue());
}

/**
 * Publish's last word on songs, after the tables, the quarantine and the song cache: a run that staged the catalogue
 * keeps what it came to. The lookup goes first and the record naming its hash last, so a publish cut short between
 * them leaves a record that no longer matches, which is not used.
 */
export async function publishKeptCatalogue(ctx: StepContext, staged: StagedCatalogue): Promise<void> {
  if (staged.kept) return;
  const tables = await readJson<CatalogueTables>(ctx, ctx.staging.catalogueTables());
  const stats = (await readJsonUnder<StageResult>(ctx, ctx.staging.stageStatsPrefix())).filter((s) => s.source === 'songs');
  const lookup = await ctx.output.get(ctx.staging.songLookup());
  const quarantine = await ctx.output.getIfExists(lakeKeys.songQuarantine());
  const kept: KeptCatalogue = {
    format: CATALOGUE_FORMAT,
    dimensions: DIMENSIONS_FORMAT,
    listing: staged.listing,
    ...tables,
    lookup: sha256Hex(lookup),
    quarantine: quarantine ? sha256Hex(quarantine) : undefined,
    records: stats.reduce((sum, s) => sum + s.records, 0),
    quarantined: stats.reduce((all, s) => addCounts(all, s.quarantined), {} as ReasonCounts),
  };
  await ctx.output.put(lakeKeys.keptSongLookup(), lookup);
  await ctx.output.put(lakeKeys.keptCatalogue(), JSON.stringify(kept));
}
