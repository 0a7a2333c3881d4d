import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMonth } from '../../client/run-month';
import { generateDataset } from '../../lake/generate/generate';
import { LocalStore } from '../../lake/storage/local-store';
import { causeChain } from '../helpers/observe';
import { createBucket, describeWithServers, startHarness, testConfig, uniqueName, type HarnessOptions } from '../helpers/servers';

/** A permanent failure must end the run this soon after it starts, retries and the discard of its staging included. */
const FAIL_WITHIN_MS = 30_000;
/** A regression retries for five minutes; the test gives up long before that. */
const TEST_TIMEOUT_MS = 120_000;

/**
 * Runs November 2018 on a worker of its own with `options`, expecting it to fail; the time is from the run's start,
 * the worker's start left out. Returns what it failed with, how long it took and the highest attempt of any step.
 */
async function failingRun(label: string, options: HarnessOptions, input: string, output: string): Promise<{ chain: string; ms: number; attempts: number }> {
  const h = await startHarness(options);
  try {
    const workflowId = uniqueName(`sparkify-${label}`);
    const started = Date.now();
    const failure = await runMonth(h.client, h.config, { year: 2018, month: 11, input, output }, workflowId).then(
      () => undefined,
      (e: unknown) => e,
    );
    const ms = Date.now() - started;
    console.log(`${label}: the run failed after ${(ms / 1000).toFixed(1)} s`);
    expect(failure).toBeDefined();
    const handle = h.client.workflow.getHandle(workflowId);
    expect((await handle.describe()).status.name).toBe('FAILED');
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
    return { chain: causeChain(failure), ms, attempts: Math.max(...attempts) };
  } finally {
    await h.stop();
  }
}

describeWithServers('permanent failures on a real run', () => {
  it('fails in seconds, without retries, when the S3 client finds no credentials anywhere', async () => {
    const base = testConfig('unused');
    const input = `s3://${await createBucket(base, 'sparkify-nocreds-in')}/`;
    const output = `s3://${await createBucket(base, 'sparkify-nocreds-out')}/`;
    // The SDK's chain also reads the environment, the shared files and the instance metadata service: none may answer.
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_') && name !== 'AWS_REGION') delete process.env[name];
    Object.assign(process.env, {
      AWS_SHARED_CREDENTIALS_FILE: path.join(os.tmpdir(), uniqueName('no-credentials')),
      AWS_CONFIG_FILE: path.join(os.tmpdir(), uniqueName('no-config')),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    try {
      const { region, endpoint } = base.s3;
      const { chain, ms, attempts } = await failingRun('no-credentials', { config: { s3: { region, endpoint } } }, input, output);
      expect(chain).toContain(`No AWS credentials were found for object storage at ${endpoint}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
      expect(chain).not.toContain(saved.AWS_SECRET_ACCESS_KEY);
      expect(attempts).toBe(1);
      expect(ms).toBeLessThan(FAIL_WITHIN_MS);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  }, TEST_TIMEOUT_MS);

  it('retries an S3 endpoint whose host does not resolve for a bounded time, then fails naming the host', async () => {
    const endpoint = 'http://no-such-host.invalid:9000';
    const config = testConfig('unused');
    const { chain, ms, attempts } = await failingRun('unresolvable', { config: { s3: { ...config.s3, endpoint } } }, 's3://sparkify-in/', 's3://sparkify-out/');
    expect(chain).toMatch(/The object storage host no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN) on 3 attempts over \d+ s\): check S3_ENDPOINT \(now http:\/\/no-such-host\.invalid:9000\)/);
    expect(attempts).toBe(3);
    expect(ms).toBeLessThan(FAIL_WITHIN_MS);
  }, TEST_TIMEOUT_MS);

  describe('on a full disk', () => {
    let disk: string | undefined;
    let work: string;
    beforeAll(() => {
      work = mkdtempSync(path.join(os.tmpdir(), 'sparkify-full-disk-'));
      const dir = path.join(work, 'lake');
      execFileSync('mkdir', ['-p', dir]);
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'pipe' });
        disk = dir;
      } catch (err) {
        console.warn(`Skipping the full-disk test: cannot mount a 4 MiB tmpfs (${(err as Error).message.split('\n')[0]}); it needs root`);
      }
    });
    afterAll(() => {
      if (disk) execFileSync('umount', [disk]);
      rmSync(work, { recursive: true, force: true });
    });

    it('fails in seconds naming the full disk, nothing half-written left in the lake', async () => {
      if (!disk) return;
      const inputDir = path.join(work, 'input');
      // About 10 MB of staged events: more than the 4 MiB disk holds.
      await generateDataset(new LocalStore(inputDir), { songs: 200, users: 50, events: 40_000, from: { year: 2018, month: 11 }, months: 1, seed: 3 });
      const { chain, ms, attempts } = await failingRun('full-disk', {}, inputDir, disk);
      expect(chain).toMatch(new RegExp(`The disk holding ${disk}/\\S+ is full \\(ENOSPC\\): free space there, or point \\[LAKE\\] OUTPUT`));
      expect(attempts).toBe(1);
      expect(ms).toBeLessThan(FAIL_WITHIN_MS);
      // The run claimed the folder as a lake and staged into it; its staging is discarded and no table, quarantine
      // or temporary file is left.
      const files = readdirSync(disk, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(disk!, path.join(e.parentPath, e.name)));
      console.log(`full-disk: left in the lake: ${JSON.stringify(files)}`);
      expect(files).toEqual(['_state/lake.json']);
    }, TEST_TIMEOUT_MS);
  });
});
