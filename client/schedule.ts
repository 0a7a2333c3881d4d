import { ScheduleOverlapPolicy, type Client, type ScheduleDescription } from '@temporalio/client';
import type { LakeConfig } from '../lake/config';
import { ConfigError } from '../lake/errors';
import { formatMonth, monthOf, monthsBetween, type Month } from '../lake/month';
import type { ScheduledRunInput, sparkifyScheduledRun } from '../workflows/sparkify-scheduled-run';

export const DEFAULT_SCHEDULE_ID = 'sparkify-daily';

export interface ScheduleOptions {
  scheduleId: string;
  /** UTC time of day, "HH:MM". */
  at: string;
  overrides: ScheduledRunInput;
}

/**
 * The daily schedule. Overlap SKIP: a day whose previous run still goes on is skipped, not queued, since the next
 * day's run loads the same month again. Catch-up window of one day: after an outage only the latest missed day runs
 * (it reloads the whole month, so the earlier missed days add nothing); older gaps are what `backfill` is for.
 */
export async function createSchedule(client: Client, config: LakeConfig, options: ScheduleOptions): Promise<void> {
  const [hour, minute] = parseTime(options.at);
  await client.schedule.create({
    scheduleId: options.scheduleId,
    spec: { calendars: [{ hour, minute, comment: `daily at ${options.at} UTC` }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'sparkifyScheduledRun' as unknown as typeof sparkifyScheduledRun,
      workflowId: `${options.scheduleId}-run`,
      taskQueue: config.temporal.taskQueue,
      args: [options.overrides],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    state: { note: 'created by sparkify schedule create' },
  });
}

/**
 * Runs the schedule over past months: one action per month, at the month's last scheduled time in the range, so
 * every month in it is loaded exactly once (a raw `temporal schedule backfill` would fire once per day instead).
 * Months run side by side: each is its own sparkify-etl-YYYY-MM workflow and the users table converges.
 */
export async function backfillSchedule(client: Client, scheduleId: string, from: Date, to: Date): Promise<Month[]> {
  const handle = client.schedule.getHandle(scheduleId);
  const description = await handle.describe();
  const [hour, minute] = timeOfDay(description);
  const months = monthsBetween(monthOf(from), monthOf(to));
  const periods = months.map(({ year, month }) => {
    const lastDay = new Date(Math.min(Date.UTC(year, month, 0, hour, minute), Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate(), hour, minute)));
    return { start: new Date(lastDay.getTime() - 1000), end: new Date(lastDay.getTime() + 1000), overlap: ScheduleOverlapPolicy.ALLOW_ALL };
  });
  await handle.backfill(periods);
  return months;
}

export async function describeSchedule(client: Client, scheduleId: string): Promise<Record<string, unknown>> {
  const d = await client.schedule.getHandle(scheduleId).describe();
  return {
    scheduleId: d.scheduleId,
    spec: d.spec.calendars?.map((c) => c.comment ?? JSON.stringify(c)),
    paused: d.state.paused,
    note: d.state.note,
    overlap: d.policies.overlap,
    catchupWindowMs: d.policies.catchupWindow,
    nextActionTimes: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
    recentActions: d.info.recentActions.slice(-10).map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      workflowId: a.action.workflow.workflowId,
      runId: a.action.workflow.firstExecutionRunId,
    })),
    runningActions: d.info.runningActions.map((a) => a.workflow.workflowId),
  };
}

export async function listSchedules(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) ids.push(s.scheduleId);
  return ids;
}

function parseTime(text: string): [number, number] {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  if (!match || hour > 23 || minute > 59) throw new ConfigError(`--at must be a UTC time of day like 03:00, got "${text}"`);
  return [hour, minute];
}

function timeOfDay(description: ScheduleDescription): [number, number] {
  const calendar = description.spec.calendars?.[0];
  const first = (v: unknown): number => {
    const range = Array.isArray(v) ? v[0] : v;
    return typeof range === 'number' ? range : ((range as { start?: number })?.start ?? 0);
  };
  return [first(calendar?.hour), first(calendar?.minute)];
}

export function monthLabels(months: Month[]): string {
  return months.map(formatMonth).join(', ');
}
