import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { StagingArea } from '../lake/layout';
import type { StepContext } from '../lake/steps/context';
import { LocationNotAllowed } from '../lake/errors';
import { permanentFailure } from '../lake/failure-class';
import { isWithinRoots } from '../lake/storage/location';
import type { TaskCall } from './contract';
import type { ActivityDeps } from './deps';
import { recordStepMetrics } from './pipeline-metrics';
import { countsOf } from './step-counts';
import { taskAttributes } from './task-attributes';

/** Heartbeats go out at least this often, so a live worker is never mistaken for a dead one between progress reports. */
const HEARTBEAT_EVERY_MS = 5_000;

/**
 * The Temporal glue every activity shares: builds the engine's step context for the call, heartbeats (with the last
 * progress reported, so a retry resumes from it), stops at the next progress report once cancelled, turns
 * permanent errors into non-retryable failures whose messages carry no secrets, and logs and measures the step: a
 * line when it starts and one with its counts when it ends (the task and part on both, from taskAttributesInterceptor),
 * and the pipeline's metrics from its result.
 */
export async function runStep<T>(call: TaskCall<unknown>, deps: ActivityDeps, step: (ctx: StepContext) => Promise<T>): Promise<T> {
  const activity = Context.current();
  const started = performance.now();
  activity.log.info('Step started', { params: call.params, resumed: activity.info.heartbeatDetails !== undefined });
  let lastDetails: unknown = activity.info.heartbeatDetails;
  const ticker = setInterval(() => activity.heartbeat(lastDetails), HEARTBEAT_EVERY_MS);
  try {
    const { run } = call;
    const ctx: StepContext = {
      input: deps.stores.open(allowed(run.input ?? deps.config.input, deps.config.allowedInputs, 'ALLOWED_INPUTS')),
      output: deps.stores.open(allowed(run.output ?? deps.config.output, deps.config.allowedOutputs, 'ALLOWED_OUTPUTS')),
      month: { year: run.year, month: run.month },
      staging: new StagingArea(run.workflowId, run.runId),
      workflowId: run.workflowId,
      runId: run.runId,
      ioConcurrency: 64,
      progress: {
        report(details) {
          if (activity.cancellationSignal.aborted) throw activity.cancellationSignal.reason;
          lastDetails = details;
          activity.heartbeat(details);
        },
        resumeFrom: <R>() => activity.info.heartbeatDetails as R | undefined,
      },
    };
    const result = await step(ctx);
    const seconds = (performance.now() - started) / 1000;
    activity.log.info('Step finished', { seconds: Math.round(seconds * 1000) / 1000, counts: countsOf(result) });
    recordStepMetrics(activity.metricMeter, taskAttributes(call), result, seconds);
    return result;
  } catch (err) {
    throw classify(err, activity, deps);
  } finally {
    clearInterval(ticker);
  }
}

/**
 * A workflow input chooses where workers read and write; only the roots the workers' own settings allow may be
 * named, so a client that can start a run cannot point the workers at another bucket or folder.
 */
function allowed(uri: string, roots: string[], setting: 'ALLOWED_INPUTS' | 'ALLOWED_OUTPUTS'): string {
  if (isWithinRoots(uri, roots)) return uri;
  throw new LocationNotAllowed(
    `${uri} is not within the locations this worker allows (${roots.join(', ')}); add it to [LAKE] ${setting} (or $SPARKIFY_${setting}) in the workers' settings`,
  );
}

/**
 * A failure no retry can fix becomes non-retryable at once, with a message naming the object and the fix and nothing
 * of the original error (which may quote a request); anything else is rethrown for the DAG's backoff.
 */
function classify(err: unknown, activity: Context, deps: ActivityDeps): unknown {
  const permanent = permanentFailure(err, {
    attempt: activity.info.attempt,
    // The first attempt's schedule time: how long this step has been failing, across attempts.
    sinceFirstScheduledMs: Date.now() - activity.info.scheduledTimestampMs,
    s3Endpoint: deps.config.s3.endpoint,
  });
  return permanent ? ApplicationFailure.nonRetryable(permanent.message, permanent.name) : err;
}
