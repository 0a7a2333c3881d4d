import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { LakeConfig } from '../lake/config';
import { createSparkifyWorker } from '../worker/create-worker';
import { SPARKIFY_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { findTemporalCli } from '../client/temporal-cli';

export interface EmbeddedCluster {
  env: TestWorkflowEnvironment;
  worker: Worker;
  uiUrl: string;
  /** Stops the in-process worker (draining it) and then the dev server. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Kept under the working folder so past runs stay visible in the Web UI. */
  stateDir: string;
  port?: number;
  uiPort?: number;
}

/** A local Temporal dev server (with Web UI, state in a file) and one worker in this process. */
export async function startEmbedded(config: LakeConfig, options: EmbeddedOptions): Promise<EmbeddedCluster> {
  mkdirSync(options.stateDir, { recursive: true });
  // One run's worth of INFO lines would bury the report; warnings and errors still show. Signals are left to the
  // caller, which must stop the dev server too, not only the worker.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const port = options.port ?? 7233;
  const uiPort = options.uiPort ?? 8233;
  const cli = findTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      ip: '127.0.0.1',
      port,
      ui: true,
      uiPort,
      dbFilename: path.join(options.stateDir, 'temporal.db'),
      namespace: config.temporal.namespace,
      searchAttributes: SPARKIFY_SEARCH_ATTRIBUTES,
    },
  });
  const worker = await createSparkifyWorker({ config, connection: env.nativeConnection, shutdownGraceTime: '10s' });
  const running = worker.run();
  return {
    env,
    worker,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
