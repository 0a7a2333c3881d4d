import { audit as auditRun, auditPart, finishAudit, planAudit } from '../lake/steps/audit';
import type { SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/**
 * Checks one write task's staged partitions before publish, in one call or as a fan-out (parts read back the files
 * of one write part each on any worker; the finish checks across parts). A failed check fails the run with nothing
 * published.
 */
export function auditActivity(deps: ActivityDeps): SparkifyActivities['audit'] {
  return function audit(call) {
    const { tables } = call.params;
    return runStep<Awaited<ReturnType<SparkifyActivities['audit']>>>(call, deps, (ctx) => {
      switch (call.fanOut?.phase) {
        case 'plan':
          return planAudit(ctx, tables);
        case 'part':
          return auditPart(ctx, tables, call.fanOut.part);
        case 'finish':
          return finishAudit(ctx, tables);
        default:
          return auditRun(ctx, tables);
      }
    });
  };
}
