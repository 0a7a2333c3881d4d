import { listAll } from '../storage/object-store';
import type { StepContext } from './context';

/** Removes everything the run left in its staging area; the lake's tables are not under it. */
export async function discardStaging(ctx: StepContext): Promise<void> {
  const objects = await listAll(ctx.output, ctx.staging.root);
  await ctx.output.deleteMany(objects.map((o) => o.key));
}
