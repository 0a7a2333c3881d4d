import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { LakeConfig } from '../lake/config';

export interface WorkerOptions {
  config: LakeConfig;
  connection: NativeConnection;
  /** How long a shutdown waits for running activities before cancelling them. */
  shutdownGraceTime?: string;
}

/** A worker runs both the workflows and the activities; start as many as you like against one cluster. */
export async function createSparkifyWorker({ config, connection, shutdownGraceTime = '2m' }: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(config),
    maxConcurrentActivityTaskExecutions: config.activityConcurrency,
    shutdownGraceTime: shutdownGraceTime as `${number}m`,
  });
}
