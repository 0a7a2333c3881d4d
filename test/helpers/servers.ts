import { randomBytes } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { loadConfig, type LakeConfig } from '../../lake/config';
import { createS3Client } from '../../lake/storage/s3-store';
import { StoreFactory } from '../../lake/storage/location';
import { LocalStore } from '../../lake/storage/local-store';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import { mapLimit } from '../../lake/concurrency';
import { createSparkifyWorker } from '../../worker/create-worker';
import { createActivities } from '../../activities';
import type { SparkifyActivities } from '../../activities/contract';

/** infra/test-servers.sh starts a real Temporal dev server and MinIO and exports where they are. */
export const haveServers = Boolean(process.env.TEMPORAL_ADDRESS && process.env.S3_ENDPOINT);

export const describeWithServers: jest.Describe = haveServers
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(`Skipping "${name}": no Temporal and S3 servers; run it through \`npm test\`, which starts them`);
      return describe.skip(name, fn);
    }) as jest.Describe);

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Configuration as a worker would load it from the environment, with a task queue of the test's own. */
export function testConfig(taskQueue: string): LakeConfig {
  return { ...loadConfig({ env: { ...process.env, SPARKIFY_TASK_QUEUE: taskQueue } }), activityConcurrency: 8 };
}

export async function createBucket(config: LakeConfig, prefix: string): Promise<string> {
  const bucket = uniqueName(prefix);
  await createS3Client(config.s3).send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Copies a local tree (such as the shared sample) into a store. */
export async function upload(fromDir: string, to: ObjectStore): Promise<void> {
  const from = new LocalStore(fromDir);
  const objects = await listAll(from, '');
  await mapLimit(objects, 32, async (o) => to.put(o.key, await from.get(o.key)));
}

/** Copies a store into a local folder the caller owns (and removes), so DuckDB reads exactly what the bucket holds. */
export async function download(from: ObjectStore, dir: string, prefix = ''): Promise<void> {
  const to = new LocalStore(dir);
  const objects = await listAll(from, prefix);
  await mapLimit(objects, 32, async (o) => to.put(o.key, await from.get(o.key)));
}

export interface TemporalHarness {
  client: Client;
  worker: Worker;
  config: LakeConfig;
  stores: StoreFactory;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  taskQueue?: string;
  /** Settings that differ from the environment's. */
  config?: Partial<LakeConfig>;
  /** Wraps the real activities, to inject a fault into one of them. */
  activities?: (real: SparkifyActivities) => SparkifyActivities;
}

/** A client and one in-process worker on the real dev server, polling a task queue of this test file's own. */
export async function startHarness(options: HarnessOptions = {}): Promise<TemporalHarness> {
  quietRuntime();
  const config = { ...testConfig(options.taskQueue ?? uniqueName('sparkify-test')), ...options.config };
  const connection = await Connection.connect({ address: config.temporal.address });
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const real = createActivities(config);
  const activities = options.activities ? options.activities(real) : real;
  const worker = await createSparkifyWorker({ config, connection: nativeConnection, shutdownGraceTime: '5s', activities });
  const running = worker.run();
  return {
    client: new Client({ connection, namespace: config.temporal.namespace }),
    worker,
    config,
    stores: new StoreFactory(config.s3),
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** Worker logs at INFO drown test output; warnings and errors still show. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already by an earlier harness in this process.
  }
}
