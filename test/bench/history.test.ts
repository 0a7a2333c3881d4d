/**
 * A smoke run of `bench/history.ts` at the small scale over two months: the history benchmark runs the first month,
 * fills the next one through a backfill and runs the first again, and its JSON says what publish merged each time.
 * Needs the servers `npm test` starts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describeWithServers } from '../helpers/servers';

jest.setTimeout(10 * 60_000);

const ROOT = path.resolve(__dirname, '..', '..');

describeWithServers('bench:history smoke run', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'sparkify-history-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('runs the first month, a backfilled second, the first again, and reports the history publish merged', async () => {
    const json = path.join(work, 'history.json');
    const args = ['dist/bench/history.js', '--scale', 'small', '--months', '2', '--workers', '1', '--work', work, '--json', json];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.months).toBe(2);
    expect(result.runs.map((r: { user_state_months: number }) => r.user_state_months)).toEqual([1, 2]);
    const [first, again] = result.runs;
    // The small set's 300 users all play in its month; the filler month's states come on top.
    expect(first.user_states).toBe(300);
    expect(again.user_states).toBeGreaterThan(300);
    expect(first.steps.publish).toBeGreaterThan(0);
    expect(result.ratio).toBeCloseTo(again.wall_s / first.wall_s, 5);
    expect(stdout).toMatch(/with 2 months of history: \d+\.\d\d× the first month's time/);
  });
});
