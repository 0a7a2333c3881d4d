import { publish, type RunReport } from '../../lake/steps/publish';
import { planStage, stagePart } from '../../lake/steps/stage';
import { transformDimensions } from '../../lake/steps/transform-dimensions';
import { transformFacts } from '../../lake/steps/transform-facts';
import { planWrite, writePart } from '../../lake/steps/write-partitions';
import type { ObjectStore } from '../../lake/storage/object-store';
import { stepContext } from './builders';

/** Runs the engine's steps in order in this process, as the DAG would, without Temporal. */
export async function runStepsInProcess(input: ObjectStore, output: ObjectStore, year: number, month: number, runId = 'r1'): Promise<RunReport> {
  const ctx = stepContext(input, output, { month: { year, month }, workflowId: 'in-process', runId, ioConcurrency: 16 });
  for (const source of ['songs', 'events'] as const) {
    const { parts } = await planStage(ctx, source);
    for (let part = 0; part < parts; part++) await stagePart(ctx, source, part);
  }
  await transformDimensions(ctx);
  await transformFacts(ctx);
  for (const set of ['dimensions', 'facts'] as const) {
    const { parts } = await planWrite(ctx, set);
    for (let part = 0; part < parts; part++) await writePart(ctx, set, part);
  }
  return publish(ctx, {});
}
