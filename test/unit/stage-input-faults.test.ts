import { NOV_2018, rawSong, stepContext } from '../helpers/builders';
import { publishSongCache } from '../../lake/steps/publish';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StagingArea } from '../../lake/layout';
import { STREAMED_OBJECT_BYTES, stagingBudget } from '../../lake/memory-budget';
import { factPlayOf, type StagedPlay } from '../../lake/steps/staged-plays';
import { addCounts, type QuarantineRecord, type SongRecord } from '../../lake/model';
import type { StepContext } from '../../lake/steps/context';
import { planStage, stagePart } from '../../lake/steps/stage';
import { readStaged } from '../../lake/steps/staged-reader';
import { LocalStore } from '../../lake/storage/local-store';
import { listAll } from '../../lake/storage/object-store';
import type { UserState } from '../../lake/tables/users';
import { bigLogLine, withPeakRss, writeBigLog } from '../helpers/big-log';

let root: string;
let outside: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'sparkify-stage-faults-'));
  outside = mkdtempSync(path.join(tmpdir(), 'sparkify-stage-faults-target-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

function context(resumeFrom?: unknown): StepContext {
  return stepContext(new LocalStore(path.join(root, 'input')), new LocalStore(path.join(root, 'output')), {
    month: NOV_2018,
    progress: { report: () => undefined, resumeFrom: <T>() => resumeFrom as T },
    ioConcurrency: 4,
  });
}

const input = (...parts: string[]) => path.join(root, 'input', ...parts);
const quarantined = async (ctx: StepContext, source: string) =>
  (await readStaged<QuarantineRecord>(ctx, ctx.staging.quarantinePrefix(source))).map((r) => [r.source_key, r.reason, r.detail]);

const song = (id: string) => JSON.stringify(rawSong({ song_id: id, title: 'T', duration: 1, year: 2000, artist_id: 'AR', artist_name: 'A' }));

describe('stagePart on input that cannot be read as it is', () => {
  it('loads a symlinked song file and quarantines a dangling link, a non-UTF-8 name and a non-UTF-8 file', async () => {
    mkdirSync(input('song_data', 'A'), { recursive: true });
    writeFileSync(input('song_data', 'A', 'plain.json'), song('SOPLAIN'));
    writeFileSync(path.join(outside, 'target.json'), song('SOLINKED'));
    symlinkSync(path.join(outside, 'target.json'), input('song_data', 'A', 'linked.json'));
    symlinkSync(path.join(outside, 'missing.json'), input('song_data', 'A', 'dangling.json'));
    writeFileSync(Buffer.concat([Buffer.from(input('song_data', 'A') + '/'), Buffer.from([0xff, 0xfe]), Buffer.from('.json')]), song('SOBADNAME'));
    writeFileSync(input('song_data', 'A', 'latin1.json'), Buffer.from(song('SOLATIN').replace('"T"', '"Caf\u00e9"'), 'latin1'));

    const ctx = context();
    const plan = await planStage(ctx, 'songs');
    expect(plan.objects).toBe(5);
    const result = await stagePart(ctx, 'songs', 0);
    expect(result.records).toBe(2);
    expect(result.quarantined).toEqual({ unreadable: 1, 'invalid-file-name': 1, 'invalid-utf8': 1 });
    const songs = await readStaged<SongRecord>(ctx, ctx.staging.stagedPrefix('songs'));
    expect(songs.map((s) => [s.song_id, s.source_key]).sort()).toEqual([
      ['SOLINKED', 'song_data/A/linked.json'],
      ['SOPLAIN', 'song_data/A/plain.json'],
    ]);
    expect((await quarantined(ctx, 'songs')).sort()).toEqual([
      ['song_data/A/\\xFF\\xFE.json', 'invalid-file-name', 'the path is not valid UTF-8: song_data/A/\\xFF\\xFE.json'],
      ['song_data/A/dangling.json', 'unreadable', 'ENOENT: symlink target cannot be read'],
      ['song_data/A/latin1.json', 'invalid-utf8', expect.stringContaining('bytes e922')],
    ]);

    // The next run reads the problems again rather than trusting the song cache with them.
    await publishSongCache(ctx);
    const next = { ...context(), staging: new StagingArea('wf', 'run2') };
    await planStage(next, 'songs');
    const again = await stagePart(next, 'songs', 0);
    expect(again.objectsReused).toBe(3);
    expect(again.quarantined).toEqual(result.quarantined);
  });

  it('loads a symlinked log, quarantines a dangling one, a bad UTF-8 line, a too-long line and a log gone since listing', async () => {
    mkdirSync(input('log_data', '2018', '11'), { recursive: true });
    const day = (n: number) => input('log_data', '2018', '11', `2018-11-0${n}-events.json`);
    writeFileSync(path.join(outside, 'day1.json'), `${bigLogLine(1)}\n${bigLogLine(2)}\n`);
    symlinkSync(path.join(outside, 'day1.json'), day(1));
    symlinkSync(path.join(outside, 'gone.json'), day(2));
    const badUtf8 = Buffer.concat([Buffer.from(bigLogLine(3).slice(0, 30)), Buffer.from([0xc0, 0xaf]), Buffer.from(bigLogLine(3).slice(30))]);
    writeFileSync(day(3), Buffer.concat([Buffer.from(`${bigLogLine(4)}\r\n`), badUtf8, Buffer.from(`\r\n{"junk":"${'j'.repeat(3000)}"}\r\n${bigLogLine(5)}`)]));
    writeFileSync(day(4), `${bigLogLine(6)}\n`);

    const ctx = context();
    await planStage(ctx, 'events');
    unlinkSync(day(4));
    // Two logs a part: the four logs are two parts.
    const first = await stagePart(ctx, 'events', 0, { maxLineBytes: 2048 });
    const second = await stagePart(ctx, 'events', 1, { maxLineBytes: 2048 });
    const result = {
      records: first.records + second.records,
      objectsRead: first.objectsRead + second.objectsRead,
      quarantined: addCounts({ ...first.quarantined }, second.quarantined),
    };
    expect(result.records).toBe(4);
    expect(result.objectsRead).toBe(2);
    expect(result.quarantined).toEqual({ unreadable: 2, 'invalid-utf8': 1, 'line-too-long': 1 });
    const plays = (await readStaged<StagedPlay>(ctx, ctx.staging.stagedPrefix('events'))).map(factPlayOf);
    expect(plays.map((p) => p.itemInSession)).toEqual([1, 2, 4, 5]);
    const key = (n: number) => `log_data/2018/11/2018-11-0${n}-events.json`;
    expect(await quarantined(ctx, 'events')).toEqual([
      [key(2), 'unreadable', 'ENOENT: symlink target cannot be read'],
      [key(3), 'invalid-utf8', 'invalid UTF-8 at byte 31 of the line (bytes c0af6175)'],
      [key(3), 'line-too-long', 'the line is 3012 bytes, over the limit of 2048 bytes'],
      [key(4), 'unreadable', 'ENOENT: the object could not be read'],
    ]);
    const records = await readStaged<QuarantineRecord>(ctx, ctx.staging.quarantinePrefix('events'));
    expect(records.map((r) => r.line)).toEqual([null, 2, 3, null]);
    expect(records[2].raw).toBe(`{"junk":"${'j'.repeat(2048 - 9)}…(${3012 - 2048} more bytes)`);
  });

  it('writes a big batch in staged chunks that read back in order, and a retry removes chunks it no longer writes', async () => {
    mkdirSync(input('log_data', '2018', '11'), { recursive: true });
    const lines = Array.from({ length: 2000 }, (_, i) => bigLogLine(i));
    writeFileSync(input('log_data', '2018', '11', 'day.json'), `${lines.join('\n')}\n`);
    const ctx = context();
    await planStage(ctx, 'events');
    await ctx.output.put(ctx.staging.staged('events', 0, 0, 999), 'left by an attempt of a bigger input\n');
    const result = await stagePart(ctx, 'events', 0, { stagedChunkBytes: 32 * 1024 });
    expect(result.records).toBe(2000);
    const keys = (await listAll(ctx.output, ctx.staging.stagedPrefix('events'))).map((o) => o.key);
    expect(keys.length).toBeGreaterThan(5);
    expect(keys[0]).toBe(ctx.staging.staged('events', 0, 0));
    expect(keys).toEqual(keys.map((_, c) => ctx.staging.staged('events', 0, 0, c)));
    const plays = (await readStaged<StagedPlay>(ctx, ctx.staging.stagedPrefix('events'))).map(factPlayOf);
    expect(plays.map((p) => p.itemInSession)).toEqual(lines.map((_, i) => i % 1000));
    const users = await readStaged<UserState>(ctx, ctx.staging.stagedPrefix('users'));
    expect(users).toHaveLength(500);
  });

  it('stages a 64 MiB log (a 5 MiB line over a 4 MiB limit in it) in bounded memory, admitted at a bounded share', async () => {
    mkdirSync(input('log_data', '2018', '11'), { recursive: true });
    const size = 64 * 1024 * 1024;
    const { plays, longLines } = await writeBigLog(input('log_data', '2018', '11', 'big.json'), size, { longLineAt: 20 * 1024 * 1024, longLineBytes: 5 * 1024 * 1024 });
    const ctx = context();
    await planStage(ctx, 'events');
    const use = jest.spyOn(stagingBudget, 'use');
    const before = process.memoryUsage.rss();
    const { result, peakRss } = await withPeakRss(() => stagePart(ctx, 'events', 0, { maxLineBytes: 4 * 1024 * 1024 }));
    const admitted = use.mock.calls.map(([bytes]) => bytes);
    use.mockRestore();
    expect(result.records).toBe(plays);
    expect(result.quarantined).toEqual({ 'line-too-long': longLines });
    expect(result.bytesRead).toBeGreaterThanOrEqual(size);
    expect(admitted).toEqual([STREAMED_OBJECT_BYTES]);
    expect((await listAll(ctx.output, ctx.staging.stagedPrefix('events'))).length).toBeGreaterThan(2);
    // Reading the log whole took its size several times over (bytes, string, lines, rows, NDJSON).
    expect(peakRss - before).toBeLessThan(200 * 1024 * 1024);
  });
});
