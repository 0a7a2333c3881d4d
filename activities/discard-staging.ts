import { discardStaging as discardRunStaging } from '../lake/steps/discard-staging';
import type { SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/** Removes the staging area of a run that failed or was cancelled. */
export function discardStagingActivity(deps: ActivityDeps): SparkifyActivities['discardStaging'] {
  return function discardStaging(call) {
    return runStep(call, deps, discardRunStaging);
  };
}
