import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ApplicationFailure, executeChild, isCancellation } from '@temporalio/workflow';
import { formatMonth, type Month } from '../lake/month';
import type { RunReport } from '../lake/steps/publish';
import { monthRunSummary, monthWorkflowId } from './workflow-ids';
import type { sparkifyEtl } from './sparkify-etl';
import { summarizeFailure, type FailureSummary } from './failure-summary';

/** One month's result as a backfill or a scheduled run reports it: small enough for any number of months. */
export interface MonthOutcome {
  month: string;
  status: 'completed' | 'failed' | 'already-running';
  workflowId: string;
  runId?: string;
  tables?: RunReport['tables'];
  quarantined?: number;
  error?: string;
  /** A failed month: its failing task, error and whether a new run may succeed, for the client to explain. */
  failure?: FailureSummary;
}

/** A month's outcome, and for a failed month the failure its child ended with, to chain as the cause of a failure. */
export interface MonthRun {
  outcome: MonthOutcome;
  error?: unknown;
}

/**
 * Runs a month as a child `sparkifyEtl` with the month's own workflow id, so a month never runs twice at once: if one
 * is running already (started by the CLI, a schedule or another backfill) this one reports it instead of starting.
 * Cancellation propagates to the child and is rethrown once the child has stopped.
 */
export async function runMonthAsChild(month: Month, overrides: { input?: string; output?: string }): Promise<MonthRun> {
  const workflowId = monthWorkflowId(month);
  const base = { month: formatMonth(month), workflowId };
  try {
    const report = await executeChild<typeof sparkifyEtl>('sparkifyEtl', {
      workflowId,
      args: [{ ...month, ...overrides }],
      staticSummary: monthRunSummary(month, overrides),
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      // A child whose start raced the parent's cancellation is asked to cancel too, never terminated mid-write.
      parentClosePolicy: 'REQUEST_CANCEL',
    });
    return { outcome: { ...base, status: 'completed', runId: report.runId, tables: report.tables, quarantined: report.quarantined.total } };
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { outcome: { ...base, status: 'already-running' } };
    return { outcome: { ...base, status: 'failed', error: rootMessage(err), failure: summarizeFailure(err) }, error: err };
  }
}

function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  const parts: string[] = [];
  while (e) {
    if (e.message && !(e instanceof ApplicationFailure && e.type === 'DagTaskFailed' && e.cause)) parts.push(e.message);
    e = e.cause as typeof e;
  }
  return parts.join(': ') || String(err);
}
