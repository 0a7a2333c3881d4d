import { parseEventLog } from '../input/events';
import { parseSongFile } from '../input/songs';
import { addCounts, monthLabel, type QuarantineRecord, type ReasonCounts } from '../model';
import { mapLimit } from '../concurrency';
import { toNdjson } from '../ndjson';
import type { ObjectInfo } from '../storage/object-store';
import { InputError, type StepContext } from './context';

export type Source = 'songs' | 'events';

/** Objects per fan-out call, and per resumable batch within one call. */
const PART_SIZE: Record<Source, number> = { songs: 2000, events: 8 };
const BATCH_SIZE: Record<Source, number> = { songs: 250, events: 1 };

export interface StagePlan {
  parts: number;
  objects: number;
  bytes: number;
}

export interface StageResult {
  source: Source;
  objectsRead: number;
  bytesRead: number;
  records: number;
  /** Valid events of pages other than NextSong. */
  otherEvents: number;
  quarantined: ReasonCounts;
}

function sourcePrefix(ctx: StepContext, source: Source): string {
  const { year, month } = ctx.month;
  return source === 'songs' ? 'song_data/' : `log_data/${year}/${String(month).padStart(2, '0')}/`;
}

/** Lists a source tree and splits it into parts, one manifest object per part, so each call reads only its own. */
export async function planStage(ctx: StepContext, source: Source): Promise<StagePlan> {
  const prefix = sourcePrefix(ctx, source);
  const objects: ObjectInfo[] = [];
  for await (const info of ctx.input.list(prefix)) {
    if (info.key.endsWith('.json')) objects.push(info);
  }
  if (objects.length === 0) {
    const what = source === 'songs' ? 'song files' : `event logs for ${monthLabel(ctx.month)}`;
    throw new InputError(`No ${what} under ${ctx.input.description}${prefix}`);
  }
  const size = PART_SIZE[source];
  const parts = Math.ceil(objects.length / size);
  await mapLimit(
    Array.from({ length: parts }, (_, i) => i),
    ctx.ioConcurrency,
    (part) => ctx.output.put(ctx.staging.manifest(source, part), JSON.stringify(objects.slice(part * size, (part + 1) * size))),
  );
  return { parts, objects: objects.length, bytes: objects.reduce((sum, o) => sum + o.size, 0) };
}

interface StageCheckpoint {
  nextBatch: number;
  totals: StageResult;
}

/** Parses one part's objects batch by batch; a retried call resumes after the last batch it reported. */
export async function stagePart(ctx: StepContext, source: Source, part: number): Promise<StageResult> {
  const manifest = JSON.parse((await ctx.output.get(ctx.staging.manifest(source, part))).toString('utf8')) as ObjectInfo[];
  const batchSize = BATCH_SIZE[source];
  const checkpoint = ctx.progress.resumeFrom<StageCheckpoint>();
  const totals: StageResult = checkpoint?.totals ?? {
    source,
    objectsRead: 0,
    bytesRead: 0,
    records: 0,
    otherEvents: 0,
    quarantined: {},
  };
  const batches = Math.ceil(manifest.length / batchSize);
  for (let batch = checkpoint?.nextBatch ?? 0; batch < batches; batch++) {
    const objects = manifest.slice(batch * batchSize, (batch + 1) * batchSize);
    const bodies = await mapLimit(objects, ctx.ioConcurrency, (o) => ctx.input.get(o.key));
    const rows: unknown[] = [];
    const rejected: QuarantineRecord[] = [];
    objects.forEach((object, i) => {
      const text = bodies[i].toString('utf8');
      totals.objectsRead++;
      totals.bytesRead += bodies[i].length;
      if (source === 'songs') {
        const parsed = parseSongFile(object.key, text);
        if (parsed.ok) rows.push(parsed.song);
        else rejected.push(parsed.rejected);
      } else {
        const parsed = parseEventLog(object.key, text, ctx.month);
        rows.push(...parsed.plays);
        rejected.push(...parsed.rejected);
        totals.otherEvents += parsed.otherPages;
      }
    });
    // Written even when empty, so a resumed call and a fresh one leave the same objects behind.
    await ctx.output.put(ctx.staging.staged(source, part, batch), toNdjson(rows));
    if (rejected.length > 0) await ctx.output.put(ctx.staging.quarantine(source, part, batch), toNdjson(rejected));
    totals.records += rows.length;
    const counts: ReasonCounts = {};
    for (const r of rejected) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
    addCounts(totals.quarantined, counts);
    ctx.progress.report({ nextBatch: batch + 1, totals } satisfies StageCheckpoint);
  }
  return totals;
}
