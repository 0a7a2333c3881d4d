import { audit as auditRun } from '../lake/steps/audit';
import type { SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/** Checks the run's staged partitions before publish; a failed check fails the run with nothing published. */
export function auditActivity(deps: ActivityDeps): SparkifyActivities['audit'] {
  return function audit(call) {
    return runStep(call, deps, (ctx) => auditRun(ctx, call.params.tables));
  };
}
