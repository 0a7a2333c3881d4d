import type { Client, WorkflowHandle } from '@temporalio/client';
import type { LakeConfig } from '../lake/config';
import type { RunReport } from '../lake/steps/publish';
import { monthWorkflowId } from '../workflows/workflow-ids';
import type { sparkifyEtl, SparkifyEtlInput } from '../workflows/sparkify-etl';


/**
 * Starts the month's run, or joins it if one is already running: a month never runs twice at once, and a month
 * run again after it finished replaces its partitions.
 */
export async function startMonth(
  client: Client,
  config: LakeConfig,
  input: SparkifyEtlInput,
  workflowId = monthWorkflowId(input),
): Promise<WorkflowHandle<typeof sparkifyEtl>> {
  return client.workflow.start<typeof sparkifyEtl>('sparkifyEtl', {
    taskQueue: config.temporal.taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}

export async function runMonth(
  client: Client,
  config: LakeConfig,
  input: SparkifyEtlInput,
  workflowId?: string,
): Promise<{ report: RunReport; runId: string; workflowId: string }> {
  const handle = await startMonth(client, config, input, workflowId);
  const report = await handle.result();
  return { report, runId: report.runId, workflowId: handle.workflowId };
}

export function historyUrl(uiBase: string, namespace: string, workflowId: string, runId: string): string {
  return `${uiBase.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}
