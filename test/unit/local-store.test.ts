import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalStore } from '../../lake/storage/local-store';
import { listAll } from '../../lake/storage/object-store';
import { tempDir } from '../helpers/temp';
import { countLoopTurns } from '../helpers/loop-turns';

let root: string;
let store: LocalStore;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'sparkify-local-store-'));
  store = new LocalStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const keys = async (prefix = '') => (await listAll(store, prefix)).map((o) => o.key);

/** Every file and folder under the root, relative, including hidden ones. */
function tree(dir = root, rel = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? [`${r}/`, ...tree(path.join(dir, e.name), r)] : [r];
  });
}

describe('LocalStore', () => {
  it('lets the event loop turn during a long chain of small reads, which settle without it', async () => {
    for (let i = 0; i < 10; i++) await store.put(`small/${i}.json`, '{"song_id":"SO1"}');
    const loop = countLoopTurns();
    const started = performance.now();
    let reads = 0;
    // Reads chained by await alone, as a part's mapLimit over its objects chains them, until well past a slice.
    while (performance.now() - started < 200) {
      await store.get(`small/${reads % 10}.json`);
      reads++;
    }
    const turns = loop.stop();
    expect(reads).toBeGreaterThan(100);
    expect(turns).toBeGreaterThanOrEqual(5);
  });

  it('describes itself by its root', () => {
    expect(store.description).toBe(root);
  });

  it('puts and gets strings and buffers, creating folders, and overwrites', async () => {
    await store.put('a/b/c.json', '{"x":1}');
    await store.put('bin', Buffer.from([0, 1, 2, 255]));
    expect((await store.get('a/b/c.json')).toString('utf8')).toBe('{"x":1}');
    expect([...(await store.get('bin'))]).toEqual([0, 1, 2, 255]);
    await store.put('a/b/c.json', 'Björk');
    expect((await store.get('a/b/c.json')).toString('utf8')).toBe('Björk');
  });

  it('fails get for a missing key, and getIfExists returns undefined, also below a file', async () => {
    await store.put('file', 'x');
    await expect(store.get('missing')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await store.getIfExists('missing')).toBeUndefined();
    expect(await store.getIfExists('no/such/dir/key')).toBeUndefined();
    expect(await store.getIfExists('file/below')).toBeUndefined();
    expect((await store.getIfExists('file'))?.toString()).toBe('x');
  });

  it('lists every key in byte order with sizes, across folders', async () => {
    for (const key of ['b', 'a/z', 'a.txt', 'a/b/c', 'a-b', 'A', 'a/b/a']) await store.put(key, key.repeat(2));
    const listed = await listAll(store, '');
    // S3 order: "a-b" < "a.txt" < "a/…" because '-' < '.' < '/', and uppercase before lowercase.
    expect(listed.map((o) => o.key)).toEqual(['A', 'a-b', 'a.txt', 'a/b/a', 'a/b/c', 'a/z', 'b']);
    expect(listed.map((o) => o.size)).toEqual(listed.map((o) => o.key.length * 2));
  });

  it('filters by any prefix, not only by folder', async () => {
    for (const key of ['log/2018/1/a', 'log/2018/11/b', 'log/2018/11/c', 'log/2018/2/d', 'log/2019/1/e', 'song/x']) await store.put(key, '.');
    expect(await keys('log/2018/1')).toEqual(['log/2018/1/a', 'log/2018/11/b', 'log/2018/11/c']);
    expect(await keys('log/2018/1/')).toEqual(['log/2018/1/a']);
    expect(await keys('log/2018/11/')).toEqual(['log/2018/11/b', 'log/2018/11/c']);
    expect(await keys('log/')).toHaveLength(5);
    expect(await keys('lo')).toHaveLength(5);
    expect(await keys('log/2018/11/c')).toEqual(['log/2018/11/c']);
    expect(await keys('nothing/here/')).toEqual([]);
    expect(await keys('log/2018/3')).toEqual([]);
  });

  it('lists nothing for a root that does not exist yet', async () => {
    const absent = new LocalStore(path.join(root, 'not-yet'));
    expect(await listAll(absent, '')).toEqual([]);
    expect(await listAll(absent, 'a/b/')).toEqual([]);
  });

  it('changes the etag when the content changes', async () => {
    await store.put('k', 'one');
    const [first] = await listAll(store, 'k');
    await store.put('k', 'three');
    const [second] = await listAll(store, 'k');
    expect(second.etag).not.toBe(first.etag);
    expect(second.size).toBe(5);
  });

  it('leaves no temporary file behind after puts', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`p/${i % 3}/k${i}`, `v${i}`)));
    expect(tree().filter((f) => f.includes('.sparkify-tmp-'))).toEqual([]);
    expect(await keys('p/')).toHaveLength(20);
  });

  it('does not list files being written (temporary names)', async () => {
    await store.put('t/real', 'x');
    writeFileSync(path.join(root, 't', '.sparkify-tmp-0123456789ab'), 'half-written');
    writeFileSync(path.join(root, '.sparkify-tmp-cafebabecafe'), 'half-written');
    mkdirSync(path.join(root, '.sparkify-tmp-dir'));
    writeFileSync(path.join(root, '.sparkify-tmp-dir', 'inner'), 'x');
    expect(await keys('')).toEqual(['t/real']);
    expect(await keys('t/')).toEqual(['t/real']);
  });

  it('readers see the old or the new object whole, never a part, while a key is rewritten', async () => {
    const a = 'A'.repeat(1 << 20);
    const b = 'B'.repeat(1 << 19);
    await store.put('big', a);
    const reads: string[] = [];
    const writes = Array.from({ length: 10 }, (_, i) => store.put('big', i % 2 ? a : b));
    const readers = Array.from({ length: 30 }, async () => reads.push((await store.get('big')).toString()));
    await Promise.all([...writes, ...readers]);
    for (const r of reads) expect(r === a || r === b).toBe(true);
    expect(tree().filter((f) => f.includes('.sparkify-tmp-'))).toEqual([]);
  });

  // Small bodies are written synchronously, large ones through the thread pool: both paths clean up alike.
  it.each([
    ['a small', 'y'],
    ['a large', 'y'.repeat(1 << 20)],
  ])('removes its temporary file when a put of %s body fails', async (_, body) => {
    await store.put('dir/child', 'x');
    // "dir" is a folder: renaming a file onto it fails.
    await expect(store.put('dir', body)).rejects.toMatchObject({ code: 'EISDIR', dest: expect.stringMatching(/\/dir$/) });
    expect(tree()).toEqual(['dir/', 'dir/child']);
  });

  it('deletes keys and prunes the folders they leave empty, never the root', async () => {
    for (const key of ['t/year=2018/month=11/part', 't/year=2018/month=12/part', 't/_SUCCESS', 'other/x']) await store.put(key, '.');
    await store.deleteMany(['t/year=2018/month=11/part']);
    expect(tree()).toEqual(['other/', 'other/x', 't/', 't/_SUCCESS', 't/year=2018/', 't/year=2018/month=12/', 't/year=2018/month=12/part']);
    await store.deleteMany(['t/year=2018/month=12/part', 't/_SUCCESS', 'other/x']);
    expect(tree()).toEqual([]);
    expect(existsSync(root)).toBe(true);
    expect(await keys('')).toEqual([]);
  });

  it('ignores keys that do not exist when deleting', async () => {
    await store.put('keep/me', '.');
    await expect(store.deleteMany(['keep/not-me', 'nowhere/at/all'])).resolves.toBeUndefined();
    expect(await keys('')).toEqual(['keep/me']);
    await expect(store.deleteMany([])).resolves.toBeUndefined();
  });

  // Regression: fs.rm({ force: true }) ignores ENOENT but not ENOTDIR, so deleting a key below an existing object
  // ("keep/me/below" when "keep/me" is a file) failed, whereas S3 and getIfExists treat such a key as absent.
  it('treats a key below an existing object as absent when deleting', async () => {
    await store.put('keep/me', '.');
    await expect(store.deleteMany(['keep/me/below', 'keep/me/below/deeper'])).resolves.toBeUndefined();
    expect(await keys('')).toEqual(['keep/me']);
  });

  it('puts a local file and copies an object, whole, leaving no temporary file and the source unchanged', async () => {
    const outside = path.join(os.tmpdir(), `sparkify-putfile-${process.pid}`);
    writeFileSync(outside, Buffer.from([7, 8, 9]));
    try {
      await store.putFile('a/year=2018/file.parquet', outside);
      await store.put('b/old', 'previous content');
      await store.copy('a/year=2018/file.parquet', 'b/old');
      expect([...(await store.get('b/old'))]).toEqual([7, 8, 9]);
      expect([...(await store.get('a/year=2018/file.parquet'))]).toEqual([7, 8, 9]);
      expect(tree().filter((f) => f.includes('.sparkify-tmp-'))).toEqual([]);
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it('fails a copy from a missing key without touching the target', async () => {
    await store.put('target', 'kept');
    await expect(store.copy('missing', 'target')).rejects.toThrow(/ENOENT/);
    expect((await store.get('target')).toString()).toBe('kept');
    expect(tree()).toEqual(['target']);
  });

  // Regression: list() did not check its prefix as pathOf() checks keys, so list('../') walked the root's parent
  // folder and yielded files outside the store (keys such as '../sibling/secret').
  it('does not list files outside the root for a prefix starting with "../"', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'sparkify-local-store-parent-'));
    try {
      mkdirSync(path.join(parent, 'sibling'));
      writeFileSync(path.join(parent, 'sibling', 'secret'), 'not part of the store');
      const inner = new LocalStore(path.join(parent, 'store'));
      await inner.put('own', 'x');
      let listed: string[] = [];
      try {
        listed = (await listAll(inner, '../')).map((o) => o.key);
      } catch {
        listed = [];
      }
      expect(listed).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it.each(['../', 'a/../../', '/etc/', '../x'])('refuses to list the prefix %p that leaves the root', async (prefix) => {
    await store.put('own', 'x');
    await expect(keys(prefix)).rejects.toThrow(/escapes the store root/);
  });

  it.each(['../escape', 'a/../../escape', '/etc/passwd', '', '.'])('refuses the key %p that is not inside the root', async (key) => {
    // `get` throws synchronously here, `put` rejects: call both inside an async function to accept either.
    const attempt = (fn: () => Promise<unknown>) => (async () => fn())();
    await expect(attempt(() => store.put(key, 'x'))).rejects.toThrow(/escapes the store root/);
    await expect(attempt(() => store.get(key))).rejects.toThrow(/escapes the store root/);
    await expect(attempt(() => store.getIfExists(key))).rejects.toThrow(/escapes the store root/);
    await expect(attempt(() => store.deleteMany([key]))).rejects.toThrow(/escapes the store root/);
    expect(readdirSync(path.dirname(root)).includes('escape')).toBe(false);
  });
});

describe('LocalStore.promote', () => {
  const tmp = tempDir('promote');

  it('moves a staged file over the published one, leaves no empty staging folder, and a repeat is a no-op', async () => {
    const store = tmp.store('lake');
    await store.put('_staging/wf/run/tables/songs/encoded/year=2000/artist_id=AR/part-00000.snappy.parquet', 'new');
    await store.put('songs/year=2000/artist_id=AR/part-00000.snappy.parquet', 'old');
    const staged = '_staging/wf/run/tables/songs/encoded/year=2000/artist_id=AR/part-00000.snappy.parquet';
    await store.promote(staged, 'songs/year=2000/artist_id=AR/part-00000.snappy.parquet');
    await store.promote(staged, 'songs/year=2000/artist_id=AR/part-00000.snappy.parquet');
    expect((await store.get('songs/year=2000/artist_id=AR/part-00000.snappy.parquet')).toString()).toBe('new');
    expect(existsSync(tmp.path('lake', '_staging'))).toBe(false);
  });
});

describe('LocalStore.promoteTree', () => {
  const staging = '_staging/wf/run/tables/songs/encoded/';
  const put = (key: string, body: string) => store.put(key, body);

  it('moves a folder the lake lacks whole, and merges file by file into one it has, keeping its other files', async () => {
    await put('songs/year=2000/artist_id=OLD/part-00000.snappy.parquet', 'kept');
    await put('songs/year=2000/artist_id=AR1/part-00000.snappy.parquet', 'old');
    const rels = ['year=2000/artist_id=AR1/part-00000.snappy.parquet', 'year=2000/artist_id=AR2/part-00000.snappy.parquet', 'year=2001/artist_id=AR3/part-00000.snappy.parquet'];
    for (const rel of rels) await put(`${staging}${rel}`, `new ${rel}`);
    await store.promoteTree(staging, 'songs/', rels, 4);
    for (const rel of rels) expect((await store.get(`songs/${rel}`)).toString()).toBe(`new ${rel}`);
    expect((await store.get('songs/year=2000/artist_id=OLD/part-00000.snappy.parquet')).toString()).toBe('kept');
    expect(await keys('_staging/')).toEqual([]);
  });

  it('never carries an unlisted file along with a folder: a crashed put\'s temp file and an object nobody named stay in staging', async () => {
    const rels = ['year=2000/artist_id=AR1/part-00000.snappy.parquet', 'year=2000/artist_id=AR2/part-00000.snappy.parquet'];
    for (const rel of rels) await put(`${staging}${rel}`, 'new');
    writeFileSync(path.join(root, staging, 'year=2000/artist_id=AR1/.sparkify-tmp-0123456789ab'), 'half');
    await put(`${staging}year=2000/artist_id=AR2/unnamed.parquet`, 'not listed');
    await store.promoteTree(staging, 'songs/', rels, 4);
    expect(tree(path.join(root, 'songs')).sort()).toEqual([
      'year=2000/',
      'year=2000/artist_id=AR1/',
      'year=2000/artist_id=AR1/part-00000.snappy.parquet',
      'year=2000/artist_id=AR2/',
      'year=2000/artist_id=AR2/part-00000.snappy.parquet',
    ]);
    expect(await keys(staging)).toEqual([`${staging}year=2000/artist_id=AR2/unnamed.parquet`]);
  });

  it('finishes what an interrupted attempt started, whether it had moved a whole folder or single files', async () => {
    const rels = ['year=2000/artist_id=AR1/part-00000.snappy.parquet', 'year=2001/artist_id=AR2/part-00000.snappy.parquet', 'year=2001/artist_id=AR3/part-00000.snappy.parquet'];
    for (const rel of rels) await put(`${staging}${rel}`, `new ${rel}`);
    await store.promote(`${staging}${rels[1]}`, `songs/${rels[1]}`);
    await store.promoteTree(staging, 'songs/', [rels[0]], 4);
    await store.promoteTree(staging, 'songs/', rels, 4);
    await store.promoteTree(staging, 'songs/', rels, 4);
    for (const rel of rels) expect((await store.get(`songs/${rel}`)).toString()).toBe(`new ${rel}`);
    expect(await keys(staging)).toEqual([]);
  });
});

describe('LocalStore.deletePrefix', () => {
  it('removes a folder with whatever a crashed writer left in it, and no folder beside it', async () => {
    await store.put('_staging/wf/run/a/b.json', '{}');
    await store.put('_staging/wf/other/c.json', '{}');
    writeFileSync(path.join(root, '_staging/wf/run/a/.sparkify-tmp-0123456789ab'), 'half');
    await store.deletePrefix('_staging/wf/run/');
    expect(tree().sort()).toEqual(['_staging/', '_staging/wf/', '_staging/wf/other/', '_staging/wf/other/c.json']);
    await store.deletePrefix('_staging/wf/other/');
    expect(tree()).toEqual([]);
    await expect(store.deletePrefix('_staging/wf')).rejects.toThrow(/Not a folder prefix/);
  });
});
