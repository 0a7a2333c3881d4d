import { aloneRate } from '../../bench/alone-rate';
import { criticalPath, type ActivitySpan } from '../../bench/critical-path';

const DAG = {
  stage: {},
  dims: { upstream: ['stage'] },
  facts: { upstream: ['stage'] },
  publish: { upstream: ['dims', 'facts'] },
};

describe('critical path of a run', () => {
  it('weighs a fan-out task as plan + its longest part + finish, and follows the heavier branch', () => {
    const spans: Pick<ActivitySpan, 'task' | 'phase' | 'seconds'>[] = [
      { task: 'stage', phase: 'plan', seconds: 1 },
      { task: 'stage', phase: 'part', seconds: 10 },
      { task: 'stage', phase: 'part', seconds: 12 },
      { task: 'stage', phase: 'finish', seconds: 2 },
      { task: 'dims', phase: 'single', seconds: 5 },
      { task: 'facts', phase: 'part', seconds: 20 },
      { task: 'facts', phase: 'part', seconds: 20 },
      { task: 'publish', phase: 'single', seconds: 3 },
      { task: 'discard-staging', phase: 'single', seconds: 100 },
    ];
    const result = criticalPath(spans, DAG);
    expect(result.path).toEqual(['stage', 'facts', 'publish']);
    expect(result.critical_s).toBe(1 + 12 + 2 + 20 + 3);
    expect(result.total_s).toBe(1 + 10 + 12 + 2 + 5 + 20 + 20 + 3);
    expect(result.share).toBeCloseTo(38 / 73, 3);
  });

  it('is zero for a run without spans', () => {
    expect(criticalPath([], DAG)).toEqual({ critical_s: 0, total_s: 0, share: 0, path: [] });
  });
});

describe('a task read rate while it ran alone', () => {
  const span = (task: string, phase: ActivitySpan['phase'], from: number, to: number, objects?: number): ActivitySpan => ({
    task,
    phase,
    seconds: (to - from) / 1000,
    from_ms: from,
    to_ms: to,
    result: objects === undefined ? undefined : { objectsRead: objects },
  });
  const objectsOf = (result: unknown) => (result as { objectsRead: number }).objectsRead;

  it("counts only the time no other task ran, and each part's objects in proportion to its alone time", () => {
    const spans = [
      span('stage-songs', 'plan', 0, 1000),
      // Half of this part's span is beside stage-events, the other half alone.
      span('stage-songs', 'part', 1000, 5000, 400),
      span('stage-songs', 'part', 3000, 7000, 800),
      span('stage-events', 'part', 0, 3000, 30),
      span('transform-dimensions', 'single', 7000, 8000),
    ];
    const rate = aloneRate(spans, 'stage-songs', objectsOf)!;
    // Alone from 3,000 to 7,000 ms: 200 of the first part's objects and all 800 of the second's.
    expect(rate).toEqual({ objects: 1000, seconds: 4, objects_per_s: 250 });
  });

  it('is undefined when the task never ran alone', () => {
    const spans = [span('stage-songs', 'part', 0, 1000, 10), span('stage-events', 'part', 0, 2000, 1)];
    expect(aloneRate(spans, 'stage-songs', objectsOf)).toBeUndefined();
  });
});
