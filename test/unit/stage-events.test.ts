import { planStage, stagePart } from '../../lake/steps/stage';
import { rawEvent, stepContext } from '../helpers/builders';
import { tempDir } from '../helpers/temp';

describe('stagePart on events', () => {
  const lake = tempDir('stage');

  it('stages a day of 200,000 plays, more than one call may take as arguments, and counts every line', async () => {
    const input = lake.store('input');
    const plays = 200_000;
    const start = Date.UTC(2018, 10, 1);
    const line = (i: number) =>
      JSON.stringify(rawEvent({ itemInSession: i, ts: start + i, userId: String(i % 50) }));
    const bad = 'not json';
    await input.put('log_data/2018/11/2018-11-01-events.json', `${Array.from({ length: plays }, (_, i) => line(i)).join('\n')}\n${bad}\n`);

    const ctx = stepContext(input, lake.store('output'), { ioConcurrency: 4 });
    await planStage(ctx, 'events');
    const result = await stagePart(ctx, 'events', 0);
    expect(result.records).toBe(plays);
    expect(result.quarantined).toEqual({ 'invalid-json': 1 });
  });
});
