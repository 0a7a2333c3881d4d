/**
 * A Temporal frontend that goes away for a few seconds mid-run: the run goes on once it is back, and the client that
 * waits for the report must ride it out rather than exit. This test starts a dev server of its own, on a fixed port
 * and a database file, so it can kill it and bring it back on the same address with the same state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { generateDataset } from '../../lake/generate/generate';
import type { LakeConfig } from '../../lake/config';
import { createActivities } from '../../activities';
import type { ConnectionEvent } from '../../client/reconnect';
import { runMonth } from '../../client/run-month';
import { createSparkifyWorker } from '../../worker/create-worker';
import { NOV_2018 } from '../helpers/builders';
import { tempDir } from '../helpers/temp';
import { until } from '../helpers/observe';
import { describeWithServers, testConfig, uniqueName } from '../helpers/servers';

const TEMPORAL = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
/**
 * How long the server stays down. The SDK's own gRPC retries ride out about 20 s of UNAVAILABLE; longer than that, the
 * wait failed before the client retried on its own, so the outage is longer than the SDK alone survives.
 */
const DOWN_MS = Number(process.env.SPARKIFY_TEST_OUTAGE_MS ?? 25_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `temporal server start-dev` on `port`, its state in `db`; resolves once it answers. */
async function startServer(port: number, db: string): Promise<ChildProcess> {
  const child = spawn(
    TEMPORAL,
    ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', db, '--log-level', 'error',
      '--search-attribute', 'SparkifyYear=Int', '--search-attribute', 'SparkifyMonth=Int'],
    { stdio: 'ignore' },
  );
  await until(`the dev server on :${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`the dev server exited with ${child.exitCode}`);
    const connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1000 }).catch(() => undefined);
    await connection?.close();
    return connection ? true : undefined;
  }, 60);
  return child;
}

function stopServer(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, signal);
  return exited;
}

describeWithServers('the client outlasts a Temporal server restart', () => {
  let server: ChildProcess | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  let connection: Connection | undefined;
  let staged: () => void = () => undefined;

  afterAll(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await nativeConnection?.close();
    await connection?.close();
    await stopServer(server, 'SIGTERM');
  });
  // After the hook that stops the worker and the server, whose database is in it: either would write into it again.
  const lake = tempDir('temporal-restart');

  it('waits through the outage and returns the report, at most 60 s later than an undisturbed run', async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // Installed already in this process.
    }
    const port = await freePort();
    const db = lake.path('temporal.db');
    const address = `127.0.0.1:${port}`;
    server = await startServer(port, db);

    const base = testConfig(uniqueName('sparkify-restart'));
    const config: LakeConfig = { ...base, temporal: { ...base.temporal, address } };
    const real = createActivities(config);
    nativeConnection = await NativeConnection.connect({ address });
    worker = await createSparkifyWorker({
      config,
      connection: nativeConnection,
      shutdownGraceTime: '5s',
      activities: {
        ...real,
        stage: async (call) => {
          const result = await real.stage(call);
          staged();
          return result;
        },
      },
    });
    running = worker.run();
    connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: config.temporal.namespace });

    await generateDataset(lake.store('in'), { songs: 800, users: 80, events: 6000, from: NOV_2018, months: 1, seed: 11 });
    const request = (output: string) => ({ ...NOV_2018, input: lake.path('in'), output: lake.path(output) });

    let t0 = Date.now();
    const undisturbed = await runMonth(client, config, request('lake-calm'), uniqueName('sparkify-calm'));
    const calmMs = Date.now() - t0;

    const events: ConnectionEvent['state'][] = [];
    const firstActivityDone = new Promise<void>((resolve) => (staged = resolve));
    t0 = Date.now();
    const disturbed = runMonth(client, config, request('lake-restart'), uniqueName('sparkify-restart'), {
      reconnectForMs: 120_000,
      onConnection: (e) => events.push(e.state),
    });
    await firstActivityDone;
    await stopServer(server, 'SIGKILL');
    server = undefined;
    await new Promise((r) => setTimeout(r, DOWN_MS));
    server = await startServer(port, db);
    const report = (await disturbed).report;
    const restartMs = Date.now() - t0;

    console.log(`undisturbed run ${(calmMs / 1000).toFixed(1)} s; run with the server down ${DOWN_MS / 1000} s ${(restartMs / 1000).toFixed(1)} s; connection events ${events.join(', ') || 'none'}`);
    expect(report.tables).toEqual(undisturbed.report.tables);
    expect(events).toEqual(['lost', 'back']);
    expect(restartMs - calmMs).toBeLessThan(60_000);
  });
});
