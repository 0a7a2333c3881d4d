/**
 * The benchmark's peers (bench/peers/: DuckDB SQL and the classic PySpark job) build the same five tables as the
 * pipeline on the same input: same row counts, same songplays matched to songs, same users.
 * Needs Python 3 and Java 17; the first run installs DuckDB and PySpark into .tools/bench-venv (a few minutes).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateDataset } from '../../lake/generate/generate';
import type { RunReport } from '../../lake/steps/publish';
import { LocalStore } from '../../lake/storage/local-store';
import { countRows, queryLake, table } from '../helpers/duckdb';
import { runStepsInProcess } from '../helpers/run-steps';
import { createBucket, download, haveServers, testConfig, upload } from '../helpers/servers';
import { StoreFactory } from '../../lake/storage/location';

jest.setTimeout(15 * 60_000);

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const PEERS = path.join(ROOT, 'bench', 'peers');
const TABLE_NAMES = ['songs', 'artists', 'users', 'time', 'songplays'] as const;
const YEAR = 2018;
const MONTH = 11;

interface PeerResult {
  system: string;
  engine: string;
  steps: Record<string, number>;
  rows: Record<string, number>;
}

const PEER_CASES = [
  { system: 'duckdb', script: 'duckdb_lake.py', steps: ['read_s', 'transform_write_s'], venv: '', engine: /^duckdb 1\.5\.6$/ },
  { system: 'pyspark', script: 'spark_lake.py', steps: ['startup_s', 'read_s', 'transform_write_s'], venv: '', engine: /^pyspark 3\.5\.8$/ },
  // Input and output in MinIO (infra/test-servers.sh), through DuckDB 1.4.4's httpfs installed from PyPI.
  { system: 'duckdb-s3', script: 'duckdb_lake.py', steps: ['read_s', 'transform_write_s'], venv: 'duckdb-s3', engine: /^duckdb 1\.4\.4$/ },
] as const;

let work: string;
let input: string;
let ours: string;
let report: RunReport;
const pythons = new Map<string, Promise<string>>();

async function setup(venv = ''): Promise<{ python: string; stderr: string; seconds: number }> {
  const started = Date.now();
  const { stdout, stderr } = await run('bash', [path.join(PEERS, 'setup.sh'), ...(venv ? [venv] : [])], { maxBuffer: 64 * 1024 * 1024 });
  const lines = stdout.trim().split('\n');
  return { python: lines[lines.length - 1], stderr, seconds: (Date.now() - started) / 1000 };
}

/** A venv's python, installed once per test file whichever test asks first. */
function peerPython(venv = ''): Promise<string> {
  if (!pythons.has(venv)) pythons.set(venv, setup(venv).then((r) => r.python));
  return pythons.get(venv)!;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'sparkify-peers-'));
  input = path.join(work, 'input');
  ours = path.join(work, 'ours');
  await generateDataset(new LocalStore(input), { songs: 200, users: 30, events: 3000, from: { year: YEAR, month: MONTH }, months: 1, seed: 3 });
  report = await runStepsInProcess(new LocalStore(input), new LocalStore(ours), YEAR, MONTH);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('setup.sh installs the pinned DuckDB and PySpark once, then only checks them', async () => {
  const first = await setup();
  expect(first.python).toBe(path.join(process.env.BENCH_VENV ?? path.join(ROOT, '.tools', 'bench-venv'), 'bin', 'python'));
  expect(existsSync(first.python)).toBe(true);
  if (!pythons.has('')) pythons.set('', Promise.resolve(first.python));

  const again = await setup();
  expect(again.python).toBe(first.python);
  expect(again.stderr).toMatch(/already in/);
  expect(again.seconds).toBeLessThan(10);

  const { stdout } = await run(first.python, ['-c', 'import duckdb, pyspark; print(duckdb.__version__, pyspark.__version__)']);
  expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+ \d+\.\d+\.\d+$/);
});

test('our run of the small data set has rows in every table and songplays matched to songs', () => {
  for (const name of TABLE_NAMES) expect(report.tables[name]).toBeGreaterThan(0);
  expect(report.songplaysWithSong).toBeGreaterThan(0);
  expect(report.songplaysWithSong).toBeLessThan(report.tables.songplays);
});

