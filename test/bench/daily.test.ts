/**
 * A smoke run of `bench/daily.ts` on the small month with a small catalogue: the first 27 days into an empty lake,
 * the daily run with the 28th added, the 28 days into another empty lake; the daily run's lake must be the full
 * run's, file by file. Needs the servers `npm test` starts.
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
    const args = ['dist/bench/daily.js', '--scale', 'small', '--songs', '300', '--workers', '1', '--work', work.root, '--json', json];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.scale).toBe('small-songs-300');
    expect(result.same_lake).toBe(true);
    const [first, daily, full] = result.runs;
    expect(result.daily_s).toBe(daily.wall_s);
    expect(result.full_s).toBe(full.wall_s);
    // Both empty-lake runs read every song file; the daily run finds every song file in the song cache.
    expect(first.objects_read).toBe(300 + 27);
    expect(full.objects_read).toBe(300 + 28);
    // The daily run reads the new day's log alone: the 27 others are kept in the lake with their ETags.
    expect(daily.objects_read).toBe(1);
    expect(stdout).toMatch(/daily run: \d+\.\d\d× the full month's; its lake against the full run's: identical/);
  });
});
