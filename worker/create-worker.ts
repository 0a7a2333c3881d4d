import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { taskAttributesInterceptor } from '../activities/task-attributes';
import type { SparkifyActivities } from '../activities/contract';
import type { LakeConfig } from '../lake/config';

export interface WorkerOptions {
  config: LakeConfig;
  connection: NativeConnection;
  /** How long a shutdown waits for running activities before cancelling them. */
  shutdownGraceTime?: string;
  /** The activities to register; the real ones for this configuration unless a fault test wraps them. */
  activities?: SparkifyActivities;
}

/** A worker runs both the workflows and the activities; start as many as you like against one cluster. */
export async function createSparkifyWorker({ config, connection, shutdownGraceTime = '2m', activities = createActivities(config) }: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    // Which host ran each activity, in the history; the SDK's pid@hostname when unset.
    ...(config.workerIdentity === undefined ? {} : { identity: config.workerIdentity }),
    // A versioned worker takes only its version's runs: old and new builds run side by side during a deploy.
    ...(config.deployment === undefined
      ? {}
      : {
          workerDeploymentOptions: {
            version: { deploymentName: config.deployment.name, buildId: config.deployment.buildId },
            useWorkerVersioning: true,
            defaultVersioningBehavior: config.deployment.defaultBehavior,
          },
        }),
    workflowsPath: require.resolve('../workflows'),
    activities,
    // Every log line and metric of an activity carries its DAG task (and the line its part).
    interceptors: { activity: [taskAttributesInterceptor] },
    maxConcurrentActivityTaskExecutions: config.activityConcurrency,
    shutdownGraceTime: shutdownGraceTime as `${number}m`,
  });
}
