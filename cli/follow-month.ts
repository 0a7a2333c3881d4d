/** `sparkify run` against a cluster: start or join the month, wait for its report, say what happened. */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { LakeConfig } from '../lake/config';
import type { RunReport } from '../lake/steps/publish';
import { explainFailure } from '../client/explain-failure';
import type { ConnectionEvent, ReconnectOptions } from '../client/reconnect';
import { startMonthRun, waitForReport } from '../client/run-month';
import type { SparkifyEtlInput } from '../workflows/sparkify-etl';
import { EXIT } from './exit-codes';

export interface Followed {
  exitCode: number;
  report?: RunReport;
  workflowId: string;
  runId: string;
}

export async function followMonth(client: Client, config: LakeConfig, request: SparkifyEtlInput, reconnect: ReconnectOptions, uiUrl = config.temporal.uiUrl): Promise<Followed> {
  const { handle, runId } = await startMonthRun(client, config, request, undefined, reconnect);
  const { workflowId } = handle;
  console.error(`Following ${workflowId} (run ${runId}) on ${config.temporal.address}; waiting for the report…`);
  try {
    return { exitCode: EXIT.ok, report: await waitForReport(handle, reconnect), workflowId, runId };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    console.error(explainFailure(err, { workflowId, runId, namespace: config.temporal.namespace, address: config.temporal.address, uiUrl }));
    return { exitCode: EXIT.runFailed, workflowId, runId };
  }
}

/** One line on stderr when Temporal is lost and one when it is back: the run goes on meanwhile. */
export function printConnectionEvents(address: string): (event: ConnectionEvent) => void {
  return (event) => {
    if (event.state === 'lost') {
      const minutes = Math.round(event.giveUpInMs / 6000) / 10;
      console.error(`Lost the connection to Temporal at ${address} (${(event.error as Error).message}); the run goes on in the cluster. Retrying for up to ${minutes} min…`);
    } else {
      console.error(`Temporal at ${address} answers again after ${Math.round(event.afterMs / 1000)} s.`);
    }
  };
}
