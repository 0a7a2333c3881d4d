import { audit } from '../../lake/steps/audit';
import type { StepContext } from '../../lake/steps/context';
import { discardStaging } from '../../lake/steps/discard-staging';
import { publish, type RunReport } from '../../lake/steps/publish';
import { planStage, stagePart } from '../../lake/steps/stage';
import { transformDimensions } from '../../lake/steps/transform-dimensions';
import { transformFacts } from '../../lake/steps/transform-facts';
import { planWrite, writePart } from '../../lake/steps/write-partitions';
import type { ObjectStore } from '../../lake/storage/object-store';
import { stepContext } from './builders';

/** The steps before the quality gate, in order, in this process: everything the run stages, nothing published. */
export async function stageAndWrite(ctx: StepContext): Promise<void> {
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
}

/** The whole DAG in this process, as the workflow would run it, without Temporal; a failure discards the staging. */
export async function runStepsInProcess(input: ObjectStore, output: ObjectStore, year: number, month: number, runId = 'r1'): Promise<RunReport> {
  const ctx = stepContext(input, output, { month: { year, month }, workflowId: 'in-process', runId, ioConcurrency: 16 });
  try {
    await stageAndWrite(ctx);
    await audit(ctx, 'dimensions');
    await audit(ctx, 'facts');
    return await publish(ctx, {});
  } catch (err) {
    await discardStaging(ctx);
    throw err;
  }
}
