/** The workflow ids that make a month, or a backfill's range, run at most once at a time; and how runs are named. */
import { formatMonth, type Month } from '../lake/month';

export function monthWorkflowId(month: Month): string {
  return `sparkify-etl-${formatMonth(month)}`;
}

/** A month run's summary in the Web UI's run list and header: the month and where it goes. */
export function monthRunSummary(month: Month, locations: { input?: string; output?: string }): string {
  return `sparkify-etl ${formatMonth(month)}: ${locations.input ?? 'configured input'} → ${locations.output ?? 'configured output'}`;
}

export function backfillWorkflowId(range: { from: string; to: string }): string {
  return `sparkify-backfill-${range.from}-${range.to}`;
}
