import { publish as publishRun } from '../lake/steps/publish';
import type { SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/** Publishes the month: users merge, stale files, quarantine, _SUCCESS per table and the run report. */
export function publishActivity(deps: ActivityDeps): SparkifyActivities['publish'] {
  return function publish(call) {
    return runStep(call, deps, (ctx) => publishRun(ctx, call.taskSeconds));
  };
}
