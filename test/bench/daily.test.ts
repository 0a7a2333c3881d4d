/**
 * A smoke run of `bench/daily.ts` on the small month with a small catalogue: the first 27 days into an empty lake,
 * then two rounds of the daily run with the 28th added (each from a copy of that lake) and the 28 days into another
 * empty lake; every daily run's lake must be its full run's, file by file. Needs the servers `npm test` starts.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describeWithServers } from '../helpers/servers';
import { tempDir } from '../helpers/temp';

jest.setTimeout(10 * 60_000);

const ROOT = path.resolve(__dirname, '..', '..');

describeWithServers('bench:daily smoke run', () => {
  const work = tempDir('daily');

  it('times the daily run against the full month and finds the same lake', async () => {
    const json = work.path('daily.json');
    const args = ['dist/bench/daily.js', '--scale', 'small', '--songs', '300', '--workers', '1', '--rounds', '2', '--work', work.root, '--json', json];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.scale).toBe('small-songs-300');
    expect(result.same_lake).toBe(true);
    const [first, daily1, full1, daily2, full2] = result.runs;
    expect(result.runs).toHaveLength(5);
    expect(result.daily_s).toBeCloseTo((daily1.wall_s + daily2.wall_s) / 2, 6);
    expect(result.full_s).toBeCloseTo((full1.wall_s + full2.wall_s) / 2, 6);
    // The empty-lake runs read every song file; the daily runs take the song catalogue as kept.
    expect([first, full1, full2].map((r) => r.objects_read)).toEqual([300 + 27, 300 + 28, 300 + 28]);
    // Each daily run reads the new day's log alone: the 27 others are kept in the lake with their ETags.
    expect([daily1, daily2].map((r) => r.objects_read)).toEqual([1, 1]);
    expect(stdout).toMatch(/daily run \(median of 2\): \d+\.\d\d× the full month's/);
    expect(stdout).toMatch(/round 1: the daily run's lake against the full run's: identical/);
    expect(stdout).toMatch(/round 2: the daily run's lake against the full run's: identical/);
  });
});
