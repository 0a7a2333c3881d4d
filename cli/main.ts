import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { withTemporalClient } from '../client/connect';
import { DEFAULT_INPUT, type LakeConfig } from '../lake/config';
import { loadSettings } from '../client/temporal-connection';
import { ConfigError } from '../lake/errors';
import { generateDataset } from '../lake/generate/generate';
import { StoreFactory } from '../lake/storage/location';
import { listAll } from '../lake/storage/object-store';
import { collectStaging } from '../lake/steps/collect-staging';
import { temporalRunStates } from '../activities/run-states';
import type { RunReport } from '../lake/steps/publish';
import { runWorker } from '../worker/main';
import { startEmbedded } from './embedded';
import { replayHistories } from './replay';
import { parseMonth } from '../lake/month';
import type { BackfillInput } from '../workflows/sparkify-backfill';
import { startBackfill } from '../client/backfill';
import { explainSummary, historyUrl } from '../client/explain-failure';
import { MonthAlreadyRunning } from '../client/month-conflict';
import { DEFAULT_RECONNECT_MS, reconnecting, TemporalUnreachable, type ReconnectOptions } from '../client/reconnect';
import { EXIT } from './exit-codes';
import { followMonth, printConnectionEvents } from './follow-month';
import { backfillSchedule, createSchedule, DEFAULT_SCHEDULE_ID, describeSchedule, listSchedules, monthLabels } from '../client/schedule';