const describeS3 = haveServers ? describe : describe.skip;

describe.each(PEER_CASES)('$system peer', ({ system, script, steps, venv, engine }) => {
  let lake: string;
  let result: PeerResult;
  const describeIt = system === 'duckdb-s3' ? describeS3 : describe;

  describeIt('builds the star schema', () => {
    beforeAll(async () => {
      lake = path.join(work, `out-${system}`);
      let from = input;
      let to = lake;
      if (system === 'duckdb-s3') {
        const config = testConfig('peers');
        const stores = new StoreFactory(config.s3);
        from = `s3://${await createBucket(config, 'peer-in')}/`;
        to = `s3://${await createBucket(config, 'peer-out')}/`;
        await upload(input, stores.open(from));
      }
      const started = Date.now();
      const { stdout } = await run(
        await peerPython(venv),
        [path.join(PEERS, script), '--input', from, '--output', to, '--year', String(YEAR), '--month', String(MONTH)],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      result = JSON.parse(lines[0]) as PeerResult;
      console.log(`${system} peer: ${((Date.now() - started) / 1000).toFixed(1)} s wall, ${lines[0]}`);
      // What the bucket holds, read back by the same DuckDB checks as the local peers' folders; in `work`, which goes
      // with the file's other folders.
      if (system === 'duckdb-s3') await download(new StoreFactory(testConfig('peers').s3).open(to), lake);
    });

    test('prints one JSON line naming itself, its engine, its steps and its rows', () => {
      expect(result.system).toBe(system);
      expect(result.engine).toMatch(engine);
      expect(Object.keys(result.steps).sort()).toEqual([...steps].sort());
      for (const seconds of Object.values(result.steps)) expect(seconds).toBeGreaterThanOrEqual(0);
      expect(Object.keys(result.rows).sort()).toEqual([...TABLE_NAMES].sort());
    });

    test('writes as many rows as ours in all five tables, and says so', async () => {
      const written: Record<string, number> = {};
      for (const name of TABLE_NAMES) written[name] = await countRows(lake, name);
      expect(written).toEqual(report.tables);
      expect(result.rows).toEqual(report.tables);
    });

    test('matches as many songplays to songs as ours, to the same songs', async () => {
      const [row] = await queryLake<{ n: bigint }>(
        `select count(*) as n from read_parquet('${lake}/songplays/**/*.parquet', hive_partitioning = true) where song_id is not null`,
      );
      expect(Number(row.n)).toBe(report.songplaysWithSong);

      const matched = (dir: string) =>
        `select epoch_ms(start_time::timestamp) as ts, user_id, session_id, song_id, artist_id from ${table(dir, 'songplays')} where song_id is not null`;
      const [diff] = await queryLake<{ n: bigint }>(
        `select count(*) as n from ((${matched(lake)} except all ${matched(ours)}) union all (${matched(ours)} except all ${matched(lake)}))`,
      );
      expect(Number(diff.n)).toBe(0);
    });

    test('keeps the same latest state per user as ours', async () => {
      const users = (dir: string) =>
        queryLake<{ user_id: string; first_name: string | null; last_name: string | null; gender: string | null; level: string }>(
          `select user_id, first_name, last_name, gender, level from ${table(dir, 'users')} order by user_id`,
        );
      const theirs = await users(lake);
      const mine = await users(ours);
      expect(theirs.map((u) => [u.user_id, u.level])).toEqual(mine.map((u) => [u.user_id, u.level]));
      expect(theirs).toEqual(mine);
    });

    test('writes Hive partition folders like Spark partitionBy, partition columns only in the path', async () => {
      const columns = async (name: string) =>
        (await queryLake<{ name: string }>(`select name from parquet_schema('${lake}/${name}/**/*.parquet')`)).map((c) => c.name);
      expect(await columns('songs')).not.toContain('artist_id');
      expect(await columns('songplays')).not.toContain('month');
      const [partition] = await queryLake<{ n: bigint }>(
        `select count(*) as n from read_parquet('${lake}/time/year=${YEAR}/month=${MONTH}/*.parquet')`,
      );
      expect(Number(partition.n)).toBe(report.tables.time);
    });
  });
});
