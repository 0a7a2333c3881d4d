/** `sparkify run` against a cluster: start or join the month, show its progress, wait for its report, say what happened. */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { LakeConfig } from '../lake/config';
import type { RunReport } from '../lake/steps/publish';
import { explainFailure } from '../client/explain-failure';
import type { ConnectionEvent, ReconnectOptions } from '../client/reconnect';
import { startMonthRun, waitForReport } from '../client/run-month';
import { dagProgressQuery } from '../workflows/dag';
import type { SparkifyEtlInput } from '../workflows/sparkify-etl';
import { EXIT } from './exit-codes';
import { aboveProgress, dagProgressText, pollProgress, progressLine } from './progress';

export interface Followed {
  exitCode: number;
  report?: RunReport;
  workflowId: string;
  runId: string;
}

export interface FollowOptions {
  reconnect: ReconnectOptions;
  uiUrl?: string;
  /** Show the run's tasks and parts on stderr while it goes on. */
  progress: boolean;
}

export async function followMonth(client: Client, config: LakeConfig, request: SparkifyEtlInput, options: FollowOptions): Promise<Followed> {
  const { handle, runId } = await startMonthRun(client, config, request, undefined, options.reconnect);
  const { workflowId } = handle;
  console.error(`Following ${workflowId} (run ${runId}) on ${config.temporal.address}; waiting for the report…`);
  const line = progressLine();
  const run = client.workflow.getHandle(workflowId, runId);
  const poller = options.progress ? pollProgress(async () => dagProgressText(await run.query(dagProgressQuery), process.stderr.isTTY === true), line) : undefined;
  try {
    const report = await waitForReport(handle, options.reconnect);
    await poller?.stop();
    return { exitCode: EXIT.ok, report, workflowId, runId };
  } catch (err) {
    await poller?.stop();
    if (!(err instanceof WorkflowFailedError)) throw err;
    console.error(explainFailure(err, { workflowId, runId, namespace: config.temporal.namespace, address: config.temporal.address, uiUrl: options.uiUrl ?? config.temporal.uiUrl }));
    return { exitCode: EXIT.runFailed, workflowId, runId };
  }
}

/** One line on stderr when Temporal is lost and one when it is back: the run goes on meanwhile. */
export function printConnectionEvents(address: string): (event: ConnectionEvent) => void {
  return (event) => {
    if (event.state === 'lost') {
      const minutes = Math.round(event.giveUpInMs / 6000) / 10;
      console.error(aboveProgress(`Lost the connection to Temporal at ${address} (${(event.error as Error).message}); the run goes on in the cluster. Retrying for up to ${minutes} min…`));
    } else {
      console.error(aboveProgress(`Temporal at ${address} answers again after ${Math.round(event.afterMs / 1000)} s.`));
    }
  };
}
