import type { Source, StagePlan, StageResult } from '../lake/steps/stage';
import { planStage, stagePart } from '../lake/steps/stage';
import type { FanOutPlan, TaskCall } from '../workflows/dag';
import type { ActivityDeps } from './deps';
import { classifyFailures } from './errors';
import { stepContext } from './step-context';

/** Fan-out step: the plan lists a source tree into parts; each part parses and validates its objects into staging. */
export function stageActivity(deps: ActivityDeps) {
  return async function stage(call: TaskCall<{ source: Source }>): Promise<(StagePlan & FanOutPlan) | StageResult> {
    return classifyFailures(async () => {
      const ctx = stepContext(call, deps.config, deps.stores);
      if (call.fanOut?.phase === 'part') return stagePart(ctx, call.params.source, call.fanOut.part);
      return planStage(ctx, call.params.source);
    });
  };
}
