/**
 * A month runs once at a time under its own workflow id, so asking for a month that is running joins that run. That
 * is only right when it was asked for the same input and output: otherwise the caller would wait for a lake it did not
 * ask for while its own is never written.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { SparkifyEtlInput } from '../workflows/sparkify-etl';

/** The memo key under which a run started by this client records what it was asked for (URIs never carry credentials). */
export const REQUEST_MEMO = 'sparkifyRequest';

export interface Locations {
  input: string | null;
  output: string | null;
}

export function locationsOf(request: SparkifyEtlInput): Locations {
  return { input: request.input ?? null, output: request.output ?? null };
}

export class MonthAlreadyRunning extends Error {
  override readonly name = 'MonthAlreadyRunning';
  constructor(
    readonly workflowId: string,
    readonly runId: string,
    readonly running: Locations,
    readonly asked: Locations,
  ) {
    super(
      `${workflowId} is already running (run ${runId}) with different parameters; refusing to join it. ` +
        differences(running, asked).join('; ') +
        '. Wait for it to finish (or cancel it) and run again.',
    );
  }
}

function differences(running: Locations, asked: Locations): string[] {
  const show = (uri: string | null) => uri ?? "(the workers' configured default)";
  return (['input', 'output'] as const)
    .filter((key) => running[key] !== asked[key])
    .map((key) => `${key} asked for: ${show(asked[key])}, ${key} of the running run: ${show(running[key])}`);
}

/**
 * What the running run was asked for: its memo when this client started it, else (a run from the Temporal CLI, a
 * schedule or a backfill) the input it was started with.
 */
export async function runningLocations(handle: WorkflowHandle): Promise<Locations> {
  const { memo } = await handle.describe();
  const recorded = memo?.[REQUEST_MEMO] as Partial<Locations> | undefined;
  if (recorded && typeof recorded === 'object') return { input: recorded.input ?? null, output: recorded.output ?? null };
  const history = await handle.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const started = payload ? (defaultPayloadConverter.fromPayload(payload) as SparkifyEtlInput) : undefined;
  return started ? locationsOf(started) : { input: null, output: null };
}

/** Throws MonthAlreadyRunning when the run behind `handle` was asked for other locations than `request`. */
export async function ensureSameRequest(handle: WorkflowHandle, runId: string, request: SparkifyEtlInput): Promise<void> {
  const running = await runningLocations(handle);
  const asked = locationsOf(request);
  if (running.input !== asked.input || running.output !== asked.output) {
    throw new MonthAlreadyRunning(handle.workflowId, runId, running, asked);
  }
}
