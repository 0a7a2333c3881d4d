import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { LakeConfig } from '../lake/config';
import type { BackfillInput, sparkifyBackfill } from '../workflows/sparkify-backfill';
import { backfillWorkflowId } from '../workflows/workflow-ids';

/** One backfill per range: starting the same range again while it runs joins the running one. */
export async function startBackfill(
  client: Client,
  config: LakeConfig,
  input: BackfillInput,
  workflowId = backfillWorkflowId(input),
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof sparkifyBackfill>> {
  return client.workflow.start<typeof sparkifyBackfill>('sparkifyBackfill', {
    taskQueue: config.temporal.taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}
