/**
 * Which months of a backfill's range to run again: `--skip-loaded` leaves out months the lake already holds from the
 * same input, `--only-failed` keeps only months whose latest run failed.
 */
import type { Client } from '@temporalio/client';
import { formatMonth, type Month } from '../lake/month';
import { inputKeys, lakeKeys } from '../lake/layout';
import { listAll, type ObjectStore } from '../lake/storage/object-store';
import type { RunReport } from '../lake/steps/publish';
import { monthWorkflowId } from '../workflows/workflow-ids';

/** A month left out or kept, and why, for the command to say. */
export interface MonthReason {
  month: string;
  reason: string;
}

/**
 * Months whose latest run report in the lake (`_runs/…/latest.json`) was written from this input into this output,
 * and whose event logs have not changed since it was committed. A month without a report, one loaded from elsewhere,
 * or one whose logs were rewritten after the load is not loaded. (Song files are not compared: a month's run reuses
 * the song cache, and listing every song file for every month would cost more than the months it saves.)
 */
export async function loadedMonths(months: Month[], input: ObjectStore, output: ObjectStore): Promise<MonthReason[]> {
  const loaded: MonthReason[] = [];
  for (const month of months) {
    const raw = await output.getIfExists(lakeKeys.latestRunReport(month));
    if (!raw) continue;
    const report = JSON.parse(raw.toString('utf8')) as RunReport;
    if (report.input !== input.description || report.output !== output.description) continue;
    const committed = Date.parse(report.committedAt);
    const logs = await listAll(input, inputKeys.eventLogPrefix(month));
    if (logs.some((log) => log.modified !== undefined && log.modified > committed)) continue;
    loaded.push({ month: formatMonth(month), reason: `loaded by ${report.workflowId} (run ${report.runId}) at ${report.committedAt}` });
  }
  return loaded;
}

/** How a month's latest run ended, by Temporal's visibility: the one whose start is latest. */
export interface LatestRun {
  month: string;
  workflowId: string;
  runId: string;
  status: string;
  startTime: Date;
}

/** Statuses of a run that ended without loading its month, for reasons other than being stopped on purpose. */
const FAILED_STATUSES = ['FAILED', 'TIMED_OUT', 'TERMINATED'];

/**
 * Months whose latest `sparkify-etl-YYYY-MM` run failed, timed out or was terminated, per Temporal's visibility list.
 * A month never run, still running, completed or cancelled is not among them.
 */
export async function failedMonths(client: Client, months: Month[]): Promise<MonthReason[]> {
  const latest = await latestRuns(client, months);
  return months
    .map((m) => latest.get(formatMonth(m)))
    .filter((run): run is LatestRun => run !== undefined && FAILED_STATUSES.includes(run.status))
    .map((run) => ({ month: run.month, reason: `its latest run ${run.workflowId} (run ${run.runId}) ended ${run.status}` }));
}

export async function latestRuns(client: Client, months: Month[]): Promise<Map<string, LatestRun>> {
  const byId = new Map(months.map((m) => [monthWorkflowId(m), formatMonth(m)]));
  const ids = [...byId.keys()].map((id) => `'${id}'`).join(', ');
  const latest = new Map<string, LatestRun>();
  for await (const w of client.workflow.list({ query: `WorkflowType = 'sparkifyEtl' AND WorkflowId IN (${ids})` })) {
    const month = byId.get(w.workflowId);
    if (!month) continue;
    const seen = latest.get(month);
    if (!seen || w.startTime > seen.startTime) {
      latest.set(month, { month, workflowId: w.workflowId, runId: w.runId, status: w.status.name, startTime: w.startTime });
    }
  }
  return latest;
}