const USAGE = `Usage: sparkify <command> [options]

Commands:
  run        Load one month into the lake and print the run report.
               --year 2018 --month 11   the month (default 2018-11 with --embedded)
               --input URI --output URI  override dl.cfg (s3://bucket/prefix or a local path)
               --embedded               start a local Temporal dev server and worker for this run
               --serve                  with --embedded: keep the server and Web UI up until Ctrl-C
               --reconnect-for SECONDS  how long to wait for an unreachable Temporal frontend (default 300)
             If the month is already running with the same --input and --output, run waits for that run; with
             others it refuses (exit 3). A failed run prints its failing task, error and history command.
  backfill   Load a range of months, one sparkify-etl-YYYY-MM child workflow each.
               --from 2018-11 --to 2019-01 [--parallelism 2] [--input URI] [--output URI] [--embedded]
               [--reconnect-for SECONDS]
  schedule   Temporal Schedule of daily runs, each loading the month of its scheduled time.
               create [--id sparkify-daily] [--at 03:00] [--input URI] [--output URI]
               describe|pause|unpause|trigger|delete [--id sparkify-daily]
               list
               backfill --from 2018-11-01 --to 2019-01-31 [--id sparkify-daily]
  worker     Run a worker (workflows and activities) until SIGTERM or Ctrl-C.
  replay     Replay workflow histories (JSON files) against this build's workflows before a deploy.
               FILE [FILE…]
  gc         Remove the staging areas that closed runs left in a lake (a terminated run, dead workers).
               [--output URI] [--older-than MINUTES (default [LAKE] STAGING_GC_MINUTES, 60)] [--dry-run]
  generate   Write a synthetic Sparkify data set.
               --output URI --songs N --users N --events N (per month) --from YYYY-MM --months K --seed S
  help       Show this text.

Common options:
  --config FILE   dl.cfg to read (default: $SPARKIFY_CONFIG, else ./dl.cfg when present)

Exit codes:
  0  success
  1  the run failed (backfill: at least one month failed); what failed is printed on stderr
  2  bad usage or settings
  3  the month is already running with a different --input or --output
  4  Temporal was unreachable for longer than --reconnect-for; the run may still be going on
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest);
      case 'backfill':
        return await backfillCommand(rest);
      case 'schedule':
        return await scheduleCommand(rest);
      case 'worker':
        await runWorker(configFrom(parse(rest, {}).values));
        return 0;
      case 'generate':
        return await generateCommand(rest);
      case 'gc':
        return await gcCommand(rest);
      case 'replay':
        if (rest.length === 0) throw new ConfigError('replay needs one or more history files (temporal workflow show --output json)');
        return (await replayHistories(rest)) === 0 ? 0 : 1;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return 0;
      default:
        console.error(`Unknown command: ${command}\n\n${USAGE}`);
        return EXIT.usage;
    }
  } catch (err) {
    if (err instanceof ConfigError || (err as Error).name === 'TypeError' && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`sparkify: ${(err as Error).message}`);
      return EXIT.usage;
    }
    if (err instanceof MonthAlreadyRunning) {
      console.error(`sparkify: ${err.message}`);
      return EXIT.alreadyRunning;
    }
    if (err instanceof TemporalUnreachable) {
      console.error(`sparkify: ${err.message}. The run may still be going on: ask again later with the same command.`);
      return EXIT.unreachable;
    }
    throw err;
  }
}

type Values = Record<string, string | boolean | undefined>;

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): { values: Values } {
  return parseArgs({ args, options: { config: { type: 'string' }, ...options }, strict: true, allowPositionals: false }) as { values: Values };
}

function configFrom(values: Values): LakeConfig {
  return loadSettings({ file: values.config as string | undefined });
}

function intOption(values: Values, name: string, fallback?: number): number {
  const raw = values[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new ConfigError(`--${name} is required`);
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new ConfigError(`--${name} must be a whole number, got "${raw}"`);
  return n;
}

async function runCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {
    year: { type: 'string' },
    month: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
    embedded: { type: 'boolean' },
    serve: { type: 'boolean' },
    'reconnect-for': { type: 'string' },
  });
  const config = configFrom(values);
  const embedded = values.embedded === true;
  if (values.serve && !embedded) throw new ConfigError('--serve goes with --embedded');
  const year = intOption(values, 'year', embedded ? 2018 : undefined);
  const month = intOption(values, 'month', embedded ? 11 : undefined);
  // URIs given on the command line travel in the workflow input; resolve relative paths here, where they were meant.
  const input = values.input ? absoluteUri(values.input as string) : undefined;
  const output = values.output ? absoluteUri(values.output as string) : undefined;
  const request = { year, month, input, output };
  const reconnect = reconnectOptions(values, config);

  if (!embedded) {
    return withClient(config, false, async (client) => {
      const followed = await followMonth(client, config, request, reconnect);
      if (followed.report) printReport(followed.report);
      return followed.exitCode;
    }, reconnect);
  }

  await ensureSampleInput(config, input);
  console.error('Starting a local Temporal dev server and a worker…');
  const cluster = await startEmbedded(allowing(config, request), { stateDir: embeddedStateDir() });
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    const finished = followMonth(cluster.env.client, config, request, reconnect, cluster.uiUrl);
    const outcome = await Promise.race([finished, interrupted.then(() => undefined)]);
    if (!outcome) {
      console.error('Interrupted: stopping the worker and the dev server; the run stays in the server\'s history.');
      return 130;
    }
    if (outcome.report) printReport(outcome.report);
    console.error(`Run history: ${historyUrl(cluster.uiUrl, config.temporal.namespace, outcome.workflowId, outcome.runId)}`);
    if (values.serve) {
      console.error(`Temporal Web UI at ${cluster.uiUrl} (server at 127.0.0.1:7233); Ctrl-C to stop.`);
      await interrupted;
    }
    return outcome.exitCode;
  } finally {
    await cluster.stop();
  }
}

function reconnectOptions(values: Values, config: LakeConfig): ReconnectOptions {
  const seconds = intOption(values, 'reconnect-for', DEFAULT_RECONNECT_MS / 1000);
  if (seconds < 0) throw new ConfigError('--reconnect-for must be 0 or more seconds');
  return { reconnectForMs: seconds * 1000, onConnection: printConnectionEvents(config.temporal.address) };
}

/** A client on the configured cluster, or on an embedded dev server with a worker in this process. */
async function withClient<T>(config: LakeConfig, embedded: boolean, use: (client: Client, uiUrl?: string) => Promise<T>, reconnect?: ReconnectOptions): Promise<T> {
  if (embedded) {
    const cluster = await startEmbedded(config, { stateDir: embeddedStateDir() });
    try {
      return await use(cluster.env.client, cluster.uiUrl);
    } finally {
      await cluster.stop();
    }
  }
  return withTemporalClient(config, (client) => use(client, config.temporal.uiUrl), reconnect);
}

async function backfillCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {
    from: { type: 'string' },
    to: { type: 'string' },
    parallelism: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
    embedded: { type: 'boolean' },
    'reconnect-for': { type: 'string' },
  });
  const config = configFrom(values);
  const reconnect = reconnectOptions(values, config);
  for (const name of ['from', 'to']) {
    if (!parseMonth(String(values[name] ?? ''))) throw new ConfigError(`--${name} must be a month like 2018-11`);
  }
  const input: BackfillInput = {
    from: values.from as string,
    to: values.to as string,
    parallelism: intOption(values, 'parallelism', 2),
    input: values.input ? absoluteUri(values.input as string) : undefined,
    output: values.output ? absoluteUri(values.output as string) : undefined,
  };
  if (values.embedded) await ensureSampleInput(config, input.input);
  return withClient(allowing(config, input), values.embedded === true, async (client, uiUrl) => {
    const handle = await reconnecting(() => startBackfill(client, config, input), reconnect);
    console.error(`Backfill ${handle.workflowId} running; progress: temporal workflow query --workflow-id ${handle.workflowId} --type backfillProgress`);
    const result = await reconnecting(() => handle.result(), reconnect);
    console.log(JSON.stringify(result, null, 2));
    for (const month of result.months) {
      if (month.failure) {
        const where = { workflowId: month.workflowId, runId: month.runId, namespace: config.temporal.namespace, address: config.temporal.address, uiUrl };
        console.error(explainSummary(month.failure, where));
      }
    }
    return result.failed > 0 ? EXIT.runFailed : EXIT.ok;
  }, reconnect);
}

async function scheduleCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parse(rest, {
    id: { type: 'string' },
    at: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
  });
  const config = configFrom(values);
  const scheduleId = (values.id as string | undefined) ?? DEFAULT_SCHEDULE_ID;
  return withClient(config, false, async (client) => {
    const handle = client.schedule.getHandle(scheduleId);
    switch (action) {
      case 'create':
        await createSchedule(client, config, {
          scheduleId,
          at: (values.at as string | undefined) ?? '03:00',
          overrides: {
            input: values.input ? absoluteUri(values.input as string) : undefined,
            output: values.output ? absoluteUri(values.output as string) : undefined,
          },
        });
        console.log(`Created schedule ${scheduleId}`);
        break;
      case 'describe':
        console.log(JSON.stringify(await describeSchedule(client, scheduleId), null, 2));
        break;
      case 'list':
        console.log((await listSchedules(client)).join('\n'));
        break;
      case 'pause':
        await handle.pause('paused by sparkify schedule pause');
        console.log(`Paused ${scheduleId}`);
        break;
      case 'unpause':
        await handle.unpause('unpaused by sparkify schedule unpause');
        console.log(`Unpaused ${scheduleId}`);
        break;
      case 'trigger':
        await handle.trigger();
        console.log(`Triggered ${scheduleId}`);
        break;
      case 'delete':
        await handle.delete();
        console.log(`Deleted ${scheduleId}`);
        break;
      case 'backfill': {
        const from = parseDay(values.from, 'from');
        const to = parseDay(values.to, 'to');
        const months = await backfillSchedule(client, scheduleId, from, to);
        console.log(`Backfilling ${scheduleId} for ${monthLabels(months)}`);
        break;
      }
      default:
        throw new ConfigError(`schedule needs an action: create, describe, list, pause, unpause, trigger, backfill or delete`);
    }
    return 0;
  });
}

function parseDay(value: unknown, name: string): Date {
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(String(value ?? ''));
  if (!match) throw new ConfigError(`--${name} must be a date like 2018-11-01 (or a month like 2018-11)`);
  const [, y, m, d] = match;
  // A bare month means its first day for --from and its last day for --to.
  const day = d ? Number(d) : name === 'to' ? new Date(Date.UTC(Number(y), Number(m), 0)).getUTCDate() : 1;
  return new Date(Date.UTC(Number(y), Number(m) - 1, day));
}

/**
 * The embedded worker serves only this command, so the locations the command names are the ones it may use, besides
 * those the settings allow.
 */
function allowing(config: LakeConfig, run: { input?: string; output?: string }): LakeConfig {
  return {
    ...config,
    allowedInputs: run.input ? [...config.allowedInputs, run.input] : config.allowedInputs,
    allowedOutputs: run.output ? [...config.allowedOutputs, run.output] : config.allowedOutputs,
  };
}

function absoluteUri(uri: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? uri : path.resolve(uri);
}

/** The embedded dev server keeps its state here, under the working folder, so past runs stay visible. */
function embeddedStateDir(): string {
  return path.join(process.cwd(), '.sparkify');
}

/**
 * The embedded default needs no data of the user's: when no input is given or configured, it makes a small synthetic
 * month once and reuses it.
 */
async function ensureSampleInput(config: LakeConfig, inputOverride: string | undefined): Promise<void> {
  if (inputOverride || config.input !== path.join(process.cwd(), DEFAULT_INPUT)) return;
  const store = new StoreFactory(config.s3).open(config.input);
  if ((await listAll(store, 'song_data/')).length > 0) return;
  console.error(`No input configured: generating a small sample data set in ${config.input}`);
  await generateDataset(store, { songs: 500, users: 60, events: 8000, from: { year: 2018, month: 11 }, months: 1, seed: 42 });
}

async function generateCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {
    output: { type: 'string' },
    songs: { type: 'string' },
    users: { type: 'string' },
    events: { type: 'string' },
    from: { type: 'string' },
    months: { type: 'string' },
    seed: { type: 'string' },
  });
  const config = configFrom(values);
  const output = (values.output as string | undefined) ?? config.input;
  const from = parseMonth((values.from as string | undefined) ?? '2018-11');
  if (!from) throw new ConfigError('--from must be a month like 2018-11');
  const store = new StoreFactory(config.s3).open(absoluteUri(output));
  const summary = await generateDataset(store, {
    songs: intOption(values, 'songs', 1000),
    users: intOption(values, 'users', 100),
    events: intOption(values, 'events', 10000),
    from,
    months: intOption(values, 'months', 1),
    seed: intOption(values, 'seed', 1),
    onProgress: (m) => console.error(m),
  });
  console.log(JSON.stringify({ output: store.description, ...summary }, null, 2));
  return 0;
}

async function gcCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { output: { type: 'string' }, 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' } });
  const config = configFrom(values);
  const output = new StoreFactory(config.s3).open(values.output ? absoluteUri(values.output as string) : config.output);
  const minutes = intOption(values, 'older-than', config.stagingGcMinutes);
  if (minutes < 0) throw new ConfigError('--older-than must be 0 or more minutes');
  return withTemporalClient(config, async (client) => {
    const result = await collectStaging(output, temporalRunStates(client), { minAgeMs: minutes * 60_000, now: Date.now(), dryRun: values['dry-run'] === true });
    console.log(JSON.stringify({ output: output.description, dryRun: values['dry-run'] === true, ...result }, null, 2));
    return 0;
  });
}

function printReport(report: RunReport): void {
  console.log(JSON.stringify(report, null, 2));
}
