import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { runMonth } from '../../client/run-month';
import type { WorkerDeployment } from '../../lake/config';
import { describeWithServers, startHarness, uniqueName, type TemporalHarness } from '../helpers/servers';

/** Makes a version current once the server knows it (a version exists from its workers' first poll). */
async function setCurrentVersion(client: Client, deployment: WorkerDeployment): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: client.options.namespace,
        deploymentName: deployment.name,
        buildId: deployment.buildId,
        identity: 'worker-versioning test',
      });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Which worker and which version ran the run: the identity of its workflow tasks and its versioning info. */
async function ranBy(client: Client, workflowId: string): Promise<{ identities: string[]; behavior?: string; buildId?: string }> {
  const handle = client.workflow.getHandle(workflowId);
  const history = await handle.fetchHistory();
  const identities = new Set((history.events ?? []).map((e) => e.workflowTaskCompletedEventAttributes?.identity).filter((i): i is string => Boolean(i)));
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  return {
    identities: [...identities],
    behavior: info?.behavior === 1 ? 'PINNED' : info?.behavior === 2 ? 'AUTO_UPGRADE' : String(info?.behavior),
    buildId: info?.deploymentVersion?.buildId ?? undefined,
  };
}

describeWithServers('worker versioning: a worker declares its deployment version, runs go to the current one', () => {
  const taskQueue = uniqueName('sparkify-versioning');
  const name = uniqueName('sparkify');
  const A: WorkerDeployment = { name, buildId: 'build-a', defaultBehavior: 'PINNED' };
  const B: WorkerDeployment = { name, buildId: 'build-b', defaultBehavior: 'PINNED' };
  let dir: string;
  const harnesses: TemporalHarness[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sparkify-versioning-'));
  });
  afterAll(async () => {
    for (const h of harnesses) await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A run that fails at once (no input): what matters here is who ran it, not the lake. */
  const run = async (client: Client, config: TemporalHarness['config']) => {
    const workflowId = uniqueName('sparkify-etl-versioned');
    await runMonth(client, config, { year: 2018, month: 11, input: path.join(dir, 'no-input'), output: path.join(dir, 'lake') }, workflowId).catch(() => undefined);
    return ranBy(client, workflowId);
  };

  it('runs a month on the current version, pinned to it; after a deploy new runs go to the new build', async () => {
    const a = await startHarness({ taskQueue, config: { deployment: A, workerIdentity: 'worker-a' } });
    harnesses.push(a);
    await setCurrentVersion(a.client, A);
    expect(await run(a.client, a.config)).toEqual({ identities: ['worker-a'], behavior: 'PINNED', buildId: 'build-a' });

    // The deploy: workers of the new build start beside the old ones, then the new version becomes current.
    const b = await startHarness({ taskQueue, config: { deployment: B, workerIdentity: 'worker-b' } });
    harnesses.push(b);
    await setCurrentVersion(b.client, B);
    expect(await run(b.client, b.config)).toEqual({ identities: ['worker-b'], behavior: 'PINNED', buildId: 'build-b' });
  });
});
