import type { Client, WorkflowHandle } from '@temporalio/client';
import type { LakeConfig } from '../lake/config';
import type { RunReport } from '../lake/steps/publish';
import { monthRunSummary, monthWorkflowId } from '../workflows/workflow-ids';
import type { sparkifyEtl, SparkifyEtlInput } from '../workflows/sparkify-etl';
import { ensureSameRequest, locationsOf, REQUEST_MEMO } from './month-conflict';
import { reconnecting, type ReconnectOptions } from './reconnect';

export { historyUrl } from './explain-failure';

export interface MonthHandle {
  handle: WorkflowHandle<typeof sparkifyEtl>;
  /** The run started, or the running one joined. */
  runId: string;
}

/**
 * Starts the month's run, or joins it if one is already running with the same input and output: a month never runs
 * twice at once, and a month run again after it finished replaces its partitions. A run of the month asked for other
 * locations is refused with MonthAlreadyRunning. Calls outlast a short outage of the Temporal frontend.
 */
export async function startMonthRun(
  client: Client,
  config: LakeConfig,
  input: SparkifyEtlInput,
  workflowId = monthWorkflowId(input),
  options: ReconnectOptions = {},
): Promise<MonthHandle> {
  // Starting again after a lost answer is safe: USE_EXISTING joins the run the first attempt started.
  const started = await reconnecting(
    () =>
      client.workflow.start<typeof sparkifyEtl>('sparkifyEtl', {
        taskQueue: config.temporal.taskQueue,
        workflowId,
        args: [input],
        memo: { [REQUEST_MEMO]: locationsOf(input) },
        staticSummary: monthRunSummary(input, input),
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      }),
    options,
  );
  const runId = started.firstExecutionRunId;
  await reconnecting(() => ensureSameRequest(client.workflow.getHandle(workflowId, runId), runId, input), options);
  return { handle: started, runId };
}

/** startMonthRun's handle, for callers that follow the run themselves. */
export async function startMonth(
  client: Client,
  config: LakeConfig,
  input: SparkifyEtlInput,
  workflowId = monthWorkflowId(input),
  options: ReconnectOptions = {},
): Promise<WorkflowHandle<typeof sparkifyEtl>> {
  return (await startMonthRun(client, config, input, workflowId, options)).handle;
}

/** The run's report; a failed run rejects with the SDK's WorkflowFailedError, its cause chain intact. */
export async function waitForReport(handle: WorkflowHandle<typeof sparkifyEtl>, options: ReconnectOptions = {}): Promise<RunReport> {
  // result() only reads history, so asking again after an outage resumes the wait where it was.
  return reconnecting(() => handle.result(), options);
}

export async function runMonth(
  client: Client,
  config: LakeConfig,
  input: SparkifyEtlInput,
  workflowId?: string,
  options: ReconnectOptions = {},
): Promise<{ report: RunReport; runId: string; workflowId: string }> {
  const { handle } = await startMonthRun(client, config, input, workflowId, options);
  const report = await waitForReport(handle, options);
  return { report, runId: report.runId, workflowId: handle.workflowId };
}
