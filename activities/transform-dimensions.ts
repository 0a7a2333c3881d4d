import { finishDimensions, planDimensions, reduceCatalogueShard, type CatalogueShardResult, type DimensionsResult } from '../lake/steps/transform-dimensions';
import type { FanOutPlan, SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { byPhase } from './fan-out-phase';
import { runStep } from './run-step';

/** Fan-out with finish: a catalogue shard reduced per part on any worker, then songs, artists and users merged. */
export function transformDimensionsActivity(deps: ActivityDeps): SparkifyActivities['transformDimensions'] {
  return function transformDimensions(call) {
    return runStep<FanOutPlan | CatalogueShardResult | DimensionsResult>(call, deps, (ctx) =>
      byPhase(call.fanOut, { plan: () => planDimensions(ctx), part: (shard) => reduceCatalogueShard(ctx, shard), finish: () => finishDimensions(ctx) }),
    );
  };
}
