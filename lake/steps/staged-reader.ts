import { mapLimit } from '../concurrency';
import { fromNdjson } from '../ndjson';
import { listAll } from '../storage/object-store';
import type { StepContext } from './context';

/** Every row staged under a prefix, in key order, so every reader sees the same sequence. */
export async function readStaged<T>(ctx: StepContext, prefix: string): Promise<T[]> {
  const objects = await listAll(ctx.output, prefix);
  const bodies = await mapLimit(objects, ctx.ioConcurrency, (o) => ctx.output.get(o.key));
  return bodies.flatMap((body) => fromNdjson<T>(body));
}
