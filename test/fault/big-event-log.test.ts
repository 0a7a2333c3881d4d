import { NOV_2018, stepContext } from '../helpers/builders';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planStage, stagePart } from '../../lake/steps/stage';
import { LocalStore } from '../../lake/storage/local-store';
import { withPeakRss, writeBigLog } from '../helpers/big-log';

const GIB = 1024 * 1024 * 1024;

/**
 * A log of 1 GiB: more than a Node string may hold (~512 MiB), so reading it whole could never work. Staging it
 * must work, and in memory that does not grow with it. Run by `npm run test:fault`; it writes 2 GiB to the temp dir.
 */
describe('a 1 GiB event log', () => {
  let root: string;
  beforeAll(() => (root = mkdtempSync(path.join(tmpdir(), 'sparkify-fault-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('stages with the process\'s RSS under 600 MB, a line over the 64 MiB limit quarantined on the way', async () => {
    const dir = path.join(root, 'input', 'log_data', '2018', '11');
    mkdirSync(dir, { recursive: true });
    const { plays, longLines } = await writeBigLog(path.join(dir, '2018-11-15-events.json'), GIB, {
      longLineAt: 300 * 1024 * 1024,
      longLineBytes: 65 * 1024 * 1024,
    });
    const ctx = stepContext(new LocalStore(path.join(root, 'input')), new LocalStore(path.join(root, 'output')), { month: NOV_2018, ioConcurrency: 4 });
    await planStage(ctx, 'events');
    const { result, peakRss } = await withPeakRss(() => stagePart(ctx, 'events', 0));
    expect(result.bytesRead).toBeGreaterThanOrEqual(GIB);
    expect(result.records).toBe(plays);
    expect(result.quarantined).toEqual({ 'line-too-long': longLines });
    expect(longLines).toBe(1);
    expect(peakRss).toBeLessThan(600 * 1000 * 1000);
  });
});
