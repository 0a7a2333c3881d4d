import { transformFacts as buildFacts, type FactsResult } from '../lake/steps/transform-facts';
import type { TaskCall } from '../workflows/dag';
import type { ActivityDeps } from './deps';
import { classifyFailures } from './errors';
import { stepContext } from './step-context';

/** Builds songplays and time from the staged events, matching each play to its song. */
export function transformFactsActivity(deps: ActivityDeps) {
  return async function transformFacts(call: TaskCall): Promise<FactsResult> {
    return classifyFailures(() => buildFacts(stepContext(call, deps.config, deps.stores)));
  };
}
