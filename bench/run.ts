/**
 * `npm run bench -- --scale small|medium|large [--songs N] [--json FILE] [--systems a,b] [--workers N] [--skip-rerun] [--skip-get-rate]`: on one
 * generated data set, times this pipeline (local disk, then MinIO), DuckDB and PySpark local mode, and prints wall
 * time, peak memory and ratios; sparkify-local then runs the month again and prints what its publish copied.
 * Runs under infra/test-servers.sh, which provides the Temporal dev server and MinIO.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { withTemporalClient } from '../client/connect';
import { runMonth } from '../client/run-month';
import { projectRoot } from '../client/temporal-cli';
import { mapLimit } from '../lake/concurrency';
import { loadConfig, type LakeConfig } from '../lake/config';
import { StoreFactory } from '../lake/storage/location';
import { LocalStore } from '../lake/storage/local-store';
import { listAll } from '../lake/storage/object-store';
import { createS3Client, type S3Settings } from '../lake/storage/s3-store';
import { ensureDataset } from './datasets';
import { minimalGetRate, type GetRate } from './get-rate';
import { measure, median, roundTo } from './measure';
import { startWorkers } from './worker-pool';
import { scaleOptions, SCALES, type Scale } from './scales';
import { parseSystems, SYSTEMS, type System } from './systems';
import { aloneRate, type AloneRate } from './alone-rate';
import { activitySpans, criticalPath } from './critical-path';
import { SPARKIFY_DAG } from '../workflows/sparkify-dag';
import type { SparkifyEtlInput } from '../workflows/sparkify-etl';
import type { RunReport } from '../lake/steps/publish';
import { runCommand, UsageError, wholeNumber } from './command';


export interface BenchResult {
  system: System;
  /** A peer's engine and version, as it reports them (`duckdb 1.4.4`). */
  engine?: string;
  wall_s: number;
  peak_rss_mb: number;
  /** Worker processes the pipeline ran on (peers are one process). */
  workers?: number;
  /** sparkify-s3 only: stage-songs' GET rate against a minimal client's on the same MinIO. */
  get_rate?: {
    minimal_client: GetRate;
    stage_songs_objects_per_s: number;
    ratio: number;
    /** The rate while no other step's activity ran beside stage-songs (bench/alone-rate.ts), and its ratio. */
    stage_songs_alone?: AloneRate;
    ratio_alone?: number;
  };
  steps: Record<string, number>;
  rows: Record<string, number>;
  /** This pipeline only: the files each table's publish put in place. */
  files_published?: Record<string, number>;
  /** scaling only: this pipeline at 1 and at 2 workers, each on a core of its own (medians of the rounds). */
  scaling?: Scaling;
  /** sparkify-local only: the same month run again on the same input, which changes no partition. */
  rerun?: { wall_s: number; files_published: Record<string, number>; files_unchanged: Record<string, number> };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'small' },
      // The catalogue's size apart from the month's: the scale's data set with this many song files.
      songs: { type: 'string' },
      json: { type: 'string' },
      systems: { type: 'string' },
      profile: { type: 'string' },
      // Leaves out sparkify-local's second run of the month, for A/B timings of whole bench processes.
      'skip-rerun': { type: 'boolean', default: false },
      // Leaves out the minimal client's GETs before sparkify-s3 (two passes over every song object: minutes at medium).
      'skip-get-rate': { type: 'boolean', default: false },
      // scaling: how many times it runs the month at 1, then 2 workers; it reports the medians.
      rounds: { type: 'string', default: '1' },
      // DuckDB and Spark's local[*] use every core; so does this pipeline, with one worker process per core.
      workers: { type: 'string', default: String(os.cpus().length) },
    },
  });
  const scale = values.scale as Scale;
  if (!SCALES[scale]) throw new UsageError(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
  const systems = parseSystems(values.systems);
  // Every option is checked before the data set is generated: a typo costs no minutes.
  const workers = wholeNumber(values.workers, '--workers');
  const rounds = wholeNumber(values.rounds, '--rounds');
  const { options, name } = scaleOptions(scale, values.songs);
  const work = path.join(projectRoot, '.sparkify', 'bench', name);
  const input = path.join(work, 'input');
  const dataset = await ensureDataset(input, options, log);
  const { year, month } = options.from;

  const results: BenchResult[] = [];
  for (const system of systems) {
    const output = path.join(work, `out-${system}`);
    rmSync(output, { recursive: true, force: true });
    // Every system starts with no dirty pages of an earlier one still being written back: on this kind of disk the
    // writeback of 100,000 small files slows whoever runs next.
    execFileSync('sync');
    log(`running ${system}…`);
    const result =
      system === 'duckdb' || system === 'pyspark'
        ? await runPeer(system, input, output, year, month)
        : system === 'duckdb-s3'
          ? await runDuckdbS3(input, year, month)
          : system === 'scaling'
            ? await runScaling(input, output, year, month, rounds)
            : await runSparkify(system, input, output, year, month, workers, {
                profileDir: values.profile,
                rerun: !values['skip-rerun'],
                getRate: !values['skip-get-rate'],
              });
    results.push(result);
    log(`${system}: ${result.wall_s.toFixed(1)} s, peak ${result.peak_rss_mb} MB, rows ${JSON.stringify(result.rows)}`);
    // Written after every system, so a long run stopped halfway keeps what it measured.
    const scaling = results.find((r) => r.scaling)?.scaling;
    if (values.json) writeFileSync(values.json, JSON.stringify({ scale, dataset, machine: machine(), ...(scaling ? { scaling } : {}), results }, null, 2));
  }
  printTable(results);
}

