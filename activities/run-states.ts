import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RunStates } from '../lake/steps/collect-staging';

/** Run states as Temporal knows them; a run it no longer has (past retention) is unknown, not running. */
export function temporalRunStates(client: Client): RunStates {
  return {
    async stateOf(workflowId, runId) {
      try {
        const description = await client.workflow.getHandle(workflowId, runId).describe();
        return description.status.name === 'RUNNING' ? 'running' : 'closed';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'unknown';
        throw err;
      }
    },
  };
}
