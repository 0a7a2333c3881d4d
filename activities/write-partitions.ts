import { planWrite, writePart, type WritePartResult } from '../lake/steps/write-partitions';
import type { FanOutPlan, SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/**
 * Fan-out step: puts each partition of one transform step's tables in place atomically (encoding the rows staged as
 * NDJSON, copying the partitions already encoded).
 */
export function writePartitionsActivity(deps: ActivityDeps): SparkifyActivities['writePartitions'] {
  return function writePartitions(call) {
    const { tables } = call.params;
    return runStep<FanOutPlan | WritePartResult>(call, deps, (ctx) => (call.fanOut?.phase === 'part' ? writePart(ctx, tables, call.fanOut.part) : planWrite(ctx, tables)));
  };
}
