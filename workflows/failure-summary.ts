/**
 * What a failed sparkify-etl run comes down to, read from its Temporal failure chain: the DAG task, the activity, the
 * error that ended it and whether a new run may succeed. Pure and free of Node, so the backfill workflow can report its
 * failed months with it and the client can explain a failed run with it.
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TemporalFailure, TimeoutFailure } from '@temporalio/common';
import { PERMANENT_ERROR_TYPES } from '../lake/errors';

export const DAG_TASK_FAILED = 'DagTaskFailed';

export interface FailureSummary {
  dag?: string;
  task?: string;
  /** The activity type the failing task ran. */
  activity?: string;
  /** How Temporal left the activity's retries, e.g. NON_RETRYABLE_FAILURE or MAXIMUM_ATTEMPTS_REACHED. */
  activityRetryState?: string;
  /** The type of the innermost failure: the activity's error name (InputError, AuditFailed…) or a timeout. */
  errorType?: string;
  /** The innermost failure's message: what actually went wrong. */
  message: string;
  /** Whether running the month again, unchanged, may succeed. */
  retryable: boolean;
  /** Every failure of the chain, outermost first, as "Kind[type]: message". */
  causes: string[];
  /** The run that failed, when the chain says (a child workflow's failure does). */
  workflowId?: string;
  runId?: string;
}

export function summarizeFailure(err: unknown): FailureSummary {
  const chain = chainOf(err);
  const leaf = chain[chain.length - 1];
  const dagFailure = chain.find((e): e is ApplicationFailure => e instanceof ApplicationFailure && e.type === DAG_TASK_FAILED);
  const activity = chain.find((e): e is ActivityFailure => e instanceof ActivityFailure);
  const child = chain.find((e): e is ChildWorkflowFailure => e instanceof ChildWorkflowFailure);
  const errorType = leaf instanceof ApplicationFailure ? leaf.type ?? undefined : leaf instanceof TimeoutFailure ? `Timeout ${leaf.timeoutType}` : undefined;
  return {
    ...dagTask(dagFailure),
    activity: activity?.activityType,
    activityRetryState: activity?.retryState ?? undefined,
    errorType,
    message: leaf?.message || String(err),
    retryable: isRetryable(leaf, errorType, activity),
    causes: chain.map(describe),
    workflowId: child?.execution.workflowId ?? undefined,
    runId: child?.execution.runId ?? undefined,
  };
}

/** Which task failed: from the failure's details when the DAG runner gave them, else from its message. */
function dagTask(failure: ApplicationFailure | undefined): { dag?: string; task?: string } {
  if (!failure) return {};
  const detail = failure.details?.[0] as { dag?: unknown; task?: unknown } | undefined;
  if (typeof detail?.task === 'string' && typeof detail.dag === 'string') return { dag: detail.dag, task: detail.task };
  const match = /^Task (\S+) of DAG (\S+) failed/.exec(failure.message);
  return match ? { task: match[1], dag: match[2] } : {};
}

function isRetryable(leaf: Error | undefined, errorType: string | undefined, activity: ActivityFailure | undefined): boolean {
  if (leaf instanceof ApplicationFailure && leaf.nonRetryable) return false;
  if (errorType && (PERMANENT_ERROR_TYPES as readonly string[]).includes(errorType)) return false;
  if (activity?.retryState === 'NON_RETRYABLE_FAILURE') return false;
  // Timeouts, exhausted retries and unexpected errors may well pass on a new run.
  return true;
}

function chainOf(err: unknown): Error[] {
  const out: Error[] = [];
  // A bound on the walk: a cause chain built by hand could loop.
  for (let e = err; e instanceof Error && out.length < 20 && !out.includes(e); e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

function describe(e: Error): string {
  if (e instanceof ApplicationFailure) return `ApplicationFailure[${e.type ?? 'Error'}${e.nonRetryable ? ', non-retryable' : ''}]: ${e.message}`;
  if (e instanceof ActivityFailure) return `ActivityFailure[${e.activityType}, retry state ${e.retryState}]: ${e.message}`;
  if (e instanceof ChildWorkflowFailure) return `ChildWorkflowFailure[${e.workflowType} ${e.execution.workflowId}]: ${e.message}`;
  if (e instanceof TimeoutFailure) return `TimeoutFailure[${e.timeoutType}]: ${e.message}`;
  const kind = e instanceof TemporalFailure ? e.constructor.name : e.name || 'Error';
  return `${kind}: ${e.message}`;
}
