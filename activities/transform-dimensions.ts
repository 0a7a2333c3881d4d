import { transformDimensions as buildDimensions, type DimensionsResult } from '../lake/steps/transform-dimensions';
import type { TaskCall } from '../workflows/dag';
import type { ActivityDeps } from './deps';
import { classifyFailures } from './errors';
import { stepContext } from './step-context';

/** Builds songs, artists and the month's user states from the staged records. */
export function transformDimensionsActivity(deps: ActivityDeps) {
  return async function transformDimensions(call: TaskCall): Promise<DimensionsResult> {
    return classifyFailures(() => buildDimensions(stepContext(call, deps.config, deps.stores)));
  };
}
