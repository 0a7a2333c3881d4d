import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp';

const ROOT = path.resolve(__dirname, '..', '..');
const HISTORIES = path.join(ROOT, 'test', 'replay', 'histories');
const CLI = path.join(ROOT, 'bin', 'sparkify.js');

/** Node in a process of its own (Jest's module registry splits the SDK's protobufs): its exit code and output. */
async function node(args: string[]): Promise<{ code: number; out: string }> {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build (npm test does)');
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT });
    return { code: 0, out: stdout };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: `${failed.stdout}${failed.stderr}` };
  }
}

/** `sparkify replay` as an operator runs it. */
const replay = (files: string[]) => node([CLI, 'replay', ...files]);

/** replayHistories against another workflows module than this build's. */
const replayAgainst = (workflowsPath: string, files: string[]) =>
  node(['-e', `require(${JSON.stringify(path.join(ROOT, 'dist', 'cli', 'replay'))}).replayHistories(${JSON.stringify(files)}, ${JSON.stringify(workflowsPath)}).then((n) => process.exit(n === 0 ? 0 : 1))`]);

/**
 * Every recorded history (one per workflow type and DAG shape, `npm run record:histories`) replays against the
 * current workflow code: a rolling deploy of this build can take over open runs.
 */
describe('recorded histories replay against the current workflows', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(HISTORIES, f));
  const tmp = tempDir('replay');

  it('has a history of every workflow type, and of a run that failed', () => {
    const types = new Set(files.map((f) => JSON.parse(readFileSync(f, 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name));
    expect([...types].sort()).toEqual(['sparkifyBackfill', 'sparkifyEtl', 'sparkifyScheduledRun']);
    for (const failed of ['sparkify-etl-audit-failed.json', 'sparkify-backfill-month-failed.json', 'sparkify-scheduled-run-failed.json']) {
      expect(files.map((f) => path.basename(f))).toContain(failed);
    }
  });

  it('replays every history', async () => {
    const { code, out } = await replay(files);
    expect(out.trim().split('\n').sort()).toEqual(files.map((f) => `ok   ${path.basename(f)}`).sort());
    expect(code).toBe(0);
  });

  it('fails a recorded run against a deliberately incompatible build: publish no longer waiting for the audits', async () => {
    const completed = files.find((f) => f.endsWith('sparkify-etl-completed.json'))!;
    const { code, out } = await replayAgainst(path.join(ROOT, 'test', 'fixtures', 'altered-sparkify-etl.ts'), [completed]);
    expect(out).toMatch(/FAIL sparkify-etl-completed\.json: DeterminismViolationError: .*[Nn]ondeterminism/);
    expect(code).toBe(1);
  });

  it('fails a history the current code would not have written: a DAG whose audit task once ran another activity', async () => {
    const changed = tmp.path('changed-dag.json');
    writeFileSync(changed, readFileSync(files.find((f) => f.endsWith('sparkify-etl-completed.json'))!, 'utf8').replace(/"name": "audit"/g, '"name": "auditPartitions"'));
    const { code, out } = await replay([changed]);
    expect(out).toMatch(/FAIL changed-dag\.json: .*[Nn]ondeterminism/);
    expect(code).toBe(1);
  });
});
