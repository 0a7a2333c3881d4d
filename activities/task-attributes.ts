import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { partLabel } from '../lake/call-label';
import type { TaskCall } from './contract';

/** The DAG task and part a call runs for, as its summary names them in the Web UI (`write-dimensions 2/3`). */
export interface TaskAttributes {
  task: string;
  /** `plan`, `n/N` (1-based, as in summaries) or `finish` for a fan-out call; `single` for a task run as one call. */
  part: string;
}

export function taskAttributes(call: Pick<TaskCall<unknown>, 'task' | 'fanOut'>): TaskAttributes {
  return { task: call.task, part: partLabel(call.fanOut) ?? 'single' };
}

function isTaskCall(value: unknown): value is TaskCall<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as TaskCall<unknown>).task === 'string';
}

/**
 * Puts the DAG task and part on everything logged and measured while an activity runs: every line of its context
 * logger and of the SDK about it (besides the workflow and run ids the SDK adds), and a `task` tag on the metrics of
 * its meter. The part is left out of metric tags: one series per part would grow without bound.
 * The SDK logs its DEBUG "Activity started" line before interceptors see the call's arguments; every line after it
 * carries the task.
 */
export const taskAttributesInterceptor: ActivityInterceptorsFactory = () => {
  let attributes: TaskAttributes | undefined;
  return {
    inbound: {
      execute(input, next) {
        const call = input.args[0];
        if (isTaskCall(call)) attributes = taskAttributes(call);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        return next(attributes ? { ...input, ...attributes } : input);
      },
      getMetricTags(input, next) {
        return next(attributes ? { ...input, task: attributes.task } : input);
      },
    },
  };
};
