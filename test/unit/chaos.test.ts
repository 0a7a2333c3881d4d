import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { attemptsByActivity, childRuns, retryMarks } from '../../bench/chaos/attempts';
import { chaosPassed, formatChaos, type ChaosResult, type RunOutcome } from '../../bench/chaos/format';
import { compareLakes, identical } from '../../bench/lake-diff';
import { LocalStore } from '../../lake/storage/local-store';

const HISTORIES = path.join(__dirname, '..', 'replay', 'histories');
const recorded = (name: string) => JSON.parse(readFileSync(path.join(HISTORIES, `${name}.json`), 'utf8')) as { events: Record<string, any>[] };

describe('attempts per activity, from a run history', () => {
  it('counts calls per activity type and no extra attempts in an undisturbed run', () => {
    const attempts = attemptsByActivity([historyFromJSON(recorded('sparkify-etl-completed'))]);
    expect(Object.fromEntries([...attempts].map(([type, a]) => [type, [a.calls, a.extra]]))).toEqual({
      stage: [7, 0],
      transformDimensions: [1, 0],
      transformFacts: [6, 0],
      writePartitions: [6, 0],
      audit: [4, 0],
      publish: [1, 0],
    });
  });

  it("a call's last started attempt stands for the attempts before it, named by the DAG's summary", () => {
    const json = recorded('sparkify-etl-completed');
    const publishId = json.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType.name === 'publish')!.eventId;
    const started = json.events.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId === publishId)!;
    started.activityTaskStartedEventAttributes.attempt = 3;
    const history = historyFromJSON(json);
    const publish = attemptsByActivity([history, history]).get('publish');
    // Two histories (a run and a child) add up.
    expect(publish).toEqual({ calls: 2, extra: 4, retried: ['publish ×3', 'publish ×3'] });
    expect(retryMarks([history])).toEqual([{ at: Date.parse(started.eventTime), extra: 2 }]);
  });

  it('finds the child runs whose histories hold their own activities', () => {
    expect(childRuns(historyFromJSON(recorded('sparkify-backfill'))).map((c) => c.workflowId).sort()).toEqual(['sparkify-etl-2018-11', 'sparkify-etl-2018-12']);
    expect(childRuns(historyFromJSON(recorded('sparkify-etl-completed')))).toEqual([]);
  });
});

describe('two lakes compared file by file', () => {
  let root: string;
  const lake = (name: string, files: Record<string, string>) => {
    const dir = path.join(root, name);
    for (const [key, body] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
      writeFileSync(path.join(dir, key), body);
    }
    return new LocalStore(dir);
  };
  const tables = {
    'songs/year=2018/artist_id=A/part-00000.snappy.parquet': 'songs',
    'songs/_SUCCESS': '',
    'time/year=2018/month=11/part-00000.snappy.parquet': 'time',
    '_quarantine/events/year=2018/month=11/part-00000.ndjson': '{}',
    '_state/users/year=2018/month=11/users.ndjson': 'u',
  };
  beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), 'chaos-lakes-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("ignores what names the run (reports, the lake's marker) and counts staging left apart", async () => {
    const a = lake('a', { ...tables, '_runs/year=2018/month=11/r1.json': '1', '_state/lake.json': 'a' });
    const b = lake('b', { ...tables, '_runs/year=2018/month=11/r2.json': '2', '_state/lake.json': 'b', '_staging/wf/run/x.ndjson': 'x' });
    const diff = await compareLakes(a, b);
    expect(identical(diff)).toBe(true);
    expect(diff).toMatchObject({ files: 5, stagingLeft: 1 });
  });

  it('names files that differ in bytes or exist on one side only', async () => {
    const a = lake('a', tables);
    const b = lake('b', { ...tables, 'time/year=2018/month=11/part-00000.snappy.parquet': 'tim3', 'songs/year=2018/artist_id=B/part-00000.snappy.parquet': 's' });
    rmSync(path.join(root, 'b', '_state'), { recursive: true });
    const diff = await compareLakes(a, b);
    expect(diff).toMatchObject({
      differing: ['time/year=2018/month=11/part-00000.snappy.parquet'],
      onlyInBaseline: ['_state/users/year=2018/month=11/users.ndjson'],
      onlyInOther: ['songs/year=2018/artist_id=B/part-00000.snappy.parquet'],
    });
    expect(identical(diff)).toBe(false);
  });
});

