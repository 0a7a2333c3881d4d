import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateDataset, type GenerateOptions, type GeneratedSummary } from '../../lake/generate/generate';
import { parseEventLog } from '../../lake/input/events';
import { parseSongFile } from '../../lake/input/songs';
import { LocalStore } from '../../lake/storage/local-store';
import { listAll } from '../../lake/storage/object-store';
import { SongLookup } from '../../lake/tables/song-lookup';

const OPTIONS: GenerateOptions = { songs: 25, users: 6, events: 120, from: { year: 2018, month: 12 }, months: 2, seed: 42 };

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function generate(options: GenerateOptions): Promise<{ store: LocalStore; summary: GeneratedSummary; files: Map<string, Buffer> }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sparkify-generate-'));
  roots.push(root);
  const store = new LocalStore(root);
  const summary = await generateDataset(store, options);
  const files = new Map<string, Buffer>();
  for (const info of await listAll(store, '')) files.set(info.key, await store.get(info.key));
  return { store, summary, files };
}

describe('generateDataset', () => {
  let first: Awaited<ReturnType<typeof generate>>;
  beforeAll(async () => {
    first = await generate(OPTIONS);
  });

  it('writes the same files with the same bytes for the same seed', async () => {
    const again = await generate({ ...OPTIONS, concurrency: 3 });
    expect([...again.files.keys()]).toEqual([...first.files.keys()]);
    for (const [key, body] of first.files) expect([key, again.files.get(key)?.equals(body)]).toEqual([key, true]);
    expect(again.summary).toEqual(first.summary);
  });

  it('writes something else for another seed', async () => {
    const other = await generate({ ...OPTIONS, seed: 43 });
    const songKeys = (files: Map<string, Buffer>) => [...files.keys()].filter((k) => k.startsWith('song_data/'));
    expect(songKeys(other.files)).not.toEqual(songKeys(first.files));
    const day = 'log_data/2018/12/2018-12-01-events.json';
    expect(other.files.get(day)?.equals(first.files.get(day) as Buffer)).toBe(false);
  });

  it('uses the Sparkify layout and nothing else', () => {
    for (const key of first.files.keys()) {
      const song = /^song_data\/([A-Z0-9])\/([A-Z0-9])\/([A-Z0-9])\/(TR[A-Z0-9]+)\.json$/.exec(key);
      const log = /^log_data\/(\d{4})\/(\d{2})\/(\d{4})-(\d{2})-(\d{2})-events\.json$/.exec(key);
      expect([key, Boolean(song || log)]).toEqual([key, true]);
      if (song) {
        // song_data/<3rd>/<4th>/<5th character of the track id>/<track id>.json, as in the Million Song Dataset.
        const [, a, b, c, track] = song;
        expect(track.slice(2, 5)).toBe(`${a}${b}${c}`);
      }
      if (log) {
        const [, folderYear, folderMonth, year, month] = log;
        expect(`${year}/${month}`).toBe(`${folderYear}/${folderMonth}`);
      }
    }
  });

  it('writes one log file per day of each month, rolling over into the next year', () => {
    const logs = [...first.files.keys()].filter((k) => k.startsWith('log_data/'));
    const expected = [
      ...Array.from({ length: 31 }, (_, d) => `log_data/2018/12/2018-12-${String(d + 1).padStart(2, '0')}-events.json`),
      ...Array.from({ length: 31 }, (_, d) => `log_data/2019/01/2019-01-${String(d + 1).padStart(2, '0')}-events.json`),
    ];
    expect(logs).toEqual(expected);
    expect(first.summary.logFiles).toBe(62);
  });

  it('writes one song file per song, every one a valid song record', () => {
    const songKeys = [...first.files.keys()].filter((k) => k.startsWith('song_data/'));
    expect(songKeys).toHaveLength(OPTIONS.songs);
    expect(first.summary.songFiles).toBe(OPTIONS.songs);
    const songs = songKeys.map((key) => parseSongFile(key, first.files.get(key)!.toString('utf8')));
    expect(songs.filter((s) => !s.ok)).toEqual([]);
    const records = songs.flatMap((s) => (s.ok ? [s.song] : []));
    expect(new Set(records.map((s) => s.song_id)).size).toBe(OPTIONS.songs);
    expect(new Set(records.map((s) => s.artist_id)).size).toBe(first.summary.artists);
    for (const s of records) expect(s.song_id).toMatch(/^SO[A-Z0-9]{16}$/);
  });

  it('writes log lines that all validate, each within its file\'s UTC day, with counts matching the summary', () => {
    const songs = [...first.files.entries()]
      .filter(([k]) => k.startsWith('song_data/'))
      .flatMap(([k, body]) => {
        const parsed = parseSongFile(k, body.toString('utf8'));
        return parsed.ok ? [parsed.song] : [];
      });
    const lookup = new SongLookup(songs);
    let events = 0;
    let plays = 0;
    let matched = 0;
    let other = 0;
    const levelsByUser = new Map<string, Set<string>>();
    for (const [key, body] of first.files) {
      if (!key.startsWith('log_data/')) continue;
      const [, y, m, d] = /(\d{4})-(\d{2})-(\d{2})-events\.json$/.exec(key)!.map(Number);
      const text = body.toString('utf8');
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.split('\n').filter((l) => l !== '');
      events += lines.length;
      const dayStart = Date.UTC(y, m - 1, d);
      for (const line of lines) {
        const ts = (JSON.parse(line) as { ts: number }).ts;
        expect(ts >= dayStart && ts < dayStart + 86_400_000).toBe(true);
      }
      const parsed = parseEventLog(key, text, { year: y, month: m });
      expect(parsed.rejected).toEqual([]);
      expect(parsed.plays.length + parsed.otherPages).toBe(lines.length);
      plays += parsed.plays.length;
      other += parsed.otherPages;
      for (const p of parsed.plays) {
        if (lookup.find(p.song, p.artist, p.length)) matched++;
        levelsByUser.set(p.userId, (levelsByUser.get(p.userId) ?? new Set()).add(p.level));
      }
    }
    expect(first.summary.events).toBe(events);
    expect(first.summary.nextSongEvents).toBe(plays);
    // ceil(120 / 31) events a day over 62 days.
    expect(events).toBe(Math.ceil(120 / 31) * 62);
    expect(other).toBeGreaterThan(0);
    // Some plays name catalogue songs, most do not; some user changes level.
    expect(matched).toBeGreaterThan(0);
    expect(matched).toBeLessThan(plays);
    expect([...levelsByUser.values()].some((levels) => levels.size === 2)).toBe(true);
    expect([...levelsByUser.keys()].every((id) => /^[1-6]$/.test(id))).toBe(true);
  });
});
