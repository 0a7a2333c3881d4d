import { Readable } from 'node:stream';
import { ndjsonStreamRows } from '../../lake/ndjson';
import { SharedLoads } from '../../lake/steps/shared-loads';
import { SongLookup } from '../../lake/tables/song-lookup';

describe('what the activities of a worker load alike, shared', () => {
  const shared = new SharedLoads<SongLookup>(30_000);
  afterEach(() => jest.useRealTimers());

  it('is loaded once for parts running at once, and let go a while after the last one ends', async () => {
    jest.useFakeTimers();
    const load = jest.fn(async () => new SongLookup([{ title: 'T', artist_name: 'A', duration: 1, song_id: 'SO1', artist_id: 'AR1' }]));
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen: SongLookup[] = [];
    const part = () => shared.use('hash-1', load, async (lookup) => { seen.push(lookup); await held; return lookup.find('T', 'A', 1)?.song_id; });
    const parts = Promise.all([part(), part()]);
    await Promise.resolve();
    release();
    expect(await parts).toEqual(['SO1', 'SO1']);
    expect(load).toHaveBeenCalledTimes(1);
    expect(seen[0]).toBe(seen[1]);

    // The next part soon after reuses it; long after, it is loaded again.
    await shared.use('hash-1', load, async () => undefined);
    expect(load).toHaveBeenCalledTimes(1);
    expect(shared.size).toBe(1);
    jest.advanceTimersByTime(31_000);
    expect(shared.size).toBe(0);
    await shared.use('hash-1', load, async () => undefined);
    expect(load).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(31_000);
  });

  it('does not keep a load that failed: both parts fail, and the next part loads again', async () => {
    const failing = jest.fn(async (): Promise<SongLookup> => { throw new Error('lookup unreadable'); });
    const parts = [shared.use('hash-2', failing, async () => 1), shared.use('hash-2', failing, async () => 2)];
    await expect(Promise.all(parts)).rejects.toThrow('lookup unreadable');
    await Promise.allSettled(parts);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(shared.size).toBe(0);
    const ok = jest.fn(async () => new SongLookup());
    await shared.use('hash-2', ok, async () => undefined);
    expect(ok).toHaveBeenCalledTimes(1);
  });

  it('reads NDJSON from a stream whose chunks cut lines and characters anywhere', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ i, title: `Tïtle ${'€'.repeat(i % 9)}` }));
    const bytes = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'));
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, n) => bytes.subarray(n * 7, n * 7 + 7));
    const read = [];
    for await (const row of ndjsonStreamRows(Readable.from(chunks))) read.push(row);
    expect(read).toEqual(rows);
  });
});
