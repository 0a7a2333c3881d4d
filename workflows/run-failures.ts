/**
 * Runs whose month failed end failed, not completed with a "failed" field in their result: Temporal's status, the
 * Web UI's list, `temporal workflow list --query 'ExecutionStatus = "Failed"'` and alerting on failed workflows then
 * see them. The message names the month and its failing task and error; the details keep the outcome for tools.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { MonthOutcome } from './month-child';
import type { BackfillResult } from './sparkify-backfill';

export const MONTH_RUN_FAILED = 'MonthRunFailed';
export const BACKFILL_MONTHS_FAILED = 'BackfillMonthsFailed';

/** "2018-11 (task stage-events, activity stage): InputError: No event logs for 2018-11 under …" */
export function whatFailed(outcome: MonthOutcome): string {
  const f = outcome.failure;
  if (!f) return `${outcome.month}: ${outcome.error ?? 'failed'}`;
  const where = [f.task && `task ${f.task}`, f.activity && `activity ${f.activity}`].filter(Boolean).join(', ');
  return `${outcome.month}${where ? ` (${where})` : ''}: ${f.errorType ? `${f.errorType}: ` : ''}${f.message}`;
}

/** A scheduled run's month failed: the run fails with the month's failure as its cause, so the chain stays whole. */
export function monthRunFailure(outcome: MonthOutcome, cause: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type: MONTH_RUN_FAILED,
    message: `Month ${whatFailed(outcome)}`,
    details: [outcome],
    cause: cause instanceof Error ? cause : undefined,
    nonRetryable: true,
  });
}

/** How many failed months a backfill's message spells out; every one of them is in the details. */
const NAMED_IN_FULL = 5;

/** A backfill with failed months fails naming them; its whole result, every month's outcome, is the failure's details. */
export function backfillFailure(result: BackfillResult): ApplicationFailure {
  const failed = result.months.filter((m) => m.status === 'failed');
  const named = failed.slice(0, NAMED_IN_FULL).map(whatFailed);
  const more = failed.length > NAMED_IN_FULL ? `; and ${failed.slice(NAMED_IN_FULL).map((m) => m.month).join(', ')}` : '';
  return ApplicationFailure.create({
    type: BACKFILL_MONTHS_FAILED,
    message: `Backfill ${result.from} … ${result.to}: ${failed.length} of ${result.months.length} months failed (${failed.map((m) => m.month).join(', ')}): ${named.join('; ')}${more}`,
    details: [result],
    nonRetryable: true,
  });
}

/** The backfill result a BackfillMonthsFailed failure carries, found anywhere in an error's cause chain. */
export function backfillResultOf(err: unknown): BackfillResult | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ApplicationFailure && e.type === BACKFILL_MONTHS_FAILED) return e.details?.[0] as BackfillResult | undefined;
  }
  return undefined;
}
