import { OutputNotALake } from '../errors';
import { lakeKeys } from '../layout';
import type { ObjectInfo, ObjectStore } from '../storage/object-store';
import type { StepContext } from './context';

/** What the marker says; read by people, checked only for being there. */
interface LakeMarker {
  kind: 'sparkify-lake';
  createdBy: string;
  createdAt: string;
}

/**
 * A run writes only into a lake: a folder (or bucket prefix) that carries the lake's marker, or an empty one, which
 * it marks. A folder that holds anything else is refused before anything is written there, naming it, so a lake
 * pointed at the wrong place never writes, let alone deletes, among someone else's files. Lakes this project wrote
 * before the marker existed are known by their run reports and marked.
 */
export async function claimOutput(ctx: StepContext): Promise<void> {
  if (await ctx.output.getIfExists(lakeKeys.lakeMarker())) return;
  const legacy = await first(ctx.output, '_runs/');
  if (!legacy) {
    const found = await first(ctx.output, '');
    // Another task of this run may have claimed the folder since we looked; it marks it before writing anything.
    if (found && !(await ctx.output.getIfExists(lakeKeys.lakeMarker()))) {
      throw new OutputNotALake(
        `The output ${ctx.output.description} already holds files (${found.key}, …) and is not a Sparkify lake: ` +
          'nothing was written there. Choose an empty folder or bucket prefix, or a lake this tool made.',
      );
    }
  }
  const marker: LakeMarker = { kind: 'sparkify-lake', createdBy: ctx.workflowId, createdAt: new Date().toISOString() };
  await ctx.output.put(lakeKeys.lakeMarker(), JSON.stringify(marker, null, 2));
}

async function first(store: ObjectStore, prefix: string): Promise<ObjectInfo | undefined> {
  for await (const info of store.list(prefix)) return info;
  return undefined;
}
