/** What a person reads when a run failed: which task, what error, whether to retry, and where the history is. */
import { summarizeFailure, type FailureSummary } from '../workflows/failure-summary';

export interface RunLocation {
  workflowId: string;
  runId?: string;
  namespace: string;
  /** The Temporal frontend; named in the command only when it is not the CLI's default. */
  address?: string;
  /** The Web UI's base URL, when one is known. */
  uiUrl?: string;
}

const CLI_DEFAULT_ADDRESSES = ['127.0.0.1:7233', 'localhost:7233'];

export function explainFailure(err: unknown, where: RunLocation): string {
  return explainSummary(summarizeFailure(err), where);
}

export function explainSummary(summary: FailureSummary, where: RunLocation): string {
  const runId = where.runId ?? summary.runId;
  const lines = [`Run ${where.workflowId}${runId ? ` (run ${runId})` : ''} failed.`];
  if (summary.task) {
    const context = [summary.dag && `DAG ${summary.dag}`, summary.activity && `activity ${summary.activity}`].filter(Boolean).join(', ');
    lines.push(`  task:        ${summary.task}${context ? ` (${context})` : ''}`);
  }
  lines.push(`  error:       ${summary.errorType ? `${summary.errorType}: ` : ''}${summary.message}`);
  lines.push(`  retryable:   ${retryAdvice(summary)}`);
  lines.push('  cause chain:', ...summary.causes.map((c, i) => `    ${i === 0 ? '' : '<- '}${c}`));
  lines.push(`  history:     ${showCommand(where, runId)}`);
  if (where.uiUrl && runId) lines.push(`  web UI:      ${historyUrl(where.uiUrl, where.namespace, where.workflowId, runId)}`);
  return lines.join('\n');
}

function retryAdvice(summary: FailureSummary): string {
  if (!summary.retryable) {
    return `no: ${summary.errorType ?? 'the failure'} is permanent; the same input and settings fail the same way`;
  }
  const state = summary.activityRetryState ? ` (activity retry state ${summary.activityRetryState})` : '';
  return `yes${state}: running the month again may succeed`;
}

export function showCommand(where: RunLocation, runId = where.runId): string {
  const parts = ['temporal workflow show', `--workflow-id ${where.workflowId}`];
  if (runId) parts.push(`--run-id ${runId}`);
  if (where.address && !CLI_DEFAULT_ADDRESSES.includes(where.address)) parts.push(`--address ${where.address}`);
  if (where.namespace !== 'default') parts.push(`--namespace ${where.namespace}`);
  return parts.join(' ');
}

export function historyUrl(uiBase: string, namespace: string, workflowId: string, runId: string): string {
  return `${uiBase.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}
