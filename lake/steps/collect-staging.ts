import { STAGING_PREFIX } from '../layout';
import type { ObjectStore } from '../storage/object-store';
import { listAll } from '../storage/object-store';

/** What the orchestrator knows of a run: whether it can still write to its staging area. */
export type RunState = 'running' | 'closed' | 'unknown';

/** Asks the orchestrator (Temporal) about a run; a small interface, so the engine does not know Temporal. */
export interface RunStates {
  stateOf(workflowId: string, runId: string): Promise<RunState>;
}

/** One run's staging area, found in the lake, with what was last written there. */
export interface LeftStaging {
  workflowId: string;
  runId: string;
  prefix: string;
  objects: number;
  /** The newest object's last write, epoch milliseconds. */
  lastWritten: number;
}

export interface CollectOptions {
  /** Staging written to more recently than this is kept whatever its run's state: a run between two writes. */
  minAgeMs: number;
  now: number;
  /** Only report what would be removed. */
  dryRun?: boolean;
  /** A staging prefix never removed here (the calling run's own). */
  keep?: string;
}

/**
 * The staging areas of runs that ended without cleaning up (terminated, killed with their workers, or from a
 * build before cleanup on failure) are removed once their run is closed in the orchestrator, or unknown to it, and
 * nothing was written there for `minAgeMs`. A running run's staging is never touched.
 */
export async function collectStaging(output: ObjectStore, runs: RunStates, options: CollectOptions): Promise<{ removed: LeftStaging[]; kept: LeftStaging[] }> {
  const areas = new Map<string, LeftStaging>();
  for (const object of await listAll(output, STAGING_PREFIX)) {
    const [, workflowId, runId] = object.key.split('/');
    if (!workflowId || !runId) continue;
    const prefix = `${STAGING_PREFIX}${workflowId}/${runId}/`;
    const area = areas.get(prefix) ?? { workflowId, runId, prefix, objects: 0, lastWritten: 0 };
    area.objects++;
    area.lastWritten = Math.max(area.lastWritten, object.modified ?? options.now);
    areas.set(prefix, area);
  }
  const removed: LeftStaging[] = [];
  const kept: LeftStaging[] = [];
  for (const area of areas.values()) {
    const old = options.now - area.lastWritten >= options.minAgeMs;
    const removable = area.prefix !== options.keep && old && (await runs.stateOf(area.workflowId, area.runId)) !== 'running';
    (removable ? removed : kept).push(area);
    if (removable && !options.dryRun) await output.deletePrefix(area.prefix);
  }
  return { removed, kept };
}
