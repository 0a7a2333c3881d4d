import { commitRun, type RunReport } from '../lake/steps/commit';
import { planWrite, writePart, type WritePartResult } from '../lake/steps/write-partitions';
import type { FanOutPlan, TaskCall } from '../workflows/dag';
import type { ActivityDeps } from './deps';
import { classifyFailures } from './errors';
import { stepContext } from './step-context';

/**
 * `write`: fan-out that encodes staged rows as Parquet and puts each partition in place atomically.
 * `commit`: publishes the month (users merge, stale files, quarantine, _SUCCESS, run report).
 */
export function writePartitionsActivity(deps: ActivityDeps) {
  return async function writePartitions(
    call: TaskCall<{ phase: 'write' | 'commit' }>,
  ): Promise<FanOutPlan | WritePartResult | RunReport> {
    return classifyFailures(async () => {
      const ctx = stepContext(call, deps.config, deps.stores);
      if (call.params.phase === 'commit') return commitRun(ctx, call.taskSeconds);
      if (call.fanOut?.phase === 'part') return writePart(ctx, call.fanOut.part);
      return planWrite(ctx);
    });
  };
}