/** The pipeline as users run it: worker processes on the dev server, the month started through the client. */
async function runSparkify(
  system: System,
  input: string,
  output: string,
  year: number,
  month: number,
  workerCount: number,
  { profileDir, rerun = true, getRate = true }: { profileDir?: string; rerun?: boolean; getRate?: boolean } = {},
): Promise<BenchResult> {
  const config = loadConfig({ env: { ...process.env, SPARKIFY_TASK_QUEUE: `bench-${Date.now()}` } });
  let inputUri = input;
  let outputUri = output;
  let yardstick: GetRate | undefined;
  if (system === 'sparkify-s3') {
    ({ inputUri, outputUri } = await buckets(config.s3, input));
    if (getRate) yardstick = await songGetRate(config.s3, inputUri.slice(5, -1));
  }
  // --profile DIR: each worker writes a V8 CPU profile there when it exits (open it in Chrome DevTools).
  const pool = await startWorkers(workerCount, config.temporal.taskQueue, profileDir ? { dir: profileDir, name: system } : undefined);
  try {
    const run = () => timedRun(config, { year, month, input: inputUri, output: outputUri }, `bench-${system}-${Date.now()}`);
    const { report, history, wall } = await run();
    // Unchanged input publishes no songs, artists or facts again: their partitions hash the same as what the lake has.
    const again = system === 'sparkify-local' && rerun ? await run() : undefined;
    // The largest worker: what each node of a deployment must hold.
    const peak = (await pool.stop()).peak_rss_mb;
    const result: BenchResult = {
      system,
      wall_s: round(wall),
      peak_rss_mb: peak,
      workers: workerCount,
      steps: report.steps,
      rows: report.tables,
      files_published: report.filesPublished,
    };
    if (again) {
      const { filesPublished, filesUnchanged } = again.report;
      result.rerun = { wall_s: round(again.wall), files_published: filesPublished, files_unchanged: filesUnchanged };
      log(`rerun of the same month: ${again.wall.toFixed(1)} s; files published ${JSON.stringify(filesPublished)}, unchanged ${JSON.stringify(filesUnchanged)}`);
    }
    if (yardstick) {
      const staged = yardstick.objects / report.steps['stage-songs'];
      const alone = aloneRate(activitySpans(history), 'stage-songs', (result) => (result as { objectsRead?: number } | undefined)?.objectsRead ?? 0);
      result.get_rate = {
        minimal_client: yardstick,
        stage_songs_objects_per_s: round(staged),
        ratio: round(staged / yardstick.objects_per_s),
        ...(alone && { stage_songs_alone: alone, ratio_alone: round(alone.objects_per_s / yardstick.objects_per_s) }),
      };
      log(`song GETs: stage-songs ${staged.toFixed(0)}/s over the step, minimal client ${yardstick.objects_per_s.toFixed(0)}/s (ratio ${result.get_rate.ratio})`);
      if (alone) log(`song GETs while stage-songs ran alone (${alone.seconds} s): ${alone.objects_per_s.toFixed(0)}/s (ratio ${result.get_rate.ratio_alone})`);
    }
    return result;
  } finally {
    // A failed run leaves no worker behind.
    await pool.stop();
  }
}

