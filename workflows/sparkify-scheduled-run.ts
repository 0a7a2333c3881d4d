import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { runMonthAsChild, type MonthOutcome } from './month-child';
import { monthRunFailure } from './run-failures';
import { monthOf } from '../lake/month';
import { SPARKIFY_MONTH, SPARKIFY_YEAR, TEMPORAL_SCHEDULED_START_TIME } from './search-attributes';

export interface ScheduledRunInput {
  input?: string;
  output?: string;
}

/**
 * What a Sparkify schedule starts: loads the month of the time the action was scheduled for (so a schedule backfill
 * over past dates loads those months), as the month's own `sparkifyEtl` child. A month that fails fails this run
 * too (MonthRunFailed, naming the month, task and error, the child's failure as its cause); a month already running
 * elsewhere is no failure: the run completes reporting it.
 */
export async function sparkifyScheduledRun(input: ScheduledRunInput = {}): Promise<MonthOutcome> {
  // Workflow time is deterministic; it stands in only when started by hand rather than by a schedule.
  const scheduledFor = workflowInfo().typedSearchAttributes.get(TEMPORAL_SCHEDULED_START_TIME) ?? new Date();
  const month = monthOf(scheduledFor);
  upsertSearchAttributes([
    { key: SPARKIFY_YEAR, value: month.year },
    { key: SPARKIFY_MONTH, value: month.month },
  ]);
  const { outcome, error } = await runMonthAsChild(month, { input: input?.input, output: input?.output });
  if (outcome.status === 'failed') throw monthRunFailure(outcome, error);
  return outcome;
}
