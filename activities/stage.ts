import { planStage, stagePart, type StagePlan, type StageResult } from '../lake/steps/stage';
import type { SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/** Fan-out step: the plan lists a source tree into parts; each part parses and validates its objects into staging. */
export function stageActivity(deps: ActivityDeps): SparkifyActivities['stage'] {
  return function stage(call) {
    const { source } = call.params;
    return runStep<StagePlan | StageResult>(call, deps, (ctx) => (call.fanOut?.phase === 'part' ? stagePart(ctx, source, call.fanOut.part) : planStage(ctx, source)));
  };
}
