/**
 * The Sparkify DAG: stage both JSON trees into the run's staging area, build the dimension and fact tables, write
 * their partitions, then publish the month. Read it as an Airflow DAG file: one entry per task.
 */
import { ActivityCancellationType, type ActivityOptions, type Duration, type RetryPolicy } from '@temporalio/common';
import type { SparkifyActivities } from '../activities/contract';
import { PERMANENT_ERROR_TYPES } from '../lake/errors';
import type { DagSpec } from './dag';

/** The DAG's tasks, as the README's pipeline table names them. */
export type SparkifyTask =
  | 'stage-songs'
  | 'stage-events'
  | 'transform-dimensions'
  | 'transform-facts'
  | 'write-dimensions'
  | 'write-facts'
  | 'audit-dimensions'
  | 'audit-facts'
  | 'publish';

/** A cancelled run ends only once its activities have stopped: nothing of it is still writing afterwards. */
const WAIT_FOR_ACTIVITY = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;

const retry: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  maximumAttempts: 10,
  // Errors that no retry can fix: bad settings, bad URIs, missing input, invalid run requests.
  nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
};

/** Steps that report progress often: a silent one for 30 s is presumed dead and its work re-run elsewhere. */
const heartbeating = (startToClose: Duration): ActivityOptions => ({
  startToCloseTimeout: startToClose,
  cancellationType: WAIT_FOR_ACTIVITY,
  heartbeatTimeout: '30s',
  retry,
});

/** Steps that hold one big in-memory computation and report progress between phases only. */
const computing = (startToClose: Duration): ActivityOptions => ({
  startToCloseTimeout: startToClose,
  cancellationType: WAIT_FOR_ACTIVITY,
  heartbeatTimeout: '2m',
  retry,
});

export const SPARKIFY_DAG = {
  name: 'sparkify-etl',
  output: 'publish',
  tasks: {
    'stage-songs': {
      activity: 'stage',
      params: { source: 'songs' },
      fanOut: { maxParallel: 64 },
      options: heartbeating('30m'),
    },
    'stage-events': {
      activity: 'stage',
      params: { source: 'events' },
      fanOut: { maxParallel: 64 },
      options: heartbeating('30m'),
    },
    'transform-dimensions': {
      activity: 'transformDimensions',
      upstream: ['stage-songs', 'stage-events'],
      options: computing('2h'),
    },
    // Segments of the month's events on every worker, then one finish that assembles songplays and builds time.
    'transform-facts': {
      activity: 'transformFacts',
      upstream: ['transform-dimensions'],
      fanOut: { maxParallel: 64, finish: true },
      options: heartbeating('2h'),
    },
    // Two write-partitions tasks: the dimensions' files (a songs file per artist) are staged while the facts are built.
    'write-dimensions': {
      activity: 'writePartitions',
      params: { tables: 'dimensions' },
      upstream: ['transform-dimensions'],
      fanOut: { maxParallel: 64 },
      options: heartbeating('1h'),
    },
    'write-facts': {
      activity: 'writePartitions',
      params: { tables: 'facts' },
      upstream: ['transform-facts'],
      fanOut: { maxParallel: 64 },
      options: heartbeating('1h'),
    },
    // The quality gate: nothing of the run is visible before every check passed. The dimensions' checks run while
    // the facts are still being built.
    // A songs file per artist: read back by every worker, each part as soon as its write part is done (so reading
    // back overlaps writing), then checked across parts.
    'audit-dimensions': {
      activity: 'audit',
      params: { tables: 'dimensions' },
      upstream: ['write-dimensions'],
      fanOut: { maxParallel: 64, finish: true, partsOf: 'write-dimensions' },
      options: computing('1h'),
    },
    'audit-facts': {
      activity: 'audit',
      params: { tables: 'facts' },
      upstream: ['write-facts'],
      options: computing('1h'),
    },
    publish: {
      activity: 'publish',
      upstream: ['audit-dimensions', 'audit-facts'],
      options: heartbeating('1h'),
    },
  },
  // Whatever the run staged goes when it fails or is cancelled; published partitions are whole either way.
  onFailure: {
    task: 'discard-staging',
    activity: 'discardStaging',
    options: { startToCloseTimeout: '10m', cancellationType: WAIT_FOR_ACTIVITY, retry: { ...retry, maximumAttempts: 5 } },
  },
} satisfies DagSpec<SparkifyActivities, SparkifyTask>;
