import { transformFacts as buildFacts, type FactsResult } from '../lake/steps/transform-facts';
import type { TaskCall } from '../workflows/dag';
import type { ActivityDeps } from './deps';
import { runStep } from './run-step';

/** Builds songplays and time from the staged events, matching each play to its song. */
export function transformFactsActivity(deps: ActivityDeps) {
  return function transformFacts(call: TaskCall): Promise<FactsResult> {
    return runStep(call, deps, buildFacts);
  };
}
