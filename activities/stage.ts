import type { Source, StagePlan, StageResult } from '../lake/steps/stage';
import { planStage, stagePart } from '../lake/steps/stage';
import type { TaskCall } from '../workflows/dag';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/** Fan-out step: the plan lists a source tree into parts; each part parses and validates its objects into staging. */
export function stageActivity(deps: ActivityDeps) {
  return function stage(call: TaskCall<{ source: Source }>): Promise<StagePlan | StageResult> {
    return runStep<StagePlan | StageResult>(call, deps, (ctx) =>
      call.fanOut?.phase === 'part' ? stagePart(ctx, call.params.source, call.fanOut.part) : planStage(ctx, call.params.source),
    );
  };
}
