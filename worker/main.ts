import { NativeConnection } from '@temporalio/worker';
import { redactConfig, type LakeConfig } from '../lake/config';
import { loadSettings, temporalConnectionOptions } from '../client/temporal-connection';
import { createSparkifyWorker } from './create-worker';

/**
 * Runs a worker until SIGINT or SIGTERM. The SDK's runtime catches those signals and drains: it stops polling, lets
 * running activities finish within the grace time, then resolves `run()`.
 */
export async function runWorker(config: LakeConfig = loadSettings()): Promise<void> {
  console.log(`sparkify worker: ${JSON.stringify(redactConfig(config))}`);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  try {
    const worker = await createSparkifyWorker({ config, connection });
    console.log(`sparkify worker polling task queue ${config.temporal.taskQueue} on ${config.temporal.address}`);
    await worker.run();
    console.log('sparkify worker drained and stopped');
  } finally {
    await connection.close();
  }
}
