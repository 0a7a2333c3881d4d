/**
 * `npm run bench:history -- [--scale large] [--months 60] [--json FILE] [--work DIR]`: does a lake's history slow a month down?
 * Runs the scale's month on an empty lake, fills the same lake with the months after it (real runs of the pipeline,
 * through a backfill), then runs the first month again and compares the two runs step by step.
 *
 * The filler months come from their own generated input: the scale's user ids, a 100-song catalogue and 100,000
 * events a month. What a month's run reads that grows with history is the users' month states (publish merges every
 * month's), and those the filler months do write; the songs and artists tables are rewritten whole by every run, and
 * songplays and time touch only the month's own partitions, so a full-size catalogue in the filler would add hours
 * of runs and nothing to what is measured.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { withTemporalClient } from '../client/connect';
import { startBackfill } from '../client/backfill';
import { runMonth } from '../client/run-month';
import { projectRoot } from '../client/temporal-cli';
import { loadConfig } from '../lake/config';
import { fromNdjson } from '../lake/ndjson';
import { LocalStore } from '../lake/storage/local-store';
import { listAll } from '../lake/storage/object-store';
import { formatMonth, monthsBetween } from '../lake/month';
import { ensureDataset } from './datasets';
import { secondsSince } from './measure';
import { SCALES, type Scale } from './scales';
import { startWorkers } from './worker-pool';
import { runCommand, UsageError, wholeNumber } from './command';

const FILLER_SONGS = 100;
const FILLER_EVENTS_PER_MONTH = 100_000;

interface TimedRun {
  label: string;
  wall_s: number;
  steps: Record<string, number>;
  /** Month states in `_state/users/` when the run published, and the user states they hold in all. */
  user_state_months: number;
  user_states: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'large' },
      months: { type: 'string', default: '60' },
      json: { type: 'string' },
      workers: { type: 'string', default: String(os.cpus().length) },
      // Where the data sets and the lake go; by default beside the other benchmarks' data sets, to reuse them.
      work: { type: 'string' },
    },
  });
  const scale = values.scale as Scale;
  const options = SCALES[scale];
  if (!options) throw new UsageError(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
  const months = wholeNumber(values.months, '--months', 2);
  const workers = wholeNumber(values.workers, '--workers');

  const work = values.work ? path.resolve(values.work) : path.join(projectRoot, '.sparkify', 'bench', scale);
  const input = path.join(work, 'input');
  const fillerInput = path.join(work, `history-input-${months}`);
  const output = path.join(work, 'out-history');
  const [first, ...filler] = monthsBetween(options.from, { year: options.from.year, month: options.from.month + months - 1 });
  await ensureDataset(input, options, log);
  await ensureDataset(
    fillerInput,
    { songs: FILLER_SONGS, users: options.users, events: FILLER_EVENTS_PER_MONTH, from: filler[0], months: filler.length, seed: options.seed },
    log,
  );
  rmSync(output, { recursive: true, force: true });

  const config = loadConfig({ env: { ...process.env, SPARKIFY_TASK_QUEUE: `bench-history-${Date.now()}` } });
  const pool = await startWorkers(workers, config.temporal.taskQueue);
  const runs: TimedRun[] = [];
  try {
    await withTemporalClient(config, (client) => fillAndTime(client));
  } finally {
    await pool.stop();
  }
  async function fillAndTime(client: Client): Promise<void> {
    const timed = async (label: string): Promise<TimedRun> => {
      execFileSync('sync');
      log(`running ${formatMonth(first)} (${label})…`);
      const started = process.hrtime.bigint();
      const { report } = await runMonth(client, config, { ...first, input, output }, `bench-history-${label}-${Date.now()}`);
      const run = { label, wall_s: secondsSince(started), steps: report.steps, ...(await userStates(output)) };
      log(`${label}: ${run.wall_s.toFixed(1)} s, publish merged ${run.user_states} user states of ${run.user_state_months} months`);
      runs.push(run);
      return run;
    };

    await timed('first month, empty lake');
    log(`filling ${formatMonth(filler[0])}..${formatMonth(filler.at(-1)!)} from ${fillerInput} (a backfill, not timed)…`);
    const fillStarted = process.hrtime.bigint();
    const backfill = await startBackfill(client, config, {
      from: formatMonth(filler[0]),
      to: formatMonth(filler.at(-1)!),
      parallelism: 2,
      input: fillerInput,
      output,
    });
    const filled = await backfill.result();
    if (filled.failed > 0) throw new Error(`${filled.failed} filler months failed; see the backfill's history`);
    log(`filled ${filled.completed} months in ${secondsSince(fillStarted).toFixed(0)} s`);
    await timed(`first month again, ${months} months in the lake`);
  }

  const [before, after] = runs;
  const ratio = after.wall_s / before.wall_s;
  console.log(`\n| run | wall s | publish s | user states merged |`);
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of runs) console.log(`| ${r.label} | ${r.wall_s.toFixed(1)} | ${(r.steps.publish ?? 0).toFixed(1)} | ${r.user_states} (${r.user_state_months} months) |`);
  console.log(`\nwith ${months} months of history: ${ratio.toFixed(2)}× the first month's time`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ scale, months, filler: { songs: FILLER_SONGS, events_per_month: FILLER_EVENTS_PER_MONTH }, runs, ratio }, null, 2));
}

async function userStates(output: string): Promise<{ user_state_months: number; user_states: number }> {
  const lake = new LocalStore(output);
  const objects = await listAll(lake, '_state/users/');
  let states = 0;
  for (const o of objects) states += fromNdjson(await lake.get(o.key)).length;
  return { user_state_months: objects.length, user_states: states };
}

function log(message: string): void {
  console.error(`[bench:history] ${message}`);
}

const USAGE = `npm run bench:history -- [options]

Runs the scale's month on an empty lake, fills the lake with the months after it, runs the first month again and
compares the two runs step by step.

  --scale small|medium|large   the data set (default large)
  --months N                   months in the lake, the first included (default 60)
  --json FILE                  the results as JSON
  --workers N                  worker processes (default: one per core)
  --work DIR                   where the data sets and the lake go`;

runCommand(USAGE, main);