interface Scaling {
  workers_1_s: number;
  workers_2_s: number;
  speedup: number;
  /** Of the 2-worker runs: the longest chain of activity durations against all activity time (bench/critical-path.ts). */
  critical_path_share: number;
  critical_path: string[];
  rounds: number;
}

/**
 * sparkify-local at 1 and 2 workers, each worker pinned to a core of its own, alternating round by round on a fresh
 * lake each time; the critical path comes from each 2-worker run's history.
 */
async function runScaling(input: string, output: string, year: number, month: number, rounds: number): Promise<BenchResult> {
  const walls: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const shares: number[] = [];
  let path: string[] = [];
  let last: RunReport | undefined;
  let peak = 0;
  for (let round = 0; round < rounds; round++) {
    for (const workers of [1, 2] as const) {
      rmSync(output, { recursive: true, force: true });
      execFileSync('sync');
      const config = loadConfig({ env: { ...process.env, SPARKIFY_TASK_QUEUE: `bench-scaling-${Date.now()}` } });
      const pool = await startWorkers(workers, config.temporal.taskQueue, undefined, true);
      try {
        const { report, workflowId, runId, history, wall } = await timedRun(config, { year, month, input, output }, `bench-scaling-${workers}-${Date.now()}`);
        walls[workers].push(wall);
        last = report;
        if (workers === 2) {
          const critical = criticalPath(activitySpans(history), SPARKIFY_DAG.tasks);
          shares.push(critical.share);
          path = critical.path;
          log(`scaling, 2 workers (${workflowId}/${runId}): critical path ${critical.critical_s} s of ${critical.total_s} s of activities (${critical.path.join(' → ')})`);
        }
        log(`scaling, round ${round + 1}, ${workers} worker(s): ${wall.toFixed(1)} s`);
      } finally {
        peak = Math.max(peak, (await pool.stop()).peak_rss_mb);
      }
    }
  }
  const scaling: Scaling = {
    workers_1_s: round(median(walls[1])),
    workers_2_s: round(median(walls[2])),
    speedup: round(median(walls[1]) / median(walls[2])),
    critical_path_share: round(median(shares)),
    critical_path: path,
    rounds,
  };
  log(`scaling: ${JSON.stringify(scaling)}`);
  return { system: 'scaling', wall_s: scaling.workers_2_s, peak_rss_mb: peak, workers: 2, steps: last!.steps, rows: last!.tables, scaling };
}

/**
 * A month run through the client to its report, timed from connecting to the report (what its user waits for), then
 * its history, fetched after the clock stops.
 */
async function timedRun(config: LakeConfig, input: SparkifyEtlInput, workflowId: string) {
  const started = process.hrtime.bigint();
  return withTemporalClient(config, async (client) => {
    const done = await runMonth(client, config, input, workflowId);
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    return { ...done, wall, history: await client.workflow.getHandle(done.workflowId, done.runId).fetchHistory() };
  });
}

/** A fresh input bucket holding the data set (the upload is not timed) and a fresh, empty output bucket. */
async function buckets(settings: S3Settings, input: string): Promise<{ inputUri: string; outputUri: string }> {
  const suffix = Date.now().toString(36);
  const outputUri = `s3://bench-out-${suffix}/`;
  const s3 = createS3Client(settings);
  await s3.send(new CreateBucketCommand({ Bucket: outputUri.slice(5, -1) }));
  // SPARKIFY_BENCH_S3_INPUT names a bucket holding this data set already (A/B pairs on one MinIO): no upload.
  const shared = process.env.SPARKIFY_BENCH_S3_INPUT;
  if (shared) return { inputUri: shared.endsWith('/') ? shared : `${shared}/`, outputUri };
  const inputUri = `s3://bench-in-${suffix}/`;
  await s3.send(new CreateBucketCommand({ Bucket: inputUri.slice(5, -1) }));
  log('uploading the input to MinIO (not timed)…');
  const from = new LocalStore(input);
  const to = new StoreFactory(settings).open(inputUri);
  await mapLimit(await listAll(from, ''), 64, async (o) => to.put(o.key, await from.get(o.key)));
  return { inputUri, outputUri };
}

