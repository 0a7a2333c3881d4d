/** `sparkify backfill`: a range of months as one sparkifyBackfill workflow, its progress and its outcome per month. */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { startBackfill } from '../../client/backfill';
import { explainFailure, explainSummary } from '../../client/explain-failure';
import { failedMonths, loadedMonths, type MonthReason } from '../../client/month-selection';
import { reconnecting, type ReconnectOptions } from '../../client/reconnect';
import type { LakeConfig } from '../../lake/config';
import { formatMonth, monthsBetween, parseMonth, type Month } from '../../lake/month';
import { StoreFactory } from '../../lake/storage/location';
import { dagProgressQuery, type DagProgress } from '../../workflows/dag';
import { backfillResultOf } from '../../workflows/run-failures';
import { backfillProgressQuery, type BackfillInput, type BackfillResult } from '../../workflows/sparkify-backfill';
import { monthWorkflowId } from '../../workflows/workflow-ids';
import { crossChecks } from '../arguments';
import { absoluteUri, allowing, configFrom, ensureSampleInput, reconnectOptions, withCluster, type Cluster } from '../common';
import { EXIT } from '../exit-codes';
import { backfillProgressText, pollProgress, progressLine } from '../progress';
import { backfillResultText, printReport } from '../report-text';

export interface BackfillOptions {
  config?: string;
  from: string;
  to: string;
  parallelism: number;
  input?: string;
  output?: string;
  embedded?: boolean;
  reconnectFor?: number;
  skipLoaded?: boolean;
  onlyFailed?: boolean;
  json?: boolean;
  progress: boolean;
}

export async function backfillCommand(options: BackfillOptions): Promise<number> {
  crossChecks.backfill(options);
  const config = configFrom(options);
  const reconnect = reconnectOptions(options.reconnectFor, config);
  const input: BackfillInput = {
    from: options.from,
    to: options.to,
    parallelism: options.parallelism,
    input: absoluteUri(options.input),
    output: absoluteUri(options.output),
  };
  const range = monthsBetween(parseMonth(options.from)!, parseMonth(options.to)!);
  if (options.embedded) await ensureSampleInput(config, input.input);
  return withCluster(allowing(config, input), options.embedded === true, async (cluster) => {
    const months = await selectMonths(cluster, range, input, options, reconnect);
    if (months.length === 0) {
      console.error(`Nothing to run: every month of ${options.from} … ${options.to} was left out.`);
      return EXIT.ok;
    }
    if (months.length < range.length) input.months = months.map(formatMonth);
    return followBackfill(cluster, input, options, reconnect);
  }, reconnect);
}

/** The range's months, less those --skip-loaded leaves out, or only those --only-failed keeps; says which and why. */
async function selectMonths(cluster: Cluster, range: Month[], input: BackfillInput, options: BackfillOptions, reconnect: ReconnectOptions): Promise<Month[]> {
  let months = range;
  if (options.onlyFailed) {
    const failed = await reconnecting(() => failedMonths(cluster.client, months), reconnect);
    say('Running again', failed);
    const keep = new Set(failed.map((f) => f.month));
    months = months.filter((m) => keep.has(formatMonth(m)));
  }
  if (options.skipLoaded) {
    const stores = new StoreFactory(cluster.config.s3);
    const loaded = await loadedMonths(months, stores.open(input.input ?? cluster.config.input), stores.open(input.output ?? cluster.config.output));
    say('Skipping', loaded);
    const skip = new Set(loaded.map((l) => l.month));
    months = months.filter((m) => !skip.has(formatMonth(m)));
  }
  return months;
}

function say(what: string, months: MonthReason[]): void {
  for (const m of months) console.error(`${what} ${m.month}: ${m.reason}`);
}

async function followBackfill(cluster: Cluster, input: BackfillInput, options: BackfillOptions, reconnect: ReconnectOptions): Promise<number> {
  const { client, config, uiUrl } = cluster;
  const handle = await reconnecting(() => startBackfill(client, config, input), reconnect);
  console.error(`Backfill ${handle.workflowId} running${input.months ? ` for ${input.months.join(', ')}` : ''}.`);
  // Queries go to the latest run: a long range continues as new every 24 months under the same id.
  const latest = client.workflow.getHandle(handle.workflowId);
  const poller = options.progress
    ? pollProgress(async () => {
        const progress = await latest.query(backfillProgressQuery);
        return backfillProgressText(progress, await monthProgress(client, progress.running), process.stderr.isTTY === true);
      }, progressLine())
    : undefined;
  let result: BackfillResult;
  try {
    result = await reconnecting(() => handle.result(), reconnect);
    await poller?.stop();
  } catch (err) {
    await poller?.stop();
    const failedResult = err instanceof WorkflowFailedError ? backfillResultOf(err) : undefined;
    if (!failedResult) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      console.error(explainFailure(err, { workflowId: handle.workflowId, namespace: config.temporal.namespace, address: config.temporal.address, uiUrl }));
      return EXIT.runFailed;
    }
    result = failedResult;
  }
  printReport(result, options.json, backfillResultText);
  for (const month of result.months) {
    if (!month.failure) continue;
    const where = { workflowId: month.workflowId, runId: month.runId, namespace: config.temporal.namespace, address: config.temporal.address, uiUrl };
    console.error(explainSummary(month.failure, where));
  }
  if (result.failed > 0) {
    console.error(`${result.failed} month(s) failed: ${failedList(result)}. Fix the cause, then run them again: the same command with --only-failed.`);
    return EXIT.runFailed;
  }
  return EXIT.ok;
}

function failedList(result: BackfillResult): string {
  return result.months.filter((m) => m.status === 'failed').map((m) => m.month).join(', ');
}

/** The DAG progress of each running month; a month whose run has not answered yet is left out. */
async function monthProgress(client: Client, running: string[]): Promise<Map<string, DagProgress>> {
  const answers = await Promise.all(
    running.map(async (month) => {
      const id = monthWorkflowId(parseMonth(month)!);
      return [month, await client.workflow.getHandle(id).query(dagProgressQuery).catch(() => undefined)] as const;
    }),
  );
  return new Map(answers.filter((a): a is readonly [string, DagProgress] => a[1] !== undefined));
}
