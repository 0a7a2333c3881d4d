import type { ActivityAttempts } from './attempts';
import { describeDiff, identical, type LakeDiff } from '../lake-diff';

/** A fault as one run saw it. */
export interface FaultMark {
  fault: string;
  /** Seconds into the run. */
  atS: number;
  lastedS: number;
  /** false: the run had ended before this fault; nothing to see. */
  duringRun: boolean;
  /** Activity attempts past the first whose last attempt started between this fault and the next. */
  extra: number;
}

/** One month's run under a fault (or several, or slow links), compared with the undisturbed run. */
export interface RunOutcome {
  /** Short: the attempts table's column, the run's output prefix (`s3://sparkify-lake/<id>/`). */
  id: string;
  name: string;
  /** Absent when the run could not be made here (`skipped` says why) or did not finish (`failed` says how). */
  seconds?: number;
  skipped?: string;
  failed?: string;
  /** A ceiling on the wall time (the latency run's 2x baseline). */
  limitS?: number;
  faults: FaultMark[];
  diff?: LakeDiff;
  /** Row counts of the run's report equal the baseline's. */
  sameCounts?: boolean;
  attempts: Map<string, ActivityAttempts>;
}

export interface ChaosResult {
  baselineS: number;
  runs: RunOutcome[];
}

/** A run passes when it finished within its limit with the baseline's lake; one that could not be made is no failure. */
export function runPassed(run: RunOutcome): boolean {
  if (run.skipped !== undefined) return true;
  if (run.failed !== undefined) return false;
  return run.diff !== undefined && identical(run.diff) && run.sameCounts === true && (run.limitS === undefined || (run.seconds ?? Infinity) <= run.limitS);
}

export const chaosPassed = (result: ChaosResult) => result.runs.every(runPassed);

const s1 = (n: number) => n.toFixed(1);
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: (string | number)[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)];

export function formatChaos(result: ChaosResult): string {
  const all = result.runs.find((r) => r.faults.length > 1);
  return [
    ...formatRuns(result),
    '',
    ...formatAttempts(result.runs),
    ...(all ? ['', `${all.name}, fault by fault:`, '', ...formatTimeline(all)] : []),
    '',
    chaosPassed(result) ? 'every run finished with the baseline\'s lake' : 'FAILED: a run differs from the baseline or went over its limit',
  ].join('\n');
}

function formatRuns(result: ChaosResult): string[] {
  const rows = result.runs.map((r) => {
    if (r.seconds === undefined) return [r.id, r.name, '', '', r.failed !== undefined ? `FAILED: ${r.failed.split('\n')[0]}` : `not run: ${r.skipped ?? '?'}`];
    const lost = r.seconds - result.baselineS;
    const bound = r.limitS === undefined ? '' : `, limit ${s1(r.limitS)} s${r.seconds <= r.limitS ? '' : ': OVER'}`;
    const limit = ` (${(r.seconds / result.baselineS).toFixed(2)}x baseline${bound})`;
    const lake = r.diff ? describeDiff(r.diff) : '?';
    return [r.id, r.name, s1(r.seconds), `${s1(lost)}${limit}`, `${lake}${r.sameCounts === false ? '; report counts DIFFERENT' : ''}`];
  });
  return table(['run', 'faults injected', 'wall (s)', 'time lost (s)', 'lake against the baseline'], [['baseline', 'none', s1(result.baselineS), '', '(reference)'], ...rows]);
}

/** Activity types down, runs across: the attempts each run's activities took past their first. */
export function formatAttempts(runs: RunOutcome[]): string[] {
  const done = runs.filter((r) => r.seconds !== undefined);
  const types = [...new Set(done.flatMap((r) => [...r.attempts.keys()]))].sort();
  const rows = types.map((t) => [t, ...done.map((r) => r.attempts.get(t)?.extra ?? 0)]);
  const retried = done.flatMap((r) => {
    const calls = [...r.attempts.values()].flatMap((a) => a.retried);
    return calls.length ? [`- ${r.id}: ${calls.join(', ')}`] : [];
  });
  return [
    'Activity attempts past the first, per activity type:',
    '',
    ...table(['activity', ...done.map((r) => r.id)], rows),
    ...(retried.length ? ['', 'Calls that took more than one attempt:', ...retried] : []),
  ];
}

function formatTimeline(run: RunOutcome): string[] {
  const rows = run.faults.map((f) => [f.fault, f.duringRun ? f.atS.toFixed(0) : 'after the run', s1(f.lastedS), f.extra]);
  return table(['fault', 'at (s)', 'lasted (s)', 'attempts past the first started before the next fault'], rows);
}
