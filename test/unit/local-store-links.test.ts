import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalStore } from '../../lake/storage/local-store';
import { listAll } from '../../lake/storage/object-store';

let root: string;
let outside: string;
let store: LocalStore;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'sparkify-links-'));
  outside = mkdtempSync(path.join(os.tmpdir(), 'sparkify-links-target-'));
  store = new LocalStore(root);
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('LocalStore and links, names, streams', () => {
  it('lists a symlinked file with its target\'s size, and reads it', async () => {
    writeFileSync(path.join(outside, 'real.json'), '{"linked": true}');
    mkdirSync(path.join(root, 'song_data'));
    symlinkSync(path.join(outside, 'real.json'), path.join(root, 'song_data', 'linked.json'));
    expect(await listAll(store, 'song_data/')).toEqual([{ key: 'song_data/linked.json', size: 16, etag: expect.stringMatching(/^16-/), modified: expect.any(Number) }]);
    expect((await store.get('song_data/linked.json')).toString()).toBe('{"linked": true}');
  });

  it('follows a symlinked folder, and cuts a link back into a folder it is walking', async () => {
    mkdirSync(path.join(outside, 'deep'));
    writeFileSync(path.join(outside, 'deep', 'a.json'), 'a');
    mkdirSync(path.join(root, 'log_data'));
    symlinkSync(outside, path.join(root, 'log_data', '2018'));
    // outside/deep/up -> outside: a loop the walk must not follow forever.
    symlinkSync(outside, path.join(outside, 'deep', 'up'));
    symlinkSync(root, path.join(root, 'log_data', 'self'));
    expect((await listAll(store, '')).map((o) => [o.key, o.problem])).toEqual([['log_data/2018/deep/a.json', undefined]]);
  });

  it('lists a dangling symlink with an unreadable problem naming the error code, instead of skipping it', async () => {
    mkdirSync(path.join(root, 'song_data'));
    symlinkSync(path.join(outside, 'gone.json'), path.join(root, 'song_data', 'dangling.json'));
    symlinkSync('looped.json', path.join(root, 'song_data', 'looped.json'));
    writeFileSync(path.join(root, 'song_data', 'ok.json'), '{}');
    const listed = await listAll(store, 'song_data/');
    expect(listed.map((o) => [o.key, o.problem])).toEqual([
      ['song_data/dangling.json', { reason: 'unreadable', detail: 'ENOENT: symlink target cannot be read' }],
      ['song_data/looped.json', { reason: 'unreadable', detail: 'ELOOP: symlink target cannot be read' }],
      ['song_data/ok.json', undefined],
    ]);
  });

  it('lists a file whose name is not UTF-8 under an escaped key, with an invalid-file-name problem', async () => {
    mkdirSync(path.join(root, 'song_data'));
    writeFileSync(Buffer.concat([Buffer.from(`${root}/song_data/`), Buffer.from([0xff, 0xfe]), Buffer.from('.json')]), '{}');
    const badDir = Buffer.concat([Buffer.from(`${root}/song_data/`), Buffer.from('A\\'), Buffer.from([0xc3])]);
    mkdirSync(badDir);
    writeFileSync(Buffer.concat([badDir, Buffer.from('/inside.json')]), '{}');
    writeFileSync(path.join(root, 'song_data', 'Björk.json'), '{}');
    expect((await listAll(store, 'song_data/')).map((o) => [o.key, o.problem])).toEqual([
      ['song_data/A\\\\\\xC3/inside.json', { reason: 'invalid-file-name', detail: 'the path is not valid UTF-8: song_data/A\\\\\\xC3/inside.json' }],
      ['song_data/Björk.json', undefined],
      ['song_data/\\xFF\\xFE.json', { reason: 'invalid-file-name', detail: 'the path is not valid UTF-8: song_data/\\xFF\\xFE.json' }],
    ]);
  });

  it('streams a file in chunks, and fails to open a missing one before any byte', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 5, 'q');
    await store.put('log_data/big.json', bytes);
    const chunks: Buffer[] = [];
    for await (const chunk of await store.getStream('log_data/big.json')) chunks.push(chunk as Buffer);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    await expect(store.getStream('log_data/missing.json')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