describe('the chaos table', () => {
  const same = { files: 12, onlyInBaseline: [], onlyInOther: [], differing: [], stagingLeft: 0 };
  const attempts = (extra: number) => new Map([['stage', { calls: 7, extra, retried: extra ? [`stage-events 2/4 ×${extra + 1}`] : [] }], ['publish', { calls: 1, extra: 0, retried: [] }]]);
  const run = (over: Partial<RunOutcome>): RunOutcome => ({ id: 'x', name: 'x', seconds: 80, faults: [], diff: same, sameCounts: true, attempts: attempts(0), ...over });
  const result: ChaosResult = {
    baselineS: 60,
    runs: [
      run({ id: 'kill-node1', name: 'SIGKILL the worker on node1, start it again', seconds: 95.25, attempts: attempts(1) }),
      run({
        id: 'all',
        name: 'all six, one after another',
        seconds: 150,
        faults: [{ fault: 'restart MinIO', atS: 3.2, lastedS: 4.56, duringRun: true, extra: 2 }, { fault: 'restart Temporal', atS: 170, lastedS: 0, duringRun: false, extra: 0 }],
      }),
      { id: 'latency', name: "100ms on every host's link", skipped: 'this kernel has no netem qdisc', faults: [], attempts: new Map() },
    ],
  };

  it('prints each run with its time lost and lake, the attempts per activity and the all-in-one timeline', () => {
    expect(formatChaos(result).split('\n')).toEqual([
      '| run | faults injected | wall (s) | time lost (s) | lake against the baseline |',
      '| --- | --- | --- | --- | --- |',
      '| baseline | none | 60.0 |  | (reference) |',
      '| kill-node1 | SIGKILL the worker on node1, start it again | 95.3 | 35.3 (1.59x baseline) | identical (12 files) |',
      '| all | all six, one after another | 150.0 | 90.0 (2.50x baseline) | identical (12 files) |',
      "| latency | 100ms on every host's link |  |  | not run: this kernel has no netem qdisc |",
      '',
      'Activity attempts past the first, per activity type:',
      '',
      '| activity | kill-node1 | all |',
      '| --- | --- | --- |',
      '| publish | 0 | 0 |',
      '| stage | 1 | 0 |',
      '',
      'Calls that took more than one attempt:',
      '- kill-node1: stage-events 2/4 ×2',
      '',
      'all six, one after another, fault by fault:',
      '',
      '| fault | at (s) | lasted (s) | attempts past the first started before the next fault |',
      '| --- | --- | --- | --- |',
      '| restart MinIO | 3 | 4.6 | 2 |',
      '| restart Temporal | after the run | 0.0 | 0 |',
      '',
      "every run finished with the baseline's lake",
    ]);
  });

  it('fails a run over its time limit, with a lake that differs, or that did not finish', () => {
    expect(chaosPassed(result)).toBe(true);
    const over = run({ id: 'latency', seconds: 130, limitS: 120 });
    expect(chaosPassed({ ...result, runs: [over] })).toBe(false);
    expect(formatChaos({ ...result, runs: [over] })).toContain('| 70.0 (2.17x baseline, limit 120.0 s: OVER) |');
    // Without a limit (the short month's latency run) the time is shown against the baseline, not judged.
    const unbounded = run({ id: 'latency', seconds: 130 });
    expect(chaosPassed({ ...result, runs: [unbounded] })).toBe(true);
    expect(formatChaos({ ...result, runs: [unbounded] })).toContain('| 70.0 (2.17x baseline) |');
    expect(chaosPassed({ ...result, runs: [run({ diff: { ...same, differing: ['songs/_SUCCESS'] } })] })).toBe(false);
    expect(chaosPassed({ ...result, runs: [{ id: 'minio', name: 'restart MinIO', failed: 'WorkflowFailedError', faults: [], attempts: new Map() }] })).toBe(false);
  });
});
