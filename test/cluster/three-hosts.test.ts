import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { loadSettings, temporalConnectionOptions } from '../../client/temporal-connection';
import { withCredentialsOf, type LakeConfig } from '../../lake/config';
import { StoreFactory } from '../../lake/storage/location';
import { createS3Client } from '../../lake/storage/s3-store';
import { snapshotLake } from '../helpers/lake-snapshot';
import { SAMPLE_DIR, hasSample } from '../helpers/sample';
import { chaosPassed, formatChaos, runChaos } from '../../bench/chaos';
import { REPO_ROOT, TestCluster, describeWithCluster, groupAlive } from '../helpers/cluster';

const FIGURES = { songs: 71, artists: 69, users: 96, time: 6813, songplays: 6820 };
const HOSTS = ['node1', 'node2', 'node3'];

(hasSample ? describeWithCluster : describe.skip)('three hosts in network namespaces: Temporal on PostgreSQL with mutual TLS, MinIO, a worker per host', () => {
  if (!hasSample) console.warn(`Skipping the three-host cluster: ${SAMPLE_DIR} is absent`);
  let cluster: TestCluster;
  let config: LakeConfig;
  let connection: Connection | undefined;
  let client: Client;
  let s3: S3Client;
  let groups: number[] = [];

  beforeAll(() => {
    cluster = new TestCluster();
    cluster.script(['up']);
    groups = cluster.recordedGroups();
    cluster.script(['load', SAMPLE_DIR]);
    // The settings this machine's shell has after `eval "$(bash infra/cluster.sh env)"`, read as `sparkify` reads them.
    config = withCredentialsOf(loadSettings({ env: cluster.shellEnv(), cwd: cluster.dir }), cluster.shellEnv());
    s3 = createS3Client(config.s3);
  }, 15 * 60_000);

  afterAll(async () => {
    await connection?.close();
    cluster?.script(['down']);
  }, 5 * 60_000);

  it('sparkify run, from this machine with the env the script prints, loads the month on the three workers', async () => {
    const run = spawnSync('node', [path.join(REPO_ROOT, 'bin', 'sparkify.js'), 'run', '--year', '2018', '--month', '11', '--json'], {
      cwd: cluster.dir,
      env: cluster.shellEnv(),
      encoding: 'utf8',
      timeout: 10 * 60_000,
    });
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const report = JSON.parse(run.stdout) as { tables: Record<string, number>; workflowId: string; runId: string };
    expect(report.tables).toEqual(FIGURES);

    // The lake, read back by DuckDB through the workers' own MinIO user.
    const snapshot = await snapshotLake(new StoreFactory(config.s3).open('s3://sparkify-lake/'));
    expect(snapshot.counts).toEqual(FIGURES);

    connection = await Connection.connect(temporalConnectionOptions(config.temporal));
    client = new Client({ connection, namespace: config.temporal.namespace });
    const history = await client.workflow.getHandle(report.workflowId, report.runId).fetchHistory();
    const identities = new Set((history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.identity).filter((i): i is string => Boolean(i)));
    expect([...identities].sort()).toEqual(HOSTS.map((h) => `sparkify-worker@${h}`));
  });

  it('the Temporal CLI reaches the cluster with the same environment', () => {
    const listed = spawnSync(process.env.TEMPORAL_CLI_PATH ?? 'temporal', ['workflow', 'list', '--query', 'SparkifyYear = 2018 AND SparkifyMonth = 11', '--output', 'json'], {
      env: cluster.shellEnv(),
      encoding: 'utf8',
    });
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ execution: expect.objectContaining({ workflowId: 'sparkify-etl-2018-11' }) })]);
  });

  it("the Web UI shows the run: its server reaches the frontend with the services host's certificate", async () => {
    const ui = cluster.shellEnv().TEMPORAL_UI_URL;
    expect(ui).toMatch(/^http:\/\/10\.213\./);
    const page = await fetch(`${ui}/`);
    expect(page.status).toBe(200);
    const listed = await fetch(`${ui}/api/v1/namespaces/default/workflows?query=${encodeURIComponent("WorkflowType = 'sparkifyEtl'")}`);
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain('sparkify-etl-2018-11');
  });

  it('refuses a client without a certificate, and one without TLS', async () => {
    const ca = readFileSync(config.temporal.tls?.serverCa && 'path' in config.temporal.tls.serverCa ? config.temporal.tls.serverCa.path : '');
    const attempts = [
      { address: config.temporal.address, tls: { serverRootCACertificate: ca, serverNameOverride: config.temporal.tls?.serverName } },
      { address: config.temporal.address },
    ];
    for (const options of attempts) {
      const refused = await Connection.connect({ ...options, connectTimeout: 5000 }).then(
        async (c) => {
          // A TLS 1.3 server refuses the missing certificate after the handshake: the first call fails.
          try {
            await c.workflowService.getSystemInfo({});
            return false;
          } catch {
            return true;
          } finally {
            await c.close();
          }
        },
        () => true,
      );
      expect(refused).toBe(true);
    }
  });

  it('sparkify run without the client certificate stops at once, naming the settings to check', () => {
    const { TEMPORAL_TLS_CERT: _cert, TEMPORAL_TLS_KEY: _key, ...withoutCert } = cluster.shellEnv();
    const started = Date.now();
    const run = spawnSync('node', [path.join(REPO_ROOT, 'bin', 'sparkify.js'), 'run', '--year', '2018', '--month', '11', '--json'], { cwd: cluster.dir, env: withoutCert, encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`Temporal at ${config.temporal.address} accepts connections but refuses ours (TLS is on, without a client certificate)`);
    expect(run.stderr).toContain('TLS_CERT');
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("the workers' MinIO user reaches the input and lake buckets and no other", async () => {
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'sparkify-lake', MaxKeys: 1 }))).resolves.toBeDefined();
    const denied = { name: 'AccessDenied' };
    await expect(s3.send(new GetObjectCommand({ Bucket: 'sparkify-other', Key: 'private.txt' }))).rejects.toMatchObject(denied);
    await expect(s3.send(new PutObjectCommand({ Bucket: 'sparkify-other', Key: 'x.txt', Body: 'x' }))).rejects.toMatchObject(denied);
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'sparkify-other' }))).rejects.toMatchObject(denied);
    await expect(s3.send(new CreateBucketCommand({ Bucket: 'sparkify-mine' }))).rejects.toMatchObject(denied);
  });

  it('down removes every namespace, link, process and file it made', async () => {
    await connection?.close();
    connection = undefined;
    expect(groups.length).toBeGreaterThanOrEqual(7);
    cluster.script(['down']);
    expect(cluster.namespaces()).toEqual([]);
    expect(cluster.links()).toEqual([]);
    expect(groups.filter(groupAlive)).toEqual([]);
    expect(() => readFileSync(path.join(cluster.dir, 'state', 'netns'))).toThrow();
  });
});

/**
 * `npm run chaos`'s short version, in this file so that Jest never makes two clusters at once (its workers run files
 * side by side): a small month on the three hosts with the six faults in one run (a worker SIGKILLed, a link down
 * 10 s, MinIO, Temporal and PostgreSQL restarted, a rolling restart) and with 100 ms on every link where the kernel
 * can delay packets, each lake compared file by file with the same month's without faults.
 */
describeWithCluster('faults during a run on the three-host cluster', () => {
  it('finishes the month with the lake of a run without faults', async () => {
    const result = await runChaos({ scale: 'small', short: true, keep: false, log: (line) => console.log(`[chaos] ${line}`) });
    console.log(formatChaos(result));
    expect(result.runs.map((r) => r.id)).toEqual(['all', 'latency']);
    const all = result.runs[0];
    expect({ failed: all.failed, passed: chaosPassed(result) }).toEqual({ failed: undefined, passed: true });
    expect(all.diff?.files).toBeGreaterThan(5);
    // The first faults land while the month runs; later ones may find it finished on a fast machine.
    expect(all.faults[0].duringRun).toBe(true);
  }, 30 * 60_000);
});
