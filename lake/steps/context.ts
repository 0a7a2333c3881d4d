import type { StagingArea } from '../layout';
import type { Month } from '../month';
import type { ObjectStore } from '../storage/object-store';

/** How a long step reports progress and, after a crash, learns where it got to. */
export interface Progress {
  report(details: unknown): void;
  /** The details last reported by an earlier attempt of this same call, if any. */
  resumeFrom<T>(): T | undefined;
}

export const noProgress: Progress = { report: () => undefined, resumeFrom: () => undefined };

export interface StepContext {
  input: ObjectStore;
  output: ObjectStore;
  month: Month;
  staging: StagingArea;
  runId: string;
  workflowId: string;
  progress: Progress;
  /** Concurrent object requests one call may have in flight. */
  ioConcurrency: number;
}
