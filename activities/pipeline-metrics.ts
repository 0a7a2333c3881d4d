import type { MetricMeter } from '@temporalio/common';
import type { RunReport } from '../lake/steps/publish';
import type { StagePlan, StageResult } from '../lake/steps/stage';
import type { WritePartResult } from '../lake/steps/write-partitions';
import type { TaskAttributes } from './task-attributes';

/**
 * What the pipeline did, as metrics on the SDK's meter: they appear on the worker's Prometheus endpoint beside the
 * SDK's own (each with the namespace, task queue, activity type and DAG task as tags). Recorded when a call succeeds,
 * from its result, so a failed attempt counts nothing; names are listed in docs/operations.md.
 */
export function recordStepMetrics(meter: MetricMeter, call: TaskAttributes, result: unknown, seconds: number): void {
  const phase = /^\d+\//.test(call.part) ? 'part' : call.part;
  meter.createHistogram('sparkify_step_seconds', 'float', 's', 'Seconds one activity call of a DAG task took').record(seconds, { phase });
  if (isStageResult(result)) recordStage(meter, result);
  else if (isKeptCataloguePlan(result)) objectsReused(meter).add(result.reused, { source: result.source });
  else if (isWritePartResult(result)) recordWrite(meter, result);
  else if (isRunReport(result)) recordPublish(meter, result);
}

function recordStage(meter: MetricMeter, r: StageResult): void {
  const source = { source: r.source };
  meter.createCounter('sparkify_objects_read', '', 'Input objects fetched by stage tasks').add(r.objectsRead, source);
  meter.createCounter('sparkify_bytes_read', 'By', 'Input bytes fetched by stage tasks').add(r.bytesRead, source);
  objectsReused(meter).add(r.objectsReused, source);
  meter.createCounter('sparkify_records_staged', '', 'Valid records staged').add(r.records, source);
  const quarantined = meter.createCounter('sparkify_records_quarantined', '', 'Records sent to quarantine, by reason');
  for (const [reason, n] of Object.entries(r.quarantined)) if (n) quarantined.add(n, { ...source, reason });
}

function objectsReused(meter: MetricMeter) {
  return meter.createCounter('sparkify_objects_reused', '', 'Input objects unchanged since the last run (song cache, kept catalogue, kept event logs), not fetched');
}

function recordWrite(meter: MetricMeter, r: WritePartResult): void {
  const table = { table: r.table };
  meter.createCounter('sparkify_rows_written', '', 'Rows encoded into partition files by write tasks').add(r.rows, table);
  meter.createCounter('sparkify_bytes_written', 'By', 'Parquet bytes encoded by write tasks').add(r.bytes, table);
}

/** Gauges, not counters: a publish states where the lake is, and a retried publish states the same. */
function recordPublish(meter: MetricMeter, r: RunReport): void {
  const rows = meter.createGauge('sparkify_table_rows', 'int', '', 'Rows of each table in the month the last publish committed');
  for (const [table, n] of Object.entries(r.tables)) rows.set(n, { table });
  const taskSeconds = meter.createGauge('sparkify_task_seconds', 'float', 's', 'Seconds each DAG task took in the last published run, as the workflow measured them');
  for (const [task, s] of Object.entries(r.steps)) taskSeconds.set(s, { task });
  meter.createGauge('sparkify_quarantined_last_run', 'int', '', 'Records the last published run quarantined').set(r.quarantined.total);
  meter
    .createGauge('sparkify_last_publish_timestamp_seconds', 'float', 's', 'When this worker last committed a run (Unix seconds)')
    .set(Date.parse(r.committedAt) / 1000);
}

function isStageResult(value: unknown): value is StageResult {
  const r = value as Partial<StageResult> | null;
  return typeof r?.source === 'string' && typeof r.objectsRead === 'number' && typeof r.quarantined === 'object';
}

/** A songs plan that took the kept catalogue: its files count as reused, as no stage part runs to count them. */
function isKeptCataloguePlan(value: unknown): value is StagePlan & { reused: number } {
  const r = value as Partial<StagePlan> | null;
  return typeof r?.source === 'string' && typeof r.parts === 'number' && typeof r.reused === 'number';
}

function isWritePartResult(value: unknown): value is WritePartResult {
  const r = value as Partial<WritePartResult> | null;
  return typeof r?.table === 'string' && typeof r.rows === 'number' && typeof r.bytes === 'number';
}

function isRunReport(value: unknown): value is RunReport {
  const r = value as Partial<RunReport> | null;
  return typeof r?.committedAt === 'string' && typeof r.tables === 'object' && typeof r.steps === 'object';
}
