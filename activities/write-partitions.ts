import { commitRun, discardStaging, type RunReport } from '../lake/steps/commit';
import { planWrite, writePart, type TableSet, type WritePartResult } from '../lake/steps/write-partitions';
import type { FanOutPlan, TaskCall } from '../workflows/dag';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/**
 * `write`: fan-out that puts each partition of one transform step's tables in place atomically (encoding the rows
 * staged as NDJSON, copying the partitions already encoded).
 * `commit`: publishes the month (users merge, stale files, quarantine, _SUCCESS, run report).
 * `discard`: removes a cancelled run's staging area.
 */
export type WritePartitionsParams = { phase: 'write'; tables: TableSet } | { phase: 'commit' } | { phase: 'discard' };

export function writePartitionsActivity(deps: ActivityDeps) {
  return function writePartitions(call: TaskCall<WritePartitionsParams>): Promise<FanOutPlan | WritePartResult | RunReport> {
    return runStep<FanOutPlan | WritePartResult | RunReport>(call, deps, (ctx) => {
      const params = call.params;
      if (params.phase === 'commit') return commitRun(ctx, call.taskSeconds);
      if (params.phase === 'discard') return discardStaging(ctx).then(() => ({ parts: 0 }));
      return call.fanOut?.phase === 'part' ? writePart(ctx, params.tables, call.fanOut.part) : planWrite(ctx, params.tables);
    });
  };
}
