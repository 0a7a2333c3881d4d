/**
 * The seam between the DAG and its activities. Workflows call activities through this interface
 * (`proxyActivities<SparkifyActivities>`), the activities implement it, and the DAG file names each task's activity as
 * one of its keys with that activity's params, so a task naming a missing activity or passing the wrong params does
 * not compile. Types only: workflow code imports it without pulling in anything of Node.
 */
import type { Month } from '../lake/month';
import type { AuditResult } from '../lake/steps/audit';
import type { RunReport } from '../lake/steps/publish';
import type { Source, StagePlan, StageResult } from '../lake/steps/stage';
import type { DimensionsResult } from '../lake/steps/transform-dimensions';
import type { FactsResult, SegmentResult } from '../lake/steps/transform-facts';
import type { TableSet, WritePartResult } from '../lake/steps/write-partitions';

/** Identifies the run to every task: who it is and what it loads, never data or secrets. */
export interface RunRef extends Month {
  workflowId: string;
  runId: string;
  /** The run's input, e.g. s3://bucket/prefix; absent: the workers' configured input. Never carries credentials. */
  input?: string;
  /** The run's output; absent: the workers' configured output. */
  output?: string;
}

/** A fan-out task first asks its activity for a plan, then calls it once per part. */
export type FanOutCall = { phase: 'plan' } | { phase: 'part'; part: number; parts: number } | { phase: 'finish'; parts: number };

export interface FanOutPlan {
  parts: number;
}

/** The params of an activity that takes none. */
export type NoParams = Record<string, never>;

/** What every task's activity receives from the DAG runner. */
export interface TaskCall<P = NoParams, Run = RunRef> {
  run: Run;
  /** The DAG task this call runs for, e.g. `write-dimensions`. */
  task: string;
  params: P;
  fanOut?: FanOutCall;
  /** Seconds each finished task took so far, for reports. */
  taskSeconds: Record<string, number>;
}

/** The Sparkify DAG's activities, named as its tasks and the README name them. */
export interface SparkifyActivities {
  /** stage-songs, stage-events (fan-out): validates a source tree into the run's staging, bad records to quarantine. */
  stage(call: TaskCall<{ source: Source }>): Promise<StagePlan | StageResult>;
  /** transform-dimensions: songs, artists, the month's user states and the song lookup. */
  transformDimensions(call: TaskCall): Promise<DimensionsResult>;
  /**
   * transform-facts (fan-out with finish): each part encodes one segment of the staged events' songplays and start
   * times; the finish assembles each songplays partition from the segments and builds time.
   */
  transformFacts(call: TaskCall): Promise<FanOutPlan | SegmentResult | FactsResult>;
  /** write-dimensions, write-facts (fan-out): stages one transform step's partitions as Parquet, for publish. */
  writePartitions(call: TaskCall<{ tables: TableSet }>): Promise<FanOutPlan | WritePartResult>;
  /** audit-dimensions, audit-facts: data-quality checks on one write task's staged partitions, before publish. */
  audit(call: TaskCall<{ tables: TableSet }>): Promise<AuditResult | FanOutPlan | { filesRead: number; rowsRead: number }>;
  /** publish: the commit; staged partitions in place, stale files gone, users merged, quarantine, run report. */
  publish(call: TaskCall): Promise<RunReport>;
  /** discard-staging: removes the staging area of a run that failed or was cancelled. */
  discardStaging(call: TaskCall): Promise<void>;
}
