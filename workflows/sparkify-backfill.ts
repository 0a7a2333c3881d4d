import { ApplicationFailure, continueAsNew, defineQuery, setHandler, workflowInfo } from '@temporalio/workflow';
import { runMonthAsChild, type MonthOutcome } from './month-child';
import { backfillFailure } from './run-failures';
import { INVALID_RUN_INPUT } from '../lake/errors';
import { formatMonth, monthIndex, monthsBetween, parseMonth, type Month } from '../lake/month';

export interface BackfillInput {
  from: string;
  to: string;
  parallelism?: number;
  /** Only these months of the range ("YYYY-MM"), e.g. those that failed last time; default every month of it. */
  months?: string[];
  input?: string;
  output?: string;
  /** Months one execution runs before continuing as new (default 24): keeps the history bounded for long ranges. */
  monthsPerExecution?: number;
  /** Outcomes carried over when the backfill continues as new; not for callers. */
  done?: MonthOutcome[];
}

export interface BackfillResult {
  from: string;
  to: string;
  completed: number;
  failed: number;
  alreadyRunning: number;
  months: MonthOutcome[];
}

export interface BackfillProgress {
  from: string;
  to: string;
  parallelism: number;
  total: number;
  running: string[];
  done: MonthOutcome[];
}

export const backfillProgressQuery = defineQuery<BackfillProgress>('backfillProgress');

const MONTHS_PER_EXECUTION = 24;

/**
 * Airflow's `dags backfill` on Temporal: one child `sparkifyEtl` per month, at most `parallelism` at once. A failed
 * month does not stop the others; once all have ended, a backfill with failed months fails (BackfillMonthsFailed,
 * naming them, with the whole result as the failure's details), so its status says what happened. Cancelling the
 * backfill cancels the months that are running.
 */
export async function sparkifyBackfill(input: BackfillInput): Promise<BackfillResult> {
  const { months: selected, parallelism } = validate(input);
  const done = [...(input.done ?? [])];
  const finished = new Set(done.map((o) => o.month));
  const remaining = selected.filter((m) => !finished.has(formatMonth(m)));
  const batch = remaining.slice(0, input.monthsPerExecution ?? MONTHS_PER_EXECUTION);
  const running = new Set<string>();
  setHandler(backfillProgressQuery, () => ({
    from: input.from,
    to: input.to,
    parallelism,
    total: selected.length,
    running: [...running].sort(),
    done,
  }));

  let next = 0;
  const lane = async () => {
    while (next < batch.length) {
      const month = batch[next++];
      running.add(formatMonth(month));
      const { outcome } = await runMonthAsChild(month, { input: input.input, output: input.output });
      running.delete(formatMonth(month));
      done.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, batch.length) }, lane));

  if (remaining.length > batch.length || workflowInfo().continueAsNewSuggested) {
    await continueAsNew<typeof sparkifyBackfill>({ ...input, done });
  }
  const months = [...done].sort((a, b) => (a.month < b.month ? -1 : 1));
  const result: BackfillResult = {
    from: input.from,
    to: input.to,
    completed: months.filter((m) => m.status === 'completed').length,
    failed: months.filter((m) => m.status === 'failed').length,
    alreadyRunning: months.filter((m) => m.status === 'already-running').length,
    months,
  };
  if (result.failed > 0) throw backfillFailure(result);
  return result;
}

function validate(input: BackfillInput): { months: Month[]; parallelism: number } {
  const fail = (message: string) => ApplicationFailure.nonRetryable(message, INVALID_RUN_INPUT);
  const from = parseMonth(input?.from ?? '');
  const to = parseMonth(input?.to ?? '');
  if (!from || !to) throw fail('sparkifyBackfill expects {"from":"YYYY-MM","to":"YYYY-MM"}');
  if (monthIndex(to) < monthIndex(from)) throw fail(`"to" (${input.to}) is before "from" (${input.from})`);
  const parallelism = input.parallelism ?? 2;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 64) throw fail('parallelism must be a whole number from 1 to 64');
  const range = monthsBetween(from, to);
  const only = input.months;
  if (only === undefined) return { months: range, parallelism };
  const inRange = new Set(range.map(formatMonth));
  const outside = Array.isArray(only) ? only.filter((m) => !inRange.has(m)) : only;
  if (!Array.isArray(only) || outside.length > 0) throw fail(`"months" must list months of ${input.from} … ${input.to} as "YYYY-MM", got ${JSON.stringify(outside)}`);
  return { months: range.filter((m) => only.includes(formatMonth(m))), parallelism };
}
