/** `sparkify run`: one month, on the configured cluster or on an embedded dev server started for it. */
import { historyUrl } from '../../client/explain-failure';
import { crossChecks } from '../arguments';
import { absoluteUri, allowing, configFrom, embeddedStateDir, ensureSampleInput, reconnectOptions } from '../common';
import { startEmbedded } from '../embedded';
import { followMonth } from '../follow-month';
import { printReport, runReportText } from '../report-text';
import { withTemporalClient } from '../../client/connect';
import type { RunReport } from '../../lake/steps/publish';

export interface RunOptions {
  config?: string;
  year?: number;
  month?: number;
  input?: string;
  output?: string;
  embedded?: boolean;
  serve?: boolean;
  reconnectFor?: number;
  json?: boolean;
  progress: boolean;
}

/** The month --embedded loads when none is named: the month the sample data set holds. */
const EMBEDDED_DEFAULT = { year: 2018, month: 11 };

export async function runCommand(options: RunOptions): Promise<number> {
  crossChecks.run(options);
  const embedded = options.embedded === true;
  const year = options.year ?? EMBEDDED_DEFAULT.year;
  const month = options.month ?? EMBEDDED_DEFAULT.month;
  const request = { year, month, input: absoluteUri(options.input), output: absoluteUri(options.output) };
  const config = configFrom(options);
  const reconnect = reconnectOptions(options.reconnectFor, config);
  const print = ({ report }: { report?: RunReport }) => report && printReport(report, options.json, runReportText);

  if (!embedded) {
    return withTemporalClient(config, async (client) => {
      const followed = await followMonth(client, config, request, { reconnect, progress: options.progress });
      print(followed);
      return followed.exitCode;
    }, reconnect);
  }

  await ensureSampleInput(config, request.input);
  console.error('Starting a local Temporal dev server and a worker…');
  const cluster = await startEmbedded(allowing(config, request), { stateDir: embeddedStateDir() });
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    const finished = followMonth(cluster.env.client, cluster.config, request, { reconnect, uiUrl: cluster.uiUrl, progress: options.progress });
    const outcome = await Promise.race([finished, interrupted.then(() => undefined)]);
    if (!outcome) {
      console.error('Interrupted: stopping the worker and the dev server; the run stays in the server\'s history.');
      return 130;
    }
    print(outcome);
    console.error(`Run history: ${historyUrl(cluster.uiUrl, config.temporal.namespace, outcome.workflowId, outcome.runId)}`);
    if (options.serve) {
      console.error(`Temporal Web UI at ${cluster.uiUrl} (server at ${cluster.address}); Ctrl-C to stop.`);
      await interrupted;
    }
    return outcome.exitCode;
  } finally {
    await cluster.stop();
  }
}
