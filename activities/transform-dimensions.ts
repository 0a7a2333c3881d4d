import { transformDimensions as buildDimensions, type DimensionsResult } from '../lake/steps/transform-dimensions';
import type { TaskCall } from '../workflows/dag';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/** Builds songs, artists and the month's user states from the staged records. */
export function transformDimensionsActivity(deps: ActivityDeps) {
  return function transformDimensions(call: TaskCall): Promise<DimensionsResult> {
    return runStep(call, deps, buildDimensions);
  };
}
