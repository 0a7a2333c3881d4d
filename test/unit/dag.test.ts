import { ApplicationFailure } from '@temporalio/common';
import type { SparkifyActivities, TaskCall } from '../../activities/contract';
import { renderProgress, validateDag, type DagSpec, type TaskSpec } from '../../workflows/dag';
import { SPARKIFY_DAG } from '../../workflows/sparkify-dag';

interface NoopActivities {
  noop(call: TaskCall): Promise<void>;
}

const task = (upstream?: string[]): TaskSpec<NoopActivities> => ({ activity: 'noop', upstream, options: { startToCloseTimeout: '1m' } });

const dag = (tasks: Record<string, TaskSpec<NoopActivities>>, output = Object.keys(tasks).at(-1) ?? 'none'): DagSpec<NoopActivities> => ({
  name: 'test-dag',
  tasks,
  output,
});

function invalid(spec: DagSpec<NoopActivities>): ApplicationFailure {
  try {
    validateDag(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.type).toBe('InvalidDag');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('test-dag');
    return failure;
  }
  throw new Error('expected validateDag to throw');
}

describe('validateDag', () => {
  it('accepts valid DAGs: a chain, a diamond, independent roots, a single task', () => {
    expect(() => validateDag(dag({ a: task(), b: task(['a']), c: task(['b']) }))).not.toThrow();
    expect(() => validateDag(dag({ a: task(), b: task(['a']), c: task(['a']), d: task(['b', 'c']) }))).not.toThrow();
    expect(() => validateDag(dag({ x: task(), y: task(), z: task(['y', 'x']) }))).not.toThrow();
    expect(() => validateDag(dag({ only: task() }))).not.toThrow();
    // Declared out of dependency order, with a repeated upstream.
    expect(() => validateDag(dag({ d: task(['b', 'c', 'b']), c: task(['a']), b: task(['a']), a: task() }, 'd'))).not.toThrow();
  });

  it('accepts the Sparkify DAG', () => {
    expect(() => validateDag(SPARKIFY_DAG)).not.toThrow();
  });

  it('rejects an output task that is not defined, naming it', () => {
    expect(invalid(dag({ a: task() }, 'publish')).message).toMatch(/output task publish is not defined/);
    expect(invalid(dag({}, 'anything')).message).toContain('anything');
  });

  it('rejects an unknown upstream, naming the task and the missing upstream', () => {
    const err = invalid(dag({ a: task(), b: task(['a', 'stage-songz']) }));
    expect(err.message).toContain('task b depends on unknown task stage-songz');
  });

  it('rejects a cycle and shows its path', () => {
    const err = invalid(dag({ a: task(['c']), b: task(['a']), c: task(['b']), out: task(['c']) }, 'out'));
    expect(err.message).toMatch(/cycle/);
    expect(err.message).toContain('a -> c -> b -> a');
  });

  it('rejects a task that depends on itself', () => {
    expect(invalid(dag({ a: task(), loop: task(['a', 'loop']) })).message).toContain('cycle: loop -> loop');
  });

  it('rejects a cycle that the output task does not reach', () => {
    const err = invalid(dag({ out: task(), p: task(['q']), q: task(['p']) }, 'out'));
    expect(err.message).toMatch(/cycle: p -> q -> p/);
  });

  it('checks every upstream before looking for cycles', () => {
    const err = invalid(dag({ a: task(['b']), b: task(['a', 'ghost']) }, 'a'));
    expect(err.message).toContain('unknown task ghost');
  });
});

describe('the DAG file is checked against the activities it calls', () => {
  const options = { startToCloseTimeout: '1m' };
  // Each entry below must fail to compile, and `npm test` type-checks the tests first (npm run typecheck): were one
  // accepted, the directive above it would itself be the error.
  it('refuses a task naming an activity the interface does not have, or passing it the wrong params', () => {
    const tasks: TaskSpec<SparkifyActivities>[] = [
      // @ts-expect-error no activity of that name
      { activity: 'writePartition', params: { tables: 'facts' }, options },
      // @ts-expect-error writePartitions takes { tables }, not { source }
      { activity: 'writePartitions', params: { source: 'songs' }, options },
      // @ts-expect-error stage needs its params
      { activity: 'stage', options },
      // @ts-expect-error publish takes no params
      { activity: 'publish', params: { tables: 'facts' }, options },
    ];
    expect(tasks).toHaveLength(4);
  });

  it('names every task after its activity: one name per step', () => {
    const activityOf = Object.fromEntries(Object.entries(SPARKIFY_DAG.tasks).map(([id, spec]) => [id, spec.activity]));
    expect(activityOf).toEqual({
      'stage-songs': 'stage',
      'stage-events': 'stage',
      'transform-dimensions': 'transformDimensions',
      'transform-facts': 'transformFacts',
      'write-dimensions': 'writePartitions',
      'write-facts': 'writePartitions',
      'audit-dimensions': 'audit',
      'audit-facts': 'audit',
      publish: 'publish',
    });
    expect(SPARKIFY_DAG.onFailure).toMatchObject({ task: 'discard-staging', activity: 'discardStaging' });
  });
});

describe('renderProgress', () => {
  it("shows the DAG's tasks as a Markdown table with state, parts done and seconds", () => {
    const text = renderProgress({
      dag: 'sparkify-etl',
      tasks: { 'stage-songs': { state: 'done', seconds: 3.25, parts: 4, partsDone: 4 }, publish: { state: 'waiting' } },
    });
    expect(text.split('\n')).toEqual([
      '**sparkify-etl**',
      '',
      '| task | state | parts | seconds |',
      '| --- | --- | ---: | ---: |',
      '| stage-songs | done | 4/4 | 3.3 |',
      '| publish | waiting |  |  |',
    ]);
  });
});
