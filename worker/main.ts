import { NativeConnection } from '@temporalio/worker';
import { redactConfig, type LakeConfig } from '../lake/config';
import { loadSettings, temporalConnectionOptions } from '../client/temporal-connection';
import { orphanedSpill, ownSpill, removeSpillDirs } from '../lake/spill/spill-dir';
import { createSparkifyWorker } from './create-worker';
import { installTelemetry } from './telemetry';

/**
 * Runs a worker until SIGINT or SIGTERM. The SDK's runtime catches those signals and drains: it stops polling, lets
 * running activities finish within the grace time, then resolves `run()`. Everything it logs is a JSON line on stdout.
 */
export async function runWorker(config: LakeConfig = loadSettings()): Promise<void> {
  const log = installTelemetry(config.telemetry);
  // Node's warnings (a deprecation, the AWS SDK's notice about Node versions) as log lines too; bin/sparkify.js starts
  // the worker with --no-warnings so they are not also printed as text.
  process.on('warning', (warning) => log.warn(warning.message, { warning: warning.name }));
  log.info('sparkify worker starting', { config: redactConfig(config), orphanedSpillFoldersRemoved: await removeSpillDirs(orphanedSpill) });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  try {
    const worker = await createSparkifyWorker({ config, connection });
    const { metrics } = config.telemetry;
    log.info(`sparkify worker polling task queue ${config.temporal.taskQueue} on ${config.temporal.address}`, {
      metrics: metrics ? `http://${metrics.host}:${metrics.port}/metrics` : 'off',
    });
    await worker.run();
    log.info('sparkify worker drained and stopped');
  } finally {
    await connection.close();
    // A step cancelled after the grace time may not have reached its own cleanup.
    await removeSpillDirs(ownSpill);
  }
}
