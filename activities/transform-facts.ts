import { factsSegment, finishFacts, planFacts, type FactsResult, type SegmentResult } from '../lake/steps/transform-facts';
import type { FanOutPlan, SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/** Fan-out with finish: segments of songplays and start times on any worker, then songplays assembled and time built. */
export function transformFactsActivity(deps: ActivityDeps): SparkifyActivities['transformFacts'] {
  return function transformFacts(call) {
    return runStep<FanOutPlan | SegmentResult | FactsResult>(call, deps, (ctx) => {
      switch (call.fanOut?.phase) {
        case 'part':
          return factsSegment(ctx, call.fanOut.part);
        case 'finish':
          return finishFacts(ctx);
        default:
          return planFacts(ctx);
      }
    });
  };
}
