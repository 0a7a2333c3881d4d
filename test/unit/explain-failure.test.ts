import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TimeoutFailure } from '@temporalio/common';
import { explainFailure, explainSummary } from '../../client/explain-failure';
import { summarizeFailure } from '../../workflows/failure-summary';

const MISSING_LOGS = 'No event logs for 2018-11 under /data/in/log_data/';

/** The chain the client receives when stage-events failed with an InputError, as the DAG runner builds it. */
function failedRun(options: { withDetails?: boolean } = {}): WorkflowFailedError {
  const leaf = ApplicationFailure.create({ message: MISSING_LOGS, type: 'InputError', nonRetryable: true });
  const activity = new ActivityFailure('Activity task failed', 'stage', '3', 'NON_RETRYABLE_FAILURE', 'worker@host', leaf);
  const dag = ApplicationFailure.create({
    type: 'DagTaskFailed',
    message: `Task stage-events of DAG sparkify-etl failed: ${activity.message}`,
    details: options.withDetails === false ? undefined : [{ dag: 'sparkify-etl', task: 'stage-events' }],
    cause: activity,
    nonRetryable: true,
  });
  return new WorkflowFailedError('Workflow execution failed', dag, 'NON_RETRYABLE_FAILURE');
}

const WHERE = { workflowId: 'sparkify-etl-2018-11', runId: 'run-1', namespace: 'default' };

describe('summarizeFailure', () => {
  it('finds the task, the activity, the error and that retrying will not help', () => {
    expect(summarizeFailure(failedRun())).toMatchObject({
      dag: 'sparkify-etl',
      task: 'stage-events',
      activity: 'stage',
      activityRetryState: 'NON_RETRYABLE_FAILURE',
      errorType: 'InputError',
      message: MISSING_LOGS,
      retryable: false,
    });
  });

  it('reads the task from the message of a DAG failure without details (a run by an older worker)', () => {
    expect(summarizeFailure(failedRun({ withDetails: false }))).toMatchObject({ task: 'stage-events', dag: 'sparkify-etl' });
  });

  it('calls an activity that timed out after its retries retryable', () => {
    const timeout = new TimeoutFailure('activity StartToClose timeout', undefined, 'START_TO_CLOSE');
    const activity = new ActivityFailure('Activity task timed out', 'transformFacts', '7', 'MAXIMUM_ATTEMPTS_REACHED', undefined, timeout);
    const dag = ApplicationFailure.create({ type: 'DagTaskFailed', message: 'Task transform-facts of DAG sparkify-etl failed: x', cause: activity, nonRetryable: true });
    expect(summarizeFailure(new WorkflowFailedError('Workflow execution failed', dag, 'NON_RETRYABLE_FAILURE'))).toMatchObject({
      task: 'transform-facts',
      errorType: 'Timeout START_TO_CLOSE',
      retryable: true,
    });
  });

  it("names a backfill child's run from its ChildWorkflowFailure", () => {
    const dag = failedRun().cause as Error;
    const child = new ChildWorkflowFailure('default', { workflowId: 'sparkify-etl-2018-11', runId: 'child-run' }, 'sparkifyEtl', 'NON_RETRYABLE_FAILURE', dag);
    expect(summarizeFailure(child)).toMatchObject({ task: 'stage-events', workflowId: 'sparkify-etl-2018-11', runId: 'child-run', errorType: 'InputError' });
  });
});

describe('explainFailure', () => {
  it('prints the task, the error with its type, retryability, the cause chain and the history command', () => {
    const text = explainFailure(failedRun(), WHERE);
    expect(text).toContain('task:        stage-events (DAG sparkify-etl, activity stage)');
    expect(text).toContain(`error:       InputError: ${MISSING_LOGS}`);
    expect(text).toMatch(/retryable: +no: InputError is permanent/);
    expect(text).toContain('Workflow execution failed');
    expect(text).toContain('<- ApplicationFailure[DagTaskFailed, non-retryable]: Task stage-events of DAG sparkify-etl failed');
    expect(text).toContain('<- ActivityFailure[stage, retry state NON_RETRYABLE_FAILURE]: Activity task failed');
    expect(text).toContain(`<- ApplicationFailure[InputError, non-retryable]: ${MISSING_LOGS}`);
    expect(text).toContain('history:     temporal workflow show --workflow-id sparkify-etl-2018-11 --run-id run-1');
    expect(text).not.toContain('web UI');
  });

  it('adds the Web UI link when the UI is known, and the address and namespace when they are not the defaults', () => {
    const text = explainFailure(failedRun(), { ...WHERE, namespace: 'lake', address: 'temporal.internal:7233', uiUrl: 'http://ui:8233/' });
    expect(text).toContain('temporal workflow show --workflow-id sparkify-etl-2018-11 --run-id run-1 --address temporal.internal:7233 --namespace lake');
    expect(text).toContain('web UI:      http://ui:8233/namespaces/lake/workflows/sparkify-etl-2018-11/run-1/history');
  });

  it('explains a summary carried by a backfill outcome with the run id it names', () => {
    const child = new ChildWorkflowFailure('default', { workflowId: 'sparkify-etl-2018-11', runId: 'child-run' }, 'sparkifyEtl', 'NON_RETRYABLE_FAILURE', failedRun().cause as Error);
    const text = explainSummary(summarizeFailure(child), { workflowId: 'sparkify-etl-2018-11', namespace: 'default' });
    expect(text).toContain('--run-id child-run');
    expect(text).toContain('task:        stage-events');
  });
});
