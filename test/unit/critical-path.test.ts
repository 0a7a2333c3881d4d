import { criticalPath, type ActivitySpan } from '../../bench/critical-path';

const DAG = {
  stage: {},
  dims: { upstream: ['stage'] },
  facts: { upstream: ['stage'] },
  publish: { upstream: ['dims', 'facts'] },
};

describe('critical path of a run', () => {
  it('weighs a fan-out task as plan + its longest part + finish, and follows the heavier branch', () => {
    const spans: ActivitySpan[] = [
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
