/**
 * `npm run chaos -- [--scale small|medium] [--short] [--keep]`: faults during a month's run on the three-host cluster
 * (infra/cluster.sh, as root): a worker SIGKILLed, a host's link pulled, MinIO, Temporal and PostgreSQL restarted,
 * a rolling restart of the workers. Runs the month once without faults and once with them, into two lakes, checks
 * both give the same tables, and prints a table of the faults, the retried activities during each and the time lost.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { withTemporalClient } from '../client/connect';
import { startMonth, waitForReport } from '../client/run-month';
import { projectRoot } from '../client/temporal-cli';
import { loadSettings } from '../client/temporal-connection';
import { generateDataset } from '../lake/generate/generate';
import { withCredentialsOf, type LakeConfig } from '../lake/config';
import { StoreFactory } from '../lake/storage/location';
import type { RunReport } from '../lake/steps/publish';
import { SCALES, type Scale } from './scales';

const SCRIPT = path.join(projectRoot, 'infra', 'cluster.sh');
const MONTH = { year: 2018, month: 11 };
/** Long enough for a run to notice a change of state, short enough to keep the faults inside the run. */
const SETTLE_MS = 3000;

export interface ChaosOptions {
  scale: Scale;
  /** npm test's version: the link is down 10 s, not 60, and the data set is a tenth of small's (scale is ignored). */
  short: boolean;
  /** Leave the cluster up afterwards, for a look. */
  keep: boolean;
  log?: (line: string) => void;
}

export interface FaultResult {
  fault: string;
  /** Seconds into the faulted run. */
  atS: number;
  lastedS: number;
  /** false: the run had ended before this fault; nothing to see. */
  duringRun: boolean;
  /** Activity attempts past the first that started between this fault and the next. */
  retries: number;
}

export interface ChaosResult {
  baselineS: number;
  faultedS: number;
  lostS: number;
  faults: FaultResult[];
  baseline: RunReport;
  faulted: RunReport;
}

interface Fault {
  name: string;
  inject: () => void | Promise<void>;
}

