import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StagingArea } from '../../lake/layout';
import type { StepContext } from '../../lake/steps/context';
import { planStage, stagePart } from '../../lake/steps/stage';
import { LocalStore } from '../../lake/storage/local-store';

describe('stagePart on events', () => {
  let root: string;
  beforeAll(() => (root = mkdtempSync(path.join(tmpdir(), 'sparkify-stage-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('stages a day of 200,000 plays, more than one call may take as arguments, and counts every line', async () => {
    const input = new LocalStore(path.join(root, 'input'));
    const plays = 200_000;
    const start = Date.UTC(2018, 10, 1);
    const line = (i: number) =>
      JSON.stringify({ artist: 'A', firstName: 'F', gender: 'F', itemInSession: i, lastName: 'L', length: 200.5, level: 'free', location: null, page: 'NextSong', sessionId: 1, song: 'S', ts: start + i, userAgent: null, userId: String(i % 50) });
    const bad = 'not json';
    await input.put('log_data/2018/11/2018-11-01-events.json', `${Array.from({ length: plays }, (_, i) => line(i)).join('\n')}\n${bad}\n`);

    const ctx: StepContext = {
      input,
      output: new LocalStore(path.join(root, 'output')),
      month: { year: 2018, month: 11 },
      staging: new StagingArea('wf', 'run'),
      workflowId: 'wf',
      runId: 'run',
      progress: { report: () => undefined, resumeFrom: () => undefined },
      ioConcurrency: 4,
    };
    await planStage(ctx, 'events');
    const result = await stagePart(ctx, 'events', 0);
    expect(result.records).toBe(plays);
    expect(result.quarantined).toEqual({ 'invalid-json': 1 });
  });
});
