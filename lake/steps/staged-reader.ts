import { mapLimit } from '../concurrency';
import { fromNdjson } from '../ndjson';
import { listAll, type ObjectInfo } from '../storage/object-store';
import type { StepContext } from './context';

/** One JSON document the steps left in the output store (a manifest, a stats file, a summary). */
export async function readJson<T>(ctx: StepContext, key: string): Promise<T> {
  return JSON.parse((await ctx.output.get(key)).toString('utf8')) as T;
}

/** Every JSON document under a prefix, in key order. */
export async function readJsonUnder<T>(ctx: StepContext, prefix: string): Promise<T[]> {
  return mapLimit(await listAll(ctx.output, prefix), ctx.ioConcurrency, (o) => readJson<T>(ctx, o.key));
}

/** Every NDJSON row under a prefix (or in the objects given), in key order, so every reader sees the same sequence. */
export async function readStaged<T>(ctx: StepContext, from: string | ObjectInfo[]): Promise<T[]> {
  const objects = typeof from === 'string' ? await listAll(ctx.output, from) : from;
  const bodies = await mapLimit(objects, ctx.ioConcurrency, (o) => ctx.output.get(o.key));
  return bodies.flatMap((body) => fromNdjson<T>(body));
}
