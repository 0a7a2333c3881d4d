import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { StoreFactory } from '../../lake/storage/location';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import { createBucket, describeWithServers, testConfig } from '../helpers/servers';

describeWithServers('S3Store against MinIO', () => {
  let store: ObjectStore;
  let dir: string;
  beforeAll(async () => {
    const config = testConfig('s3-store');
    store = new StoreFactory(config.s3).open(`s3://${await createBucket(config, 'sparkify-store')}/lake/`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'sparkify-s3-store-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('puts a small local file in one request and a large one in parts, byte for byte', async () => {
    const small = path.join(dir, 'small');
    const large = path.join(dir, 'large');
    const smallBytes = randomBytes(1000);
    // Above the multipart threshold (16 MiB) and not a whole number of 8 MiB parts.
    const largeBytes = randomBytes(21 * 1024 * 1024 + 123);
    writeFileSync(small, smallBytes);
    writeFileSync(large, largeBytes);
    await store.putFile('songplays/year=2018/month=11/small.parquet', small);
    await store.putFile('songplays/year=2018/month=11/large.parquet', large);
    expect((await store.get('songplays/year=2018/month=11/small.parquet')).equals(smallBytes)).toBe(true);
    expect((await store.get('songplays/year=2018/month=11/large.parquet')).equals(largeBytes)).toBe(true);
  });

  it('copies inside the bucket over an existing object, keys with "=", spaces and non-ASCII included', async () => {
    const from = '_staging/wf/tables/time/encoded/year=2018/month=11/Björk & Sigur Rós.parquet';
    await store.put(from, 'encoded partition');
    await store.put('time/year=2018/month=11/part-00000.snappy.parquet', 'previous run');
    await store.copy(from, 'time/year=2018/month=11/part-00000.snappy.parquet');
    expect((await store.get('time/year=2018/month=11/part-00000.snappy.parquet')).toString()).toBe('encoded partition');
    expect((await store.get(from)).toString()).toBe('encoded partition');
  });

  it('fails a copy from a missing key and leaves the target as it was', async () => {
    await store.put('users/part-00000.snappy.parquet', 'kept');
    await expect(store.copy('_staging/none', 'users/part-00000.snappy.parquet')).rejects.toThrow();
    expect((await store.get('users/part-00000.snappy.parquet')).toString()).toBe('kept');
    expect((await listAll(store, 'users/')).map((o) => o.key)).toEqual(['users/part-00000.snappy.parquet']);
  });

  it('streams an object in chunks, byte for byte, and fails to open a missing one before any byte', async () => {
    const bytes = randomBytes(5 * 1024 * 1024 + 17);
    await store.put('log_data/2018/11/big-events.json', bytes);
    const chunks: Buffer[] = [];
    for await (const chunk of await store.getStream('log_data/2018/11/big-events.json')) chunks.push(chunk as Buffer);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(bytes.length);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    await expect(store.getStream('log_data/2018/11/missing.json')).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
  it('promotes a staged tree of listed objects only, and deletes a prefix whole but nothing beside it', async () => {
    const staging = '_staging/tree/run/tables/songs/encoded/';
    const rels = ['year=2000/artist_id=AR1/part-00000.snappy.parquet', 'year=2001/artist_id=AR2/part-00000.snappy.parquet'];
    for (const rel of rels) await store.put(`${staging}${rel}`, `new ${rel}`);
    await store.put(`${staging}year=2000/artist_id=AR1/unlisted.parquet`, 'not named');
    await store.put('_staging/tree/other/keep.json', '{}');
    await store.promoteTree(staging, 'songs/', rels, 4);
    for (const rel of rels) expect((await store.get(`songs/${rel}`)).toString()).toBe(`new ${rel}`);
    expect((await listAll(store, 'songs/')).map((o) => o.key)).toEqual(rels.map((r) => `songs/${r}`));
    await store.deletePrefix('_staging/tree/run/');
    expect((await listAll(store, '_staging/tree/')).map((o) => o.key)).toEqual(['_staging/tree/other/keep.json']);
  });
});
