import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import type { History } from '@temporalio/common/lib/proto-utils';
import { roundTo } from './measure';

/** Seconds and shares to the millisecond and the thousandth. */
const round3 = (n: number) => roundTo(n, 3);

type HistoryEvent = NonNullable<History['events']>[number];

/** One completed activity of a run: its DAG task, which call of the task it was, when and how long it ran, its result. */
export interface ActivitySpan {
  task: string;
  phase: 'single' | 'plan' | 'part' | 'finish';
  seconds: number;
  /** Start of its last attempt and its completion, in ms since the epoch (the server's clock). */
  from_ms: number;
  to_ms: number;
  result?: unknown;
}

export interface CriticalPath {
  /** The longest chain of tasks through the DAG, each task counted as plan + its longest part + finish. */
  critical_s: number;
  /** Every activity's running time added up: what the run would take on one worker with nothing in parallel. */
  total_s: number;
  /** critical_s ÷ total_s: the share of the work that more workers cannot shorten. */
  share: number;
  path: string[];
}

/** The DAG's shape as far as the critical path needs it: each task's upstream tasks. */
export type DagShape = Record<string, { upstream?: readonly string[]; [setting: string]: unknown }>;

/**
 * From a run's history: each activity's summary (the DAG runner writes `task`, `task plan`, `task 3/8` or
 * `task finish`), the time from its last attempt's start to its completion, and what it returned.
 */
export function activitySpans(history: History): ActivitySpan[] {
  const summaries = new Map<string, string>();
  const started = new Map<string, number>();
  const spans: ActivitySpan[] = [];
  for (const event of history.events ?? []) {
    const id = String(event.eventId);
    const at = tsToMs(event.eventTime);
    if (event.activityTaskScheduledEventAttributes) {
      const summary = activitySummary(event);
      if (summary !== undefined) summaries.set(id, summary);
    } else if (event.activityTaskStartedEventAttributes) {
      started.set(String(event.activityTaskStartedEventAttributes.scheduledEventId), at);
    } else if (event.activityTaskCompletedEventAttributes) {
      const scheduled = String(event.activityTaskCompletedEventAttributes.scheduledEventId);
      const summary = summaries.get(scheduled);
      const from = started.get(scheduled);
      if (summary === undefined || from === undefined) continue;
      const payload = event.activityTaskCompletedEventAttributes.result?.payloads?.[0];
      const result = payload ? defaultPayloadConverter.fromPayload(payload as Payload) : undefined;
      spans.push({ ...parseSummary(summary), seconds: (at - from) / 1000, from_ms: from, to_ms: at, result });
    }
  }
  return spans;
}

/** The summary the DAG runner gave a scheduled activity (`stage-events 3/4`, `publish`), if it gave one. */
export function activitySummary(event: HistoryEvent): string | undefined {
  const summary = event.userMetadata?.summary;
  return summary ? defaultPayloadConverter.fromPayload<string>(summary as Payload) : undefined;
}

function parseSummary(summary: string): Pick<ActivitySpan, 'task' | 'phase'> {
  const [task, call] = summary.split(' ');
  if (call === undefined) return { task, phase: 'single' };
  if (call === 'plan' || call === 'finish') return { task, phase: call };
  return { task, phase: 'part' };
}

/** The critical path of the DAG's tasks, weighted by the run's activity spans; tasks without spans weigh nothing. */
export function criticalPath(spans: Pick<ActivitySpan, 'task' | 'phase' | 'seconds'>[], dag: DagShape): CriticalPath {
  const weight = new Map<string, number>();
  for (const task of Object.keys(dag)) {
    const own = spans.filter((s) => s.task === task);
    const sum = (phase: ActivitySpan['phase']) => own.filter((s) => s.phase === phase).reduce((t, s) => t + s.seconds, 0);
    const longestPart = Math.max(0, ...own.filter((s) => s.phase === 'part').map((s) => s.seconds));
    weight.set(task, sum('single') + sum('plan') + longestPart + sum('finish'));
  }
  const memo = new Map<string, { seconds: number; path: string[] }>();
  const longestTo = (task: string): { seconds: number; path: string[] } => {
    const known = memo.get(task);
    if (known) return known;
    const before = (dag[task].upstream ?? []).map(longestTo).reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, path: [] as string[] });
    const result = { seconds: before.seconds + weight.get(task)!, path: [...before.path, task] };
    memo.set(task, result);
    return result;
  };
  const longest = Object.keys(dag).map(longestTo).reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, path: [] as string[] });
  const total = spans.filter((s) => s.task in dag).reduce((t, s) => t + s.seconds, 0);
  return { critical_s: round3(longest.seconds), total_s: round3(total), share: total > 0 ? round3(longest.seconds / total) : 0, path: longest.path };
}