/** The best a minimal client does on the song files, over a few concurrencies (its best is the bar, not its default). */
async function songGetRate(settings: S3Settings, bucket: string): Promise<GetRate> {
  let best: GetRate | undefined;
  // The SDK's GETs and the signed requests the pipeline itself sends: the faster of the two is the bar.
  for (const client of ['sdk', 'signed'] as const) {
    for (const concurrency of [32, 128]) {
      const rate = await minimalGetRate(createS3Client(settings), bucket, 'song_data/', concurrency, client);
      log(`minimal client (${client}), ${concurrency} in flight: ${rate.objects} song objects at ${rate.objects_per_s.toFixed(0)}/s`);
      if (!best || rate.objects_per_s > best.objects_per_s) best = { ...rate, seconds: round(rate.seconds), objects_per_s: round(rate.objects_per_s) };
    }
  }
  return best!;
}

/** DuckDB with httpfs, from and to the same MinIO as sparkify-s3, on buckets of its own. */
async function runDuckdbS3(input: string, year: number, month: number): Promise<BenchResult> {
  const config = loadConfig({ env: process.env });
  const { inputUri, outputUri } = await buckets(config.s3, input);
  return runPeer('duckdb-s3', inputUri, outputUri, year, month);
}

type Peer = 'duckdb' | 'pyspark' | 'duckdb-s3';

async function runPeer(system: Peer, input: string, output: string, year: number, month: number): Promise<BenchResult> {
  const setup = [path.join(projectRoot, 'bench', 'peers', 'setup.sh'), ...(system === 'duckdb-s3' ? ['duckdb-s3'] : [])];
  const python = execFileSync('bash', setup, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const script = path.join(projectRoot, 'bench', 'peers', system === 'pyspark' ? 'spark_lake.py' : 'duckdb_lake.py');
  const measured = await measure(python, [script, '--input', input, '--output', output, '--year', String(year), '--month', String(month)]).done;
  if (measured.exitCode !== 0) throw new Error(`${system} failed:\n${measured.stderr.slice(-4000)}`);
  const line = measured.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  const parsed = JSON.parse(line ?? '{}') as { engine?: string; steps?: Record<string, number>; rows?: Record<string, number> };
  return { system, engine: parsed.engine, wall_s: round(measured.wall_s), peak_rss_mb: measured.peak_rss_mb, steps: parsed.steps ?? {}, rows: parsed.rows ?? {} };
}

/** Each system against DuckDB on the same storage: local disk against `duckdb`, MinIO against `duckdb-s3`. */
function printTable(results: BenchResult[]): void {
  const duckOf = (r: BenchResult) => results.find((d) => d.system === (r.system.endsWith('-s3') ? 'duckdb-s3' : 'duckdb'));
  const spark = results.find((r) => r.system === 'pyspark');
  console.log('\n| system | engine | wall s | × DuckDB (same storage) | PySpark ÷ it | peak RSS MB | songplays |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const duck = duckOf(r);
    const vsDuck = duck ? (r.wall_s / duck.wall_s).toFixed(2) : '–';
    const vsSpark = spark ? (spark.wall_s / r.wall_s).toFixed(2) : '–';
    console.log(`| ${r.system} | ${r.engine ?? 'sparkify'} | ${r.wall_s.toFixed(1)} | ${vsDuck} | ${vsSpark} | ${r.peak_rss_mb} | ${r.rows.songplays ?? '–'} |`);
  }
  for (const r of results.filter((x) => x.rerun)) {
    const { wall_s, files_published: p, files_unchanged: u } = r.rerun!;
    console.log(`\n${r.system}, the same month again: ${wall_s.toFixed(1)} s; songs files published ${p.songs} (unchanged ${u.songs}), artists ${p.artists} (${u.artists}), songplays ${p.songplays} (${u.songplays}), time ${p.time} (${u.time})`);
  }
}

function machine(): Record<string, unknown> {
  return { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

function round(n: number): number {
  return roundTo(n, 2);
}

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

const USAGE = `npm run bench -- [options]   (under infra/test-servers.sh, which npm run bench uses)

Times this pipeline and its peers on one generated data set and prints wall time, peak memory and ratios.

  --scale small|medium|large   the data set (default small)
  --songs N                    the catalogue's size apart from the month's
  --systems a,b                any of ${SYSTEMS.join(', ')}
                               (default: all but scaling)
  --workers N                  worker processes for this pipeline (default: one per core)
  --rounds N                   scaling only: alternating rounds at 1 and 2 workers (default 1)
  --json FILE                  the results as JSON
  --profile DIR                V8 CPU profiles of the workers
  --skip-rerun                 leave out sparkify-local's second run of the month
  --skip-get-rate              leave out the minimal client's GETs before sparkify-s3`;

runCommand(USAGE, main);
