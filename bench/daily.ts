/**
 * `npm run bench:daily -- [--scale large] [--songs N] [--json FILE] [--workers N]`: what a scheduled daily run costs.
 * On the scale's generated month it runs, one after another on local disk:
 * - the month's first 27 days into an empty lake (what the lake holds the night before);
 * - the same month again into that lake with the 28th added: the daily run;
 * - the 28 days into another empty lake: the full month's run, the yardstick for the daily one.
 * Both inputs are folders of symlinks to the generated files (song files and day logs shared, none copied), so the
 * 27 days' files are the same objects, ETags included, in both runs of the lake. The daily run's lake must then be
 * the full run's, file by file (bench/lake-diff.ts): the JSON says so in `same_lake`, and the script exits 1 if not.
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
import { secondsSince } from './measure';
import { compareLakes, describeDiff, identical } from './lake-diff';
import { scaleOptions, SCALES, type Scale } from './scales';
import { startWorkers } from './worker-pool';

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
      // Where the data set, the inputs and the lakes go; by default beside the other benchmarks' data sets.
      work: { type: 'string' },
    },
  });
  const scale = values.scale as Scale;
  if (!SCALES[scale]) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
  const { options, name } = scaleOptions(scale, values.songs);
  const work = values.work ? path.resolve(values.work) : path.join(projectRoot, '.sparkify', 'bench', name);
  const input = path.join(work, 'input');
  await ensureDataset(input, options, log);
  const { year, month } = options.from;
  const before = inputOfDays(input, path.join(work, 'daily-input-27'), LOADED_DAYS);
  const after = inputOfDays(input, path.join(work, 'daily-input-28'), LOADED_DAYS + 1);
  const lake = path.join(work, 'out-daily');
  const fullLake = path.join(work, 'out-daily-full');
  for (const dir of [lake, fullLake]) rmSync(dir, { recursive: true, force: true });

  const config = loadConfig({ env: { ...process.env, SPARKIFY_TASK_QUEUE: `bench-daily-${Date.now()}` } });
  const pool = await startWorkers(Number(values.workers), config.temporal.taskQueue);
  const runs: TimedRun[] = [];
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
      await timed(`days 1-${LOADED_DAYS}, empty lake`, before, lake);
      await timed(`days 1-${LOADED_DAYS + 1}, the daily run`, after, lake);
      await timed(`days 1-${LOADED_DAYS + 1}, empty lake (full)`, after, fullLake);
    });
  } finally {
    await pool.stop();
  }
  const [, daily, full] = runs;
  const diff = await compareLakes(new LocalStore(fullLake), new LocalStore(lake));
  console.log('\n| run | wall s | input objects read |');
  console.log('| --- | ---: | ---: |');
  for (const r of runs) console.log(`| ${r.label} | ${r.wall_s.toFixed(1)} | ${r.objects_read} |`);
  console.log(`\ndaily run: ${(daily.wall_s / full.wall_s).toFixed(2)}× the full month's; its lake against the full run's: ${describeDiff(diff)}`);
  if (values.json) {
    const result = { scale: name, options, full_s: full.wall_s, daily_s: daily.wall_s, ratio: daily.wall_s / full.wall_s, same_lake: identical(diff), runs };
    writeFileSync(values.json, JSON.stringify(result, null, 2));
  }
  if (!identical(diff)) process.exitCode = 1;
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

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
