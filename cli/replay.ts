import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';

/**
 * `sparkify replay FILE…`: replays workflow histories (`temporal workflow show --output json`, or the Web UI's
 * download) against this build's workflow code. A history that no longer replays would make a rolling deploy hand
 * an open run to code that cannot continue it; run this before deploying. Returns how many failed. `workflowsPath`
 * is this build's workflows; the tests pass a deliberately altered module to show a replay that fails.
 */
export async function replayHistories(files: string[], workflowsPath = require.resolve('../workflows')): Promise<number> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // A runtime is installed already in this process.
  }
  const histories = files.map((file) => ({ workflowId: path.basename(file), history: JSON.parse(readFileSync(file, 'utf8')) as unknown }));
  let failed = 0;
  for await (const result of Worker.runReplayHistories({ workflowsPath }, histories)) {
    if (result.error) {
      failed++;
      console.log(`FAIL ${result.workflowId}: ${result.error.name}: ${result.error.message}`);
    } else {
      console.log(`ok   ${result.workflowId}`);
    }
  }
  return failed;
}
