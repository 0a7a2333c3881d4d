import type { ActivitySpan } from './critical-path';
import { roundTo } from './measure';

/** Seconds and shares to the millisecond and the thousandth. */
const round3 = (n: number) => roundTo(n, 3);

export interface AloneRate {
  /** Objects the task's parts read while no other task's activity ran. */
  objects: number;
  seconds: number;
  objects_per_s: number;
}

type Interval = [number, number];

/**
 * A fan-out task's read rate over the time it ran with no other task's activity beside it: the comparison a minimal
 * client (alone with the object store) is fair to. stage-songs starts beside stage-events, which parses two million
 * events on the same cores, so its rate over the whole step measures the sharing as much as the step. Each part is
 * taken to read at an even pace over its own span; `objectsOf` says how many objects a part's result read.
 */
export function aloneRate(spans: ActivitySpan[], task: string, objectsOf: (result: unknown) => number): AloneRate | undefined {
  const others = union(spans.filter((s) => s.task !== task).map((s): Interval => [s.from_ms, s.to_ms]));
  const alone = (span: Interval) => subtract([span], others);
  const own = spans.filter((s) => s.task === task);
  const aloneTime = subtract(union(own.map((s): Interval => [s.from_ms, s.to_ms])), others);
  let objects = 0;
  for (const part of own.filter((s) => s.phase === 'part' && s.to_ms > s.from_ms)) {
    objects += (objectsOf(part.result) * length(alone([part.from_ms, part.to_ms]))) / (part.to_ms - part.from_ms);
  }
  const seconds = length(aloneTime) / 1000;
  if (seconds <= 0) return undefined;
  return { objects: Math.round(objects), seconds: round3(seconds), objects_per_s: round3(objects / seconds) };
}

/** Sorted, disjoint intervals covering the same time as `intervals`. */
function union(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

/** What of `intervals` (sorted, disjoint) lies outside every one of `holes` (sorted, disjoint). */
function subtract(intervals: Interval[], holes: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [from, to] of intervals) {
    let start = from;
    for (const [holeFrom, holeTo] of holes) {
      if (holeTo <= start || holeFrom >= to) continue;
      if (holeFrom > start) out.push([start, holeFrom]);
      start = Math.max(start, holeTo);
    }
    if (start < to) out.push([start, to]);
  }
  return out;
}

function length(intervals: Interval[]): number {
  return intervals.reduce((sum, [from, to]) => sum + (to - from), 0);
}
