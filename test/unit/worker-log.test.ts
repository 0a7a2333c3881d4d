import { formatJsonLine } from '../../worker/json-log';
import { countsOf } from '../../activities/step-counts';
import { taskAttributes } from '../../activities/task-attributes';

describe('worker log lines', () => {
  it('are one JSON object per line, with time, level and message first, and never a task token', () => {
    const line = formatJsonLine({
      level: 'WARN',
      message: 'Activity failed',
      timestampNanos: 1_764_633_600_123_000_000n,
      meta: {
        taskToken: 'CiQ5YzM…',
        workflowId: 'sparkify-etl-2018-11',
        task: 'publish',
        part: 'single',
        error: Object.assign(new Error('No song files under s3://in/song_data/', { cause: new TypeError('boom') }), { name: 'ApplicationFailure', type: 'InputError' }),
        n: 3n,
      },
    });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      time: '2025-12-02T00:00:00.123Z',
      level: 'WARN',
      msg: 'Activity failed',
      workflowId: 'sparkify-etl-2018-11',
      task: 'publish',
      part: 'single',
      error: { error: 'ApplicationFailure', type: 'InputError', message: 'No song files under s3://in/song_data/', cause: { error: 'TypeError', message: 'boom' } },
      n: 3,
    });
  });

  it("leave out the task token the SDK core names task_token", () => {
    const line = formatJsonLine({ level: 'WARN', message: 'Activity not found on completion', timestampNanos: 0n, meta: { task_token: 'CiQwMWEy…', sdkComponent: 'core' } });
    expect(JSON.parse(line)).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'WARN', msg: 'Activity not found on completion', sdkComponent: 'core' });
  });

  it("name a call's task and part as the Web UI's summaries do", () => {
    expect(taskAttributes({ task: 'publish' })).toEqual({ task: 'publish', part: 'single' });
    expect(taskAttributes({ task: 'stage-events', fanOut: { phase: 'plan' } })).toEqual({ task: 'stage-events', part: 'plan' });
    expect(taskAttributes({ task: 'write-dimensions', fanOut: { phase: 'part', part: 0, parts: 2 } })).toEqual({ task: 'write-dimensions', part: '1/2' });
    expect(taskAttributes({ task: 'transform-facts', fanOut: { phase: 'finish', parts: 4 } })).toEqual({ task: 'transform-facts', part: 'finish' });
  });

  it("keep a step result's counts, not its keys or lists", () => {
    expect(countsOf({ source: 'events', objectsRead: 8, quarantined: {}, tables: { songs: 3, note: 'x' }, keys: ['a'] })).toEqual({
      objectsRead: 8,
      quarantined: {},
      tables: { songs: 3 },
    });
    expect(countsOf(undefined)).toEqual({});
  });
});
