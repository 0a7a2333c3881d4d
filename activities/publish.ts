import { Context } from '@temporalio/activity';
import { collectStaging } from '../lake/steps/collect-staging';
import type { StepContext } from '../lake/steps/context';
import { publish as publishRun } from '../lake/steps/publish';
import type { SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';
import { temporalRunStates } from './run-states';

/**
 * Publishes the month (the commit), then removes what runs that ended without cleaning up left in staging: a
 * terminated run, or one whose workers died, never ran its discard-staging.
 */
export function publishActivity(deps: ActivityDeps): SparkifyActivities['publish'] {
  return function publish(call) {
    return runStep(call, deps, async (ctx) => {
      const report = await publishRun(ctx, call.taskSeconds);
      await collectLeftStaging(ctx, deps);
      return report;
    });
  };
}

/** Best effort: the run is published already, and the next run or `sparkify gc` tries again. */
async function collectLeftStaging(ctx: StepContext, deps: ActivityDeps): Promise<void> {
  const activity = Context.current();
  try {
    const { removed } = await collectStaging(ctx.output, temporalRunStates(activity.client), {
      minAgeMs: deps.config.stagingGcMinutes * 60_000,
      now: Date.now(),
      keep: ctx.staging.root,
    });
    for (const area of removed) activity.log.info('Removed the staging a closed run left', { ...area });
  } catch (err) {
    activity.log.warn('Could not collect staging left by closed runs', { error: (err as Error).message });
  }
}
