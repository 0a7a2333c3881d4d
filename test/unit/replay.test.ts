import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';

const HISTORIES = path.join(__dirname, '..', 'replay', 'histories');

/**
 * Every recorded history (one per workflow type and DAG shape, `npm run record:histories`) replays against the
 * current workflow code without a nondeterminism error: a rolling deploy of this build can take over open runs.
 */
describe('recorded histories replay against the current workflows', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json')).sort();

  beforeAll(() => {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // Installed already in this process.
    }
  });

  it('has one history per workflow type', () => {
    const types = new Set(files.map((f) => JSON.parse(readFileSync(path.join(HISTORIES, f), 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name));
    expect([...types].sort()).toEqual(['sparkifyBackfill', 'sparkifyEtl', 'sparkifyScheduledRun']);
  });

  it('replays every history', async () => {
    // Handed over as JSON: the worker's own proto classes decode it (the replayer accepts `temporal workflow show` JSON).
    const histories = files.map((f) => ({ workflowId: f, history: JSON.parse(readFileSync(path.join(HISTORIES, f), 'utf8')) as unknown }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('../../workflows') }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(histories.length).toBeGreaterThanOrEqual(4);
  });
});
