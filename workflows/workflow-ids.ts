/** The workflow ids that make a month, or a backfill's range, run at most once at a time. */
import { formatMonth, type Month } from '../lake/month';

export function monthWorkflowId(month: Month): string {
  return `sparkify-etl-${formatMonth(month)}`;
}

export function backfillWorkflowId(range: { from: string; to: string }): string {
  return `sparkify-backfill-${range.from}-${range.to}`;
}
