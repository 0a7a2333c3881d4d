import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, type Worker } from '@temporalio/worker';
import type { LakeConfig } from '../lake/config';
import { createSparkifyWorker } from '../worker/create-worker';
import { SPARKIFY_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { findTemporalCli } from '../client/temporal-cli';
import { choosePort, LOOPBACK } from './free-port';
import { embeddedWorkerLogger } from './worker-log';

export interface EmbeddedCluster {
  env: TestWorkflowEnvironment;
  worker: Worker;
  /** The frontend this process started, "127.0.0.1:PORT". */
  address: string;
  uiUrl: string;
  /** The settings with `temporal.address` pointing at this server. */
  config: LakeConfig;
  /** Stops the in-process worker (draining it) and then the dev server. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Kept under the working folder so past runs stay visible in the Web UI. */
  stateDir: string;
  /** Default: the port of the configured Temporal address, else 7233. */
  port?: number;
  uiPort?: number;
}

export const DEFAULT_FRONTEND_PORT = 7233;
export const DEFAULT_UI_PORT = 8233;

/**
 * A local Temporal dev server (with Web UI, state in a file) and one worker in this process. A port that something
 * else listens on is never used: the dev server would fail to bind it while the client connected to whatever holds
 * it, and this command would run its month on a server it did not start. It moves to a free port instead and says so.
 */
export async function startEmbedded(config: LakeConfig, options: EmbeddedOptions): Promise<EmbeddedCluster> {
  mkdirSync(options.stateDir, { recursive: true });
  // One run's worth of INFO lines would bury the report; warnings and errors still show, failures in one line each.
  // Signals are left to the caller, which must stop the dev server too, not only the worker.
  Runtime.install({ logger: embeddedWorkerLogger(), shutdownSignals: [] });
  const wanted = options.port ?? portOf(config.temporal.address) ?? DEFAULT_FRONTEND_PORT;
  const frontend = await choosePort(wanted);
  const ui = await choosePort(options.uiPort ?? DEFAULT_UI_PORT);
  const address = `${LOOPBACK}:${frontend.port}`;
  const uiUrl = `http://${LOOPBACK}:${ui.port}`;
  if (frontend.moved) console.error(`Port ${wanted} is taken by another process; the embedded Temporal server uses ${address} instead.`);
  console.error(`Embedded Temporal server at ${address}, Web UI at ${uiUrl}`);
  const cli = findTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: toStderr(cli, options.stateDir) } : { type: 'cached-download' },
      ip: LOOPBACK,
      port: frontend.port,
      ui: true,
      uiPort: ui.port,
      dbFilename: path.join(options.stateDir, 'temporal.db'),
      namespace: config.temporal.namespace,
      searchAttributes: SPARKIFY_SEARCH_ATTRIBUTES,
    },
  });
  const embeddedConfig: LakeConfig = { ...config, temporal: { ...config.temporal, address, uiUrl } };
  const worker = await createSparkifyWorker({ config: embeddedConfig, connection: env.nativeConnection, shutdownGraceTime: '10s' });
  const running = worker.run();
  return {
    env,
    worker,
    address,
    uiUrl,
    config: embeddedConfig,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/**
 * The dev server inherits this process's stdout and prints its banner there, which would break `--json` output: a
 * wrapper runs it with its stdout on stderr. `exec` keeps the server's process id, so stopping it stops the server.
 */
function toStderr(cli: string, stateDir: string): string {
  const wrapper = path.join(stateDir, 'temporal-to-stderr.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec '${cli.replace(/'/g, "'\\''")}' "$@" 1>&2\n`, { mode: 0o755 });
  return wrapper;
}

/** The port of a "host:port" address, when it has one. */
function portOf(address: string): number | undefined {
  const match = /:(\d+)$/.exec(address);
  return match ? Number(match[1]) : undefined;
}
