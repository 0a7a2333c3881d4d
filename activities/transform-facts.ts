import { transformFacts as buildFacts } from '../lake/steps/transform-facts';
import type { SparkifyActivities } from './contract';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/** Builds songplays and time from the staged events, matching each play to its song. */
export function transformFactsActivity(deps: ActivityDeps): SparkifyActivities['transformFacts'] {
  return function transformFacts(call) {
    return runStep(call, deps, buildFacts);
  };
}
