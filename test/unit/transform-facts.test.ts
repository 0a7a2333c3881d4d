import { generateDataset } from '../../lake/generate/generate';
import type { StepContext } from '../../lake/steps/context';
import { planStage, stagePart } from '../../lake/steps/stage';
import { transformDimensions } from '../../lake/steps/transform-dimensions';
import { transformFacts } from '../../lake/steps/transform-facts';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import { NOV_2018, stepContext, TempLake } from '../helpers/builders';
import { FailingStore } from '../helpers/failing-store';
import { contentHashes } from '../helpers/observe';

describe('transformFacts', () => {
  const tmp = new TempLake('facts');
  const input = tmp.store('input');
  beforeAll(() => generateDataset(input, { songs: 300, users: 25, events: 6_000, from: NOV_2018, months: 1, seed: 8 }));
  afterAll(() => tmp.remove());

  async function staged(dir: string): Promise<StepContext> {
    const ctx = stepContext(input, tmp.store(dir));
    for (const source of ['songs', 'events'] as const) {
      const { parts } = await planStage(ctx, source);
      for (let part = 0; part < parts; part++) await stagePart(ctx, source, part);
    }
    await transformDimensions(ctx);
    return ctx;
  }

  const encoded = (store: ObjectStore) => contentHashes(store, '_staging/wf/run/tables/');

  it('a call that crashed after some segments, retried with its checkpoint, stages the same bytes as one uninterrupted call', async () => {
    const clean = await staged('clean');
    const result = await transformFacts(clean);
    expect(result.songplays).toBeGreaterThan(1000);
    const expected = await encoded(clean.output);
    // 30 days of logs: four segments of songplays and of start times, one assembled songplays file, one time file.
    expect(Object.keys(expected).filter((k) => k.includes('/segments/'))).toHaveLength(8);

    const crashed = await staged('crashed');
    // Fails on the sixth write: after two whole segments (two writes each) and their checkpoints.
    const crashing = { ...crashed, output: new FailingStore(tmp.path('crashed'), 6) };
    let checkpoint: unknown;
    await expect(transformFacts({ ...crashing, progress: { report: (d) => (checkpoint = structuredClone(d)), resumeFrom: () => undefined } })).rejects.toThrow(
      'simulated crash',
    );
    expect(checkpoint).toMatchObject({ segments: 2 });
    // Proof the retry starts after the checkpoint: the two segments' staged events are emptied, and it never reads them.
    const events = (await listAll(crashed.output, crashed.staging.stagedPrefix('events'))).map((o) => o.key);
    for (const key of events.slice(0, 16)) await crashed.output.put(key, '');

    const resumed = await transformFacts({ ...crashed, progress: { report: () => undefined, resumeFrom: <T>() => checkpoint as T } });
    expect(resumed).toEqual(result);
    expect(await encoded(crashed.output)).toEqual(expected);
  });
});
