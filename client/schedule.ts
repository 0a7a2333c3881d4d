import { DAYS_OF_WEEK, MONTHS, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleSpec } from '@temporalio/client';
import type { LakeConfig } from '../lake/config';
import { ConfigError } from '../lake/errors';
import { formatMonth, monthOf, monthsBetween, type Month } from '../lake/month';
import type { ScheduledRunInput, sparkifyScheduledRun } from '../workflows/sparkify-scheduled-run';

export { DEFAULT_SCHEDULE_ID } from './defaults';

/** When a schedule fires: daily at a UTC time "HH:MM", or any cron expression (UTC). */
export type ScheduleTime = { at: string } | { cron: string };

export interface ScheduleOptions {
  scheduleId: string;
  /** UTC time of day, "HH:MM": the daily schedule. Ignored when `cron` is given. */
  at: string;
  /** A cron expression instead of the daily time, e.g. "0 3 * * 1-5". */
  cron?: string;
  /** Create it paused: it fires only once unpaused (or when triggered). */
  paused?: boolean;
  overrides: ScheduledRunInput;
}

/**
 * The daily schedule (or one on a cron expression). Overlap SKIP: a day whose previous run still goes on is skipped,
 * not queued, since the next day's run loads the same month again. Catch-up window of one day: after an outage only
 * the latest missed day runs (it reloads the whole month, so the earlier missed days add nothing); older gaps are
 * what `backfill` is for.
 */
export async function createSchedule(client: Client, config: LakeConfig, options: ScheduleOptions): Promise<void> {
  await client.schedule.create({
    scheduleId: options.scheduleId,
    spec: scheduleSpec(options.cron !== undefined ? { cron: options.cron } : { at: options.at }),
    action: {
      type: 'startWorkflow',
      workflowType: 'sparkifyScheduledRun' as unknown as typeof sparkifyScheduledRun,
      workflowId: `${options.scheduleId}-run`,
      taskQueue: config.temporal.taskQueue,
      args: [options.overrides],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    state: { note: 'created by sparkify schedule create', paused: options.paused === true },
  });
}

export function scheduleSpec(when: ScheduleTime): ScheduleSpec {
  if ('cron' in when) return { cronExpressions: [when.cron] };
  const [hour, minute] = parseTime(when.at);
  return { calendars: [{ hour, minute, comment: `daily at ${when.at} UTC` }] };
}

export interface ScheduleChange {
  when?: ScheduleTime;
  paused?: boolean;
}

/** Changes when a schedule fires, and pauses or unpauses it; its action and policies stay as they are. */
export async function updateSchedule(client: Client, scheduleId: string, change: ScheduleChange): Promise<void> {
  const { when, paused } = change;
  if (!when && paused === undefined) return;
  // One request, not an update followed by a pause: an update carries the whole state it read, and the scheduler
  // applies requests on its own time, so the update could put back the pause state the pause had just changed.
  await client.schedule.getHandle(scheduleId).update((previous) => ({
    ...previous,
    spec: when ? scheduleSpec(when) : previous.spec,
    state:
      paused === undefined ? previous.state : { ...previous.state, paused, note: `${paused ? 'paused' : 'unpaused'} by sparkify schedule update` },
  }));
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
    spec: d.spec.calendars?.map((c) => c.comment || `cron ${calendarAsCron(c)}`),
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

type Calendar = NonNullable<ScheduleDescription['spec']['calendars']>[number];

/** A calendar as the server keeps it (a cron expression is stored this way too), written back as cron fields. */
export function calendarAsCron(c: Calendar): string {
  const months = (name: string) => MONTHS.indexOf(name as (typeof MONTHS)[number]) + 1;
  const days = (name: string) => DAYS_OF_WEEK.indexOf(name as (typeof DAYS_OF_WEEK)[number]);
  return [
    cronField(c.minute, 0, 59),
    cronField(c.hour, 0, 23),
    cronField(c.dayOfMonth, 1, 31),
    cronField(c.month.map((r) => ({ start: months(r.start), end: months(r.end), step: r.step })), 1, 12),
    cronField(c.dayOfWeek.map((r) => ({ start: days(r.start), end: days(r.end), step: r.step })), 0, 6),
  ].join(' ');
}

function cronField(ranges: { start: number; end: number; step: number }[], min: number, max: number): string {
  if (ranges.length === 0 || (ranges.length === 1 && ranges[0].start === min && ranges[0].end === max && (ranges[0].step ?? 1) === 1)) return '*';
  return ranges
    .map(({ start, end, step }) => `${start}${end !== undefined && end !== start ? `-${end}` : ''}${step && step !== 1 ? `/${step}` : ''}`)
    .join(',');
}

export function monthLabels(months: Month[]): string {
  return months.map(formatMonth).join(', ');
}
