import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { S3Store, createS3Client } from '../../lake/storage/s3-store';
import { listAll } from '../../lake/storage/object-store';
import { permanentFailure } from '../../lake/failure-class';
import { withEnv } from '../helpers/env';
import { createBucket, describeWithServers, testConfig } from '../helpers/servers';

/**
 * A proxy in front of MinIO that spoils the first `faults` requests it sees (a reset connection, or a throttling
 * answer as S3 gives under load) and forwards every other one unchanged, Host header included, so signatures hold.
 */
async function faultyProxy(target: string, fault: 'reset' | 'slowdown', faults: number) {
  const to = new URL(target);
  const seen = { requests: 0, spoiled: 0, headers: [] as http.IncomingHttpHeaders[] };
  const server = http.createServer((req, res) => {
    seen.requests++;
    seen.headers.push(req.headers);
    if (seen.spoiled < faults) {
      seen.spoiled++;
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describeWithServers('small GETs and PUTs signed without the SDK stack, against MinIO', () => {
  const config = testConfig('s3-signed');
  let bucket: string;
  beforeAll(async () => {
    bucket = await createBucket(config, 'sparkify-signed');
  });

  it('round-trips keys S3 escapes (=, spaces, non-ASCII, !*\'()+&%) byte for byte, and lists them as put', async () => {
    const store = new S3Store(createS3Client(config.s3), bucket, 'lake/');
    const keys = [
      "songs/year=2018/artist_id=AR (live)!*'/part-00000.snappy.parquet",
      'songs/year=0/artist_id=Björk & Sigur Rós+%20/x y.parquet',
      'artists/日本語/a.parquet',
    ];
    const bodies = keys.map(() => randomBytes(2000));
    for (const [i, key] of keys.entries()) await store.put(key, bodies[i]);
    for (const [i, key] of keys.entries()) expect((await store.get(key)).equals(bodies[i])).toBe(true);
    expect((await listAll(store, '')).map((o) => o.key).sort()).toEqual([...keys].sort());
  });

  it('sends small PUTs signed directly, and through the SDK (with its CRC32) when the settings ask for checksums', async () => {
    const sent = async (env: Record<string, string>) => {
      const proxy = await faultyProxy(config.s3.endpoint!, 'reset', 0);
      try {
        return await withEnv(env, async () => {
          const store = new S3Store(createS3Client({ ...config.s3, endpoint: proxy.endpoint }), bucket, 'paths/');
          await store.put('a.parquet', Buffer.from('checked'));
          expect((await store.get('a.parquet')).toString()).toBe('checked');
          return proxy.seen.headers[0];
        });
      } finally {
        await proxy.close();
      }
    };
    const direct = await sent({});
    expect(direct['amz-sdk-invocation-id']).toBeUndefined();
    expect(Object.keys(direct).filter((h) => h.startsWith('x-amz-checksum-'))).toEqual([]);
    const checked = await sent({ AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_SUPPORTED' });
    expect(checked['amz-sdk-invocation-id']).toBeDefined();
    expect(Object.keys(checked).some((h) => h.startsWith('x-amz-checksum-') || h === 'x-amz-trailer')).toBe(true);
  });

  it('names a missing key NoSuchKey, as the SDK does, so getIfExists answers undefined', async () => {
    const store = new S3Store(createS3Client(config.s3), bucket, 'missing/');
    await expect(store.get('nothing-here')).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    expect(await store.getIfExists('nothing-here')).toBeUndefined();
  });

  it.each(['reset', 'slowdown'] as const)('retries a %s and then succeeds, byte for byte', async (fault) => {
    const proxy = await faultyProxy(config.s3.endpoint!, fault, 2);
    try {
      const store = new S3Store(createS3Client({ ...config.s3, endpoint: proxy.endpoint }), bucket, `retry-${fault}/`);
      const body = randomBytes(3000);
      await store.put('a.parquet', body);
      expect(proxy.seen.spoiled).toBe(2);
      expect(proxy.seen.requests).toBe(3);
      expect((await store.get('a.parquet')).equals(body)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after AWS_MAX_ATTEMPTS tries of a fault that does not pass', async () => {
    const proxy = await faultyProxy(config.s3.endpoint!, 'slowdown', 1000);
    try {
      await withEnv({ AWS_MAX_ATTEMPTS: '3' }, async () => {
        const store = new S3Store(createS3Client({ ...config.s3, endpoint: proxy.endpoint }), bucket, 'give-up/');
        await expect(store.put('a.parquet', Buffer.from('x'))).rejects.toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
      });
      expect(proxy.seen.requests).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('fails a wrong secret at the first answer, as a permanent failure naming the refusal', async () => {
    const proxy = await faultyProxy(config.s3.endpoint!, 'reset', 0);
    try {
      const store = new S3Store(createS3Client({ ...config.s3, endpoint: proxy.endpoint, accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: 'not-the-secret' }), bucket, 'denied/');
      const err = await store.put('a.parquet', Buffer.from('x')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
      expect(proxy.seen.requests).toBe(1);
      expect(permanentFailure(err, { attempt: 1, sinceFirstScheduledMs: 0 })?.message).toContain('SignatureDoesNotMatch');
    } finally {
      await proxy.close();
    }
  });
});
