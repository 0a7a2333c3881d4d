import type { History } from '@temporalio/common/lib/proto-utils';
import { activitySummary } from '../critical-path';

/** One activity type's calls in a run and the attempts they took past their first. */
export interface ActivityAttempts {
  calls: number;
  /** Sum over the calls of (attempts - 1): what the faults cost in repeated work. */
  extra: number;
  /** The calls that took more than one attempt, by their summary (`stage-events 2/4 ×3`). */
  retried: string[];
}

/** A retried attempt's start: when it began, in epoch ms, and how many attempts past the first it stands for. */
export interface RetryMark {
  at: number;
  extra: number;
}

/**
 * Temporal writes one ActivityTaskStarted per activity call, for its last attempt only, carrying that attempt's
 * number: a call that took three attempts leaves attempt 3 and stands for two extra. The activity's type and the DAG
 * runner's summary are on the ActivityTaskScheduled event the started one points to. Several histories (a run and
 * its children) add up.
 */
export function attemptsByActivity(histories: History[]): Map<string, ActivityAttempts> {
  const out = new Map<string, ActivityAttempts>();
  for (const call of calls(histories)) {
    const entry = out.get(call.type) ?? { calls: 0, extra: 0, retried: [] };
    entry.calls += 1;
    entry.extra += call.attempt - 1;
    if (call.attempt > 1) entry.retried.push(`${call.summary ?? call.type} ×${call.attempt}`);
    out.set(call.type, entry);
  }
  return out;
}

/** Each retried call's last start, for telling which fault of a run a retry came after. */
export function retryMarks(histories: History[]): RetryMark[] {
  return calls(histories)
    .filter((c) => c.attempt > 1)
    .map((c) => ({ at: c.startedAt, extra: c.attempt - 1 }));
}

/** The child workflows a history started: the DAG's activities may live in their histories, not in this one. */
export function childRuns(history: History): { workflowId: string; runId: string }[] {
  return (history.events ?? []).flatMap((e) => {
    const run = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    return run?.workflowId && run.runId ? [{ workflowId: run.workflowId, runId: run.runId }] : [];
  });
}

interface Call {
  type: string;
  summary?: string;
  attempt: number;
  startedAt: number;
}

function calls(histories: History[]): Call[] {
  return histories.flatMap((history) => {
    const scheduled = new Map<string, { type: string; summary?: string }>();
    const out: Call[] = [];
    for (const event of history.events ?? []) {
      const s = event.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(event.eventId), { type: s.activityType?.name ?? '?', summary: activitySummary(event) });
      const started = event.activityTaskStartedEventAttributes;
      if (!started) continue;
      const of = scheduled.get(String(started.scheduledEventId)) ?? { type: '?' };
      out.push({ ...of, attempt: started.attempt ?? 1, startedAt: epochMs(event.eventTime) });
    }
    return out;
  });
}

/**
 * Not the SDK's tsToMs: that needs `seconds` as a Long, which a fetched history has but one read back from JSON by
 * historyFromJSON under Jest does not. Number() takes either.
 */
function epochMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6);
}
