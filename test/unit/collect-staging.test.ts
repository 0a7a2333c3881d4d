import { collectStaging, type RunState } from '../../lake/steps/collect-staging';
import { listAll } from '../../lake/storage/object-store';
import { tempDir } from '../helpers/temp';

const HOUR = 3_600_000;

describe('collectStaging', () => {
  const tmp = tempDir('collect');

  /** A lake with staging of four runs, each in the given state, and one table file that is no one's staging. */
  async function lakeWith(states: Record<string, RunState>) {
    const lake = tmp.store(`lake-${Object.keys(states).join('-')}`);
    for (const run of Object.keys(states)) {
      await lake.put(`_staging/wf-${run}/${run}/manifest/songs/part-00000.json`, '{}');
      await lake.put(`_staging/wf-${run}/${run}/staged/events/part-00000-b00000.ndjson`, '');
    }
    await lake.put('songs/part-00000.snappy.parquet', 'table');
    const asked: string[] = [];
    const runs = {
      stateOf: async (workflowId: string, runId: string) => {
        asked.push(`${workflowId}/${runId}`);
        return states[runId];
      },
    };
    return { lake, runs, asked };
  }

  it('removes the staging of closed and unknown runs once old enough, never a running one nor any other file', async () => {
    const { lake, runs } = await lakeWith({ a: 'running', b: 'closed', c: 'unknown', d: 'closed' });
    const { removed, kept } = await collectStaging(lake, runs, { minAgeMs: HOUR, now: Date.now() + 2 * HOUR, keep: '_staging/wf-d/d/' });
    expect(removed.map((r) => r.runId).sort()).toEqual(['b', 'c']);
    expect(kept.map((r) => r.runId).sort()).toEqual(['a', 'd']);
    expect(removed[0]).toMatchObject({ objects: 2 });
    const left = (await listAll(lake, '')).map((o) => o.key).sort();
    expect(left).toEqual([
      '_staging/wf-a/a/manifest/songs/part-00000.json',
      '_staging/wf-a/a/staged/events/part-00000-b00000.ndjson',
      '_staging/wf-d/d/manifest/songs/part-00000.json',
      '_staging/wf-d/d/staged/events/part-00000-b00000.ndjson',
      'songs/part-00000.snappy.parquet',
    ]);
  });

  it('keeps staging written to recently whatever its run, without asking the orchestrator', async () => {
    const { lake, runs, asked } = await lakeWith({ e: 'closed' });
    const { removed } = await collectStaging(lake, runs, { minAgeMs: HOUR, now: Date.now() });
    expect(removed).toEqual([]);
    expect(asked).toEqual([]);
    expect(await listAll(lake, '_staging/')).toHaveLength(2);
  });

  it('a dry run reports what it would remove and removes nothing', async () => {
    const { lake, runs } = await lakeWith({ f: 'closed' });
    const { removed } = await collectStaging(lake, runs, { minAgeMs: 0, now: Date.now(), dryRun: true });
    expect(removed.map((r) => r.runId)).toEqual(['f']);
    expect(await listAll(lake, '_staging/')).toHaveLength(2);
  });
});
