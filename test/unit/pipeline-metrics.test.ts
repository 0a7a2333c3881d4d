/**
 * The pipeline's metrics from activity results: a songs plan that took the kept catalogue counts its song files as
 * reused, since no stage part runs to count them; a plan that stages counts nothing.
 */
import type { MetricMeter } from '@temporalio/common';
import { recordStepMetrics } from '../../activities/pipeline-metrics';
import type { StagePlan, StageResult } from '../../lake/steps/stage';

/** Every value a step put on the meter, by metric name and tags. */
function recordingMeter(): { meter: MetricMeter; added: { name: string; value: number; tags: Record<string, unknown> }[] } {
  const added: { name: string; value: number; tags: Record<string, unknown> }[] = [];
  const metric = (name: string) => {
    const put = (value: number, tags: Record<string, unknown> = {}) => added.push({ name, value, tags });
    return { name, add: put, record: put, set: put };
  };
  const meter = { createCounter: metric, createHistogram: metric, createGauge: metric, withTags: () => meter };
  return { meter: meter as unknown as MetricMeter, added };
}

const reused = (added: ReturnType<typeof recordingMeter>['added']) =>
  added.filter((a) => a.name === 'sparkify_objects_reused').map(({ value, tags }) => ({ value, source: tags.source }));

describe('pipeline metrics', () => {
  it('counts the song files a kept catalogue stood for, and what stage parts reused', () => {
    const { meter, added } = recordingMeter();
    const kept: StagePlan = { source: 'songs', parts: 0, objects: 200, bytes: 50_000, reused: 200 };
    recordStepMetrics(meter, { task: 'stage-songs', part: 'plan' }, kept, 1);
    const staging: StagePlan = { source: 'songs', parts: 2, objects: 200, bytes: 50_000 };
    recordStepMetrics(meter, { task: 'stage-songs', part: 'plan' }, staging, 1);
    const part: StageResult = { source: 'events', objectsRead: 1, bytesRead: 10, objectsReused: 7, records: 5, otherEvents: 0, quarantined: {} };
    recordStepMetrics(meter, { task: 'stage-events', part: '1/1' }, part, 1);
    expect(reused(added)).toEqual([
      { value: 200, source: 'songs' },
      { value: 7, source: 'events' },
    ]);
  });
});
