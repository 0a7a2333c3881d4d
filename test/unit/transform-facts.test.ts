import { generateDataset } from '../../lake/generate/generate';
import type { StepContext } from '../../lake/steps/context';
import { planStage, stagePart } from '../../lake/steps/stage';
import { transformDimensions } from '../../lake/steps/transform-dimensions';
import { factsSegment, finishFacts, planFacts, transformFacts } from '../../lake/steps/transform-facts';
import type { ObjectStore } from '../../lake/storage/object-store';
import { NOV_2018, stepContext } from '../helpers/builders';
import { tempDir } from '../helpers/temp';
import { FailingStore } from '../helpers/failing-store';
import { contentHashes } from '../helpers/observe';

describe('transformFacts', () => {
  const tmp = tempDir('facts');
  const input = tmp.store('input');
  beforeAll(() => generateDataset(input, { songs: 300, users: 25, events: 6_000, from: NOV_2018, months: 1, seed: 8 }));

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

  it('parts run in any order, a failed part retried alone, stage the same bytes as one process running them in order', async () => {
    const clean = await staged('clean');
    const result = await transformFacts(clean);
    expect(result.songplays).toBeGreaterThan(1000);
    const expected = await encoded(clean.output);
    // 30 days of logs, each encoded on its own (songplays row groups, time rows and start times), in fifteen segments of two.
    expect(Object.keys(expected).filter((k) => k.includes('/files/'))).toHaveLength(90);

    const shared = await staged('shared');
    const { parts } = await planFacts(shared);
    expect(parts).toBe(15);
    // A worker dies in part 2 after its first write; its retry, on whatever worker, redoes that segment alone.
    const dying = { ...shared, output: new FailingStore(tmp.path('shared'), 2) };
    await expect(factsSegment(dying, 2)).rejects.toThrow('simulated crash');
    for (let segment = 14; segment >= 0; segment--) await factsSegment(shared, segment);
    expect(await finishFacts(shared)).toEqual(result);
    expect(await encoded(shared.output)).toEqual(expected);
  });

  it('a finish before every part is staged fails, naming how many are', async () => {
    const early = await staged('early');
    await planFacts(early);
    await factsSegment(early, 0);
    await expect(finishFacts(early)).rejects.toThrow('transform-facts has 1 of 15 segments staged');
  });
});