/** A cluster of its own name, subnet and folder, beside any developer's. */
class ChaosCluster {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'sparkify-chaos-'));
  readonly env = { ...process.env, SPARKIFY_CLUSTER_DIR: this.dir, SPARKIFY_CLUSTER_NAME: 'spkc', SPARKIFY_CLUSTER_SUBNET: '10.213.50', SPARKIFY_CLUSTER_UI: '0' };

  run(...args: string[]): string {
    const result = spawnSync('bash', [SCRIPT, ...args], { env: this.env, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (result.status !== 0) throw new Error(`cluster.sh ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result.stdout;
  }

  /** This machine's settings after `eval "$(cluster.sh env)"`. */
  settings(): LakeConfig {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    for (const [, name, value] of this.run('env').matchAll(/^export ([A-Z_0-9]+)=(\S*)$/gm)) env[name] = value;
    return withCredentialsOf(loadSettings({ env, cwd: this.dir }), env);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? ((line: string) => console.error(`[chaos] ${line}`));
  const cluster = new ChaosCluster();
  log(`cluster up in ${cluster.dir}`);
  try {
    // Inside the try: a failed up leaves its folder, which down removes (and only what that folder recorded).
    cluster.run('up');
    const config = cluster.settings();
    const stores = new StoreFactory(config.s3);
    // The short version keeps npm test's time in bounds: a month of 60,000 events still spreads over every worker.
    const scale = options.short ? { ...SCALES.small, songs: 2_000, users: 200, events: 60_000 } : SCALES[options.scale];
    log(`generating the ${options.short ? 'short run\'s' : options.scale} data set (${scale.songs} songs, ${scale.events} events) into s3://sparkify-input/`);
    await generateDataset(stores.open('s3://sparkify-input/'), { ...scale, from: MONTH, months: 1 });

    const linkDownMs = options.short ? 10_000 : 60_000;
    const faults: Fault[] = [
      { name: 'SIGKILL the worker on node1, start it again', inject: () => (cluster.run('stop', 'worker-node1', '--kill'), cluster.run('start', 'worker-node1')) },
      {
        name: `node2's link down ${linkDownMs / 1000} s`,
        inject: async () => {
          cluster.run('link', 'node2', 'down');
          await sleep(linkDownMs);
          cluster.run('link', 'node2', 'up');
        },
      },
      { name: 'restart MinIO', inject: () => cluster.run('restart', 'minio') },
      { name: 'restart Temporal', inject: () => cluster.run('restart', 'temporal') },
      { name: 'restart PostgreSQL', inject: () => cluster.run('restart', 'postgres') },
      {
        name: 'rolling restart of the workers (each drains, then starts)',
        inject: () => {
          for (const node of ['node1', 'node2', 'node3']) cluster.run('restart', `worker-${node}`);
        },
      },
    ];

    return await withTemporalClient(config, async (client) => {
      log('baseline run (no faults)');
      const baseline = await timedRun(client, config, 's3://sparkify-lake/baseline/', 'sparkify-chaos-baseline-2018-11');
      log(`baseline: ${baseline.seconds.toFixed(1)} s`);

      log('faulted run');
      const started = Date.now();
      const handle = await startMonth(client, config, { ...MONTH, output: 's3://sparkify-lake/faulted/' }, 'sparkify-chaos-faulted-2018-11');
      let done = false;
      const finished = waitForReport(handle, { reconnectForMs: 10 * 60_000 }).finally(() => (done = true));
      finished.catch(() => undefined);
      const marks: { fault: string; at: number; end: number; duringRun: boolean }[] = [];
      for (const fault of faults) {
        await sleep(SETTLE_MS);
        const at = Date.now();
        const duringRun = !done;
        if (duringRun) await fault.inject();
        marks.push({ fault: fault.name, at, end: Date.now(), duringRun });
        log(`${duringRun ? '' : '(run over) '}${fault.name}: ${((Date.now() - at) / 1000).toFixed(1)} s`);
      }
      const faulted = await finished;
      const faultedS = (Date.now() - started) / 1000;

      // Retried attempts, by when they started: each fault owns the time until the next one.
      const history = await handle.fetchHistory();
      const retriesAt = (history.events ?? [])
        .filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)
        .map((e) => Number(e.eventTime?.seconds ?? 0) * 1000);
      const results: FaultResult[] = marks.map((m, i) => ({
        fault: m.fault,
        atS: (m.at - started) / 1000,
        lastedS: (m.end - m.at) / 1000,
        duringRun: m.duringRun,
        retries: retriesAt.filter((t) => t >= m.at && t < (marks[i + 1]?.at ?? Infinity)).length,
      }));
      return { baselineS: baseline.seconds, faultedS, lostS: faultedS - baseline.seconds, faults: results, baseline: baseline.report, faulted };
    }, { reconnectForMs: 60_000 });
  } finally {
    if (options.keep) log(`cluster left up: SPARKIFY_CLUSTER_DIR=${cluster.dir} SPARKIFY_CLUSTER_NAME=spkc bash infra/cluster.sh down`);
    else cluster.run('down');
  }
}

async function timedRun(client: Client, config: LakeConfig, output: string, workflowId: string): Promise<{ seconds: number; report: RunReport }> {
  const started = Date.now();
  const handle = await startMonth(client, config, { ...MONTH, output }, workflowId);
  const report = await waitForReport(handle);
  return { seconds: (Date.now() - started) / 1000, report };
}

export function formatChaos(result: ChaosResult): string {
  const rows = result.faults.map((f) => `| ${f.fault} | ${f.duringRun ? f.atS.toFixed(0) : 'after the run'} | ${f.lastedS.toFixed(1)} | ${f.retries} |`);
  return [
    '| fault | at (s) | lasted (s) | activity retries started before the next fault |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `baseline ${result.baselineS.toFixed(1)} s, with faults ${result.faultedS.toFixed(1)} s: ${result.lostS.toFixed(1)} s lost; ` +
      `tables ${JSON.stringify(result.faulted.tables) === JSON.stringify(result.baseline.tables) ? 'identical' : 'DIFFERENT'} (${JSON.stringify(result.faulted.tables)})`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: 'medium' }, short: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } });
  if (!(values.scale! in SCALES)) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
  const result = await runChaos({ scale: values.scale as Scale, short: values.short!, keep: values.keep! });
  console.log(formatChaos(result));
  if (JSON.stringify(result.faulted.tables) !== JSON.stringify(result.baseline.tables)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
