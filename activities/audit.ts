import { audit as auditRun, auditPart, finishAudit } from '../lake/steps/audit';
import type { SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/**
 * Checks one write task's staged partitions before publish, in one call or as a fan-out that follows its write task's
 * parts (part i reads back write part i's files, on any worker, as soon as they are staged; the finish checks across
 * parts). A failed check fails the run with nothing
 * published.
 */
export function auditActivity(deps: ActivityDeps): SparkifyActivities['audit'] {
  return function audit(call) {
    const { tables } = call.params;
    return runStep<Awaited<ReturnType<SparkifyActivities['audit']>>>(call, deps, (ctx) => {
      switch (call.fanOut?.phase) {
        case 'plan':
          // Its parts are its write task's parts (the DAG's partsOf): one per write part, no plan of its own.
          throw new Error('audit follows the parts of its write task and has no plan of its own');
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
