import type { StepContext } from './context';

/** Removes everything the run left in its staging area; the lake's tables are not under it. */
export async function discardStaging(ctx: StepContext): Promise<void> {
  await ctx.output.deletePrefix(ctx.staging.root);
}
