import { Context } from '@temporalio/activity';
import type { LakeConfig } from '../lake/config';
import { StagingArea } from '../lake/layout';
import type { StepContext } from '../lake/steps/context';
import type { StoreFactory } from '../lake/storage/location';
import type { TaskCall } from '../workflows/dag';
import type { SparkifyEtlInput } from '../workflows/sparkify-etl';

/** Turns a DAG task call into the engine's step context: stores, month, staging area and Temporal heartbeats. */
export function stepContext(call: TaskCall, config: LakeConfig, stores: StoreFactory): StepContext {
  const run = call.run as unknown as SparkifyEtlInput & { workflowId: string; runId: string };
  const activity = Context.current();
  return {
    input: stores.open(run.input ?? config.input),
    output: stores.open(run.output ?? config.output),
    month: { year: run.year, month: run.month },
    staging: new StagingArea(run.workflowId, run.runId),
    workflowId: run.workflowId,
    runId: run.runId,
    ioConcurrency: 64,
    progress: {
      report: (details) => activity.heartbeat(details),
      resumeFrom: <T>() => activity.info.heartbeatDetails as T | undefined,
    },
  };
}
