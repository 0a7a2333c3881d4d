/**
 * `npm run bench:daily -- [--scale large] [--songs N] [--rounds N] [--json FILE] [--workers N]`: what a scheduled
 * daily run costs. On the scale's generated month it runs, one after another on local disk:
 * - the month's first 27 days into an empty lake (what the lake holds the night before);
 * - then, `--rounds` times (default 1), alternating: the same month again into a copy of that lake with the 28th
 *   added (the daily run), and the 28 days into another empty lake (the full month's run, the daily run's yardstick).
 * `full_s` and `daily_s` are the medians of the rounds. Both inputs are folders of symlinks to the generated files
 * (song files and day logs shared, none copied), so the 27 days' files are the same objects, ETags included, in both
 * runs of the lake. Every daily run's lake must be its round's full run's, file by file (bench/lake-diff.ts): the
 * JSON says so in `same_lake`, and the script exits 1 if not.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { withTemporalClient } from '../client/connect';
import { runMonth } from '../client/run-month';
import { projectRoot } from '../client/temporal-cli';
import { loadConfig } from '../lake/config';
import { LocalStore } from '../lake/storage/local-store';
import { ensureDataset } from './datasets';
import { median, secondsSince } from './measure';
import { compareLakes, describeDiff, identical } from './lake-diff';
import { scaleOptions, SCALES, type Scale } from './scales';
import { startWorkers } from './worker-pool';
import { runCommand, UsageError, wholeNumber } from './command';

const LOADED_DAYS = 27;

interface TimedRun {
  label: string;
  wall_s: number;
  steps: Record<string, number>;
  objects_read: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'large' },
      songs: { type: 'string' },
      json: { type: 'string' },
      workers: { type: 'string', default: String(os.cpus().length) },
      rounds: { type: 'string', default: '1' },
      // Where the data set, the inputs and the lakes go; by default beside the other benchmarks' data sets.
      work: { type: 'string' },
    },
  });
  const scale = values.scale as Scale;
  if (!SCALES[scale]) throw new UsageError(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
  const { options, name } = scaleOptions(scale, values.songs);
  const rounds = wholeNumber(values.rounds, '--rounds');
  const workers = wholeNumber(values.workers, '--workers');
  const work = values.work ? path.resolve(values.work) : path.join(projectRoot, '.sparkify', 'bench', name);
  const input = path.join(work, 'input');
  await ensureDataset(input, options, log);
  const { year, month } = options.from;
  const before = inputOfDays(input, path.join(work, 'daily-input-27'), LOADED_DAYS);
  const after = inputOfDays(input, path.join(work, 'daily-input-28'), LOADED_DAYS + 1);
  const lake = path.join(work, 'out-daily');
  const nightBefore = path.join(work, 'out-daily-27');
  const fullLake = path.join(work, 'out-daily-full');
  for (const dir of [lake, nightBefore, fullLake]) rmSync(dir, { recursive: true, force: true });

  const config = loadConfig({ env: { ...process.env, SPARKIFY_TASK_QUEUE: `bench-daily-${Date.now()}` } });
  const pool = await startWorkers(workers, config.temporal.taskQueue);
  const runs: TimedRun[] = [];
  const pairs: { daily: TimedRun; full: TimedRun; diff: string; same: boolean }[] = [];
  try {
    await withTemporalClient(config, async (client: Client) => {
      const timed = async (label: string, from: string, to: string): Promise<TimedRun> => {
        execFileSync('sync');
        log(`${label}…`);
        const started = process.hrtime.bigint();
        const { report } = await runMonth(client, config, { year, month, input: from, output: to }, `bench-daily-${runs.length}-${Date.now()}`);
        const run = { label, wall_s: secondsSince(started), steps: report.steps, objects_read: report.read.objects };
        log(`${label}: ${run.wall_s.toFixed(1)} s, ${run.objects_read} input objects read`);
        runs.push(run);
        return run;
      };
      await timed(`days 1-${LOADED_DAYS}, empty lake`, before, nightBefore);
      for (let round = 1; round <= rounds; round++) {
        // Every round's daily run starts from the same night-before lake; the copy is not timed.
        rmSync(lake, { recursive: true, force: true });
        execFileSync('cp', ['-a', nightBefore, lake]);
        const daily = await timed(`days 1-${LOADED_DAYS + 1}, the daily run (round ${round})`, after, lake);
        rmSync(fullLake, { recursive: true, force: true });
        const full = await timed(`days 1-${LOADED_DAYS + 1}, empty lake (full, round ${round})`, after, fullLake);
        const diff = await compareLakes(new LocalStore(fullLake), new LocalStore(lake));
        pairs.push({ daily, full, diff: describeDiff(diff), same: identical(diff) });
      }
    });
  } finally {
    await pool.stop();
  }
  console.log('\n| run | wall s | input objects read |');
  console.log('| --- | ---: | ---: |');
  for (const r of runs) console.log(`| ${r.label} | ${r.wall_s.toFixed(1)} | ${r.objects_read} |`);
  const dailyS = median(pairs.map((p) => p.daily.wall_s));
  const fullS = median(pairs.map((p) => p.full.wall_s));
  const same = pairs.every((p) => p.same);
  console.log(`\ndaily run (median of ${rounds}): ${(dailyS / fullS).toFixed(2)}× the full month's (${dailyS.toFixed(1)} s against ${fullS.toFixed(1)} s)`);
  pairs.forEach((p, i) => console.log(`round ${i + 1}: the daily run's lake against the full run's: ${p.diff}`));
  if (values.json) {
    const result = { scale: name, options, rounds, full_s: fullS, daily_s: dailyS, ratio: dailyS / fullS, same_lake: same, runs };
    writeFileSync(values.json, JSON.stringify(result, null, 2));
  }
  if (!same) process.exitCode = 1;
}

/** A folder of symlinks: every song file, and the month's day logs up to `days`. */
function inputOfDays(input: string, dir: string, days: number): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(path.join(input, 'song_data'), path.join(dir, 'song_data'));
  for (const year of readdirSync(path.join(input, 'log_data'))) {
    for (const month of readdirSync(path.join(input, 'log_data', year))) {
      const to = path.join(dir, 'log_data', year, month);
      mkdirSync(to, { recursive: true });
      for (const file of readdirSync(path.join(input, 'log_data', year, month))) {
        const day = Number(/^\d{4}-\d{2}-(\d{2})-events\.json$/.exec(file)?.[1]);
        if (day >= 1 && day <= days) symlinkSync(path.join(input, 'log_data', year, month, file), path.join(to, file));
      }
    }
  }
  return dir;
}

function log(message: string): void {
  console.error(`[bench:daily] ${message}`);
}

const USAGE = `npm run bench:daily -- [options]

Loads the month's first 27 days, then runs the month again with the 28th added, against the whole month from an
empty lake; prints and writes {"full_s", "daily_s"}.

  --scale small|medium|large   the data set (default large)
  --songs N                    the catalogue's size apart from the month's
  --rounds N                   alternating rounds (default 1); the figures are medians
  --json FILE                  the results as JSON
  --workers N                  worker processes (default: one per core)`;

runCommand(USAGE, main);
