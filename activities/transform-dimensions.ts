import { transformDimensions as buildDimensions } from '../lake/steps/transform-dimensions';
import type { SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/** Builds songs, artists and the month's user states from the staged records. */
export function transformDimensionsActivity(deps: ActivityDeps): SparkifyActivities['transformDimensions'] {
  return function transformDimensions(call) {
    return runStep(call, deps, buildDimensions);
  };
}
