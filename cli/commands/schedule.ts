/** `sparkify schedule …`: the Temporal Schedule of daily (or cron) runs, each loading the month of its scheduled time. */
import { withTemporalClient } from '../../client/connect';
import { backfillSchedule, createSchedule, describeSchedule, listSchedules, monthLabels, updateSchedule, type ScheduleTime } from '../../client/schedule';
import type { Client } from '@temporalio/client';
import { crossChecks, dayOf } from '../arguments';
import { absoluteUri, configFrom } from '../common';
import { keyValueText, printReport } from '../report-text';

export interface ScheduleTarget {
  config?: string;
  id: string;
}

/** Connects to the configured cluster for one schedule action; options are all checked before this. */
function withSchedules(options: { config?: string }, use: (client: Client) => Promise<void>): Promise<number> {
  return withTemporalClient(configFrom(options), async (client) => {
    await use(client);
    return 0;
  });
}

export interface CreateOptions extends ScheduleTarget {
  at?: string;
  cron?: string;
  paused?: boolean;
  input?: string;
  output?: string;
}

/** The daily time, when no cron expression replaces it (commander keeps the two options exclusive). */
export const DEFAULT_AT = '03:00';

export function createCommand(options: CreateOptions): Promise<number> {
  const config = configFrom(options);
  return withTemporalClient(config, async (client) => {
    await createSchedule(client, config, {
      scheduleId: options.id,
      at: options.at ?? DEFAULT_AT,
      cron: options.cron,
      paused: options.paused,
      overrides: { input: absoluteUri(options.input), output: absoluteUri(options.output) },
    });
    console.log(`Created schedule ${options.id} (${options.cron ? `cron ${options.cron}` : `daily at ${options.at ?? DEFAULT_AT} UTC`}${options.paused ? ', paused' : ''})`);
    return 0;
  });
}

export interface UpdateOptions extends ScheduleTarget {
  at?: string;
  cron?: string;
  pause?: boolean;
  unpause?: boolean;
}

export function updateCommand(options: UpdateOptions): Promise<number> {
  crossChecks.scheduleUpdate(options);
  const when: ScheduleTime | undefined = options.cron ? { cron: options.cron } : options.at ? { at: options.at } : undefined;
  const paused = options.pause ? true : options.unpause ? false : undefined;
  return withSchedules(options, async (client) => {
    await updateSchedule(client, options.id, { when, paused });
    const changes = [when && ('cron' in when ? `cron ${when.cron}` : `daily at ${when.at} UTC`), paused === true && 'paused', paused === false && 'unpaused'];
    console.log(`Updated schedule ${options.id}: ${changes.filter(Boolean).join(', ')}`);
  });
}

export function describeCommand(options: ScheduleTarget & { json?: boolean }): Promise<number> {
  return withSchedules(options, async (client) => printReport(await describeSchedule(client, options.id), options.json, keyValueText));
}

export function listCommand(options: { config?: string; json?: boolean }): Promise<number> {
  return withSchedules(options, async (client) => {
    const ids = await listSchedules(client);
    console.log(options.json ? JSON.stringify(ids) : ids.join('\n'));
  });
}

/** pause, unpause, trigger and delete: one call on the schedule's handle each. */
export function handleCommand(action: 'pause' | 'unpause' | 'trigger' | 'delete', options: ScheduleTarget): Promise<number> {
  const done = { pause: 'Paused', unpause: 'Unpaused', trigger: 'Triggered', delete: 'Deleted' }[action];
  return withSchedules(options, async (client) => {
    const handle = client.schedule.getHandle(options.id);
    if (action === 'pause') await handle.pause('paused by sparkify schedule pause');
    else if (action === 'unpause') await handle.unpause('unpaused by sparkify schedule unpause');
    else if (action === 'trigger') await handle.trigger();
    else await handle.delete();
    console.log(`${done} ${options.id}`);
  });
}

export function backfillCommand(options: ScheduleTarget & { from: string; to: string }): Promise<number> {
  crossChecks.scheduleBackfill(options);
  const from = dayOf(options.from, 'start');
  const to = dayOf(options.to, 'end');
  return withSchedules(options, async (client) => {
    const months = await backfillSchedule(client, options.id, from, to);
    console.log(`Backfilling ${options.id} for ${monthLabels(months)}`);
  });
}
