import { collectEventLog, parseEventLog, readEventLog } from '../../lake/input/events';
import { parseSongBytes, parseSongFile } from '../../lake/input/songs';
import { NOV_2018, rawEvent } from '../helpers/builders';

const SOURCE = 'log_data/2018/11/2018-11-01-events.json';

const play = (i: number) => JSON.stringify(rawEvent({ itemInSession: i, song: 'Sóng', ts: Date.UTC(2018, 10, 2) + i, userId: '7' }));

async function* chunksOf(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const read = (bytes: Buffer, chunkSize = 7, maxLineBytes?: number) =>
  collectEventLog(readEventLog(SOURCE, chunksOf(bytes, chunkSize), NOV_2018, { maxLineBytes }));

describe('readEventLog', () => {
  it('stages what parseEventLog does, whatever the chunk size', async () => {
    const text = `${play(0)}\r\n\n{"page": "Home", "ts": ${Date.UTC(2018, 10, 3)}}\nnot json\n${play(1)}`;
    const whole = parseEventLog(SOURCE, text, NOV_2018);
    for (const size of [1, 2, 3, 64, 1 << 20]) expect(await read(Buffer.from(text), size)).toEqual(whole);
    expect(whole.plays.map((p) => p.itemInSession)).toEqual([0, 1]);
    expect(whole.rejected.map((r) => [r.line, r.reason])).toEqual([[4, 'invalid-json']]);
  });

  it('quarantines a line that is not UTF-8 with its line number and a safe raw, and loads the others', async () => {
    const bad = Buffer.concat([Buffer.from(play(1).slice(0, 20)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(play(1).slice(20))]);
    const bytes = Buffer.concat([Buffer.from(`${play(0)}\n`), bad, Buffer.from(`\n${play(2)}\n`)]);
    for (const size of [1, 5, 1 << 20]) {
      const { plays, rejected } = await read(bytes, size);
      expect(plays.map((p) => p.itemInSession)).toEqual([0, 2]);
      expect(rejected).toEqual([
        {
          source_key: SOURCE,
          line: 2,
          reason: 'invalid-utf8',
          detail: 'invalid UTF-8 at byte 21 of the line (bytes fffec322)',
          raw: `${play(1).slice(0, 20)}\uFFFD\uFFFD\uFFFD${play(1).slice(20)}`,
        },
      ]);
    }
  });

  it('quarantines a line over the limit with its first bytes and length, and loads the lines after it', async () => {
    const long = `{"junk": "${'x'.repeat(5000)}"}`;
    const bytes = Buffer.from(`${play(0)}\n${long}\n${play(1)}\n${play(2)}`);
    const { plays, rejected } = await read(bytes, 100, 1024);
    expect(plays.map((p) => p.itemInSession)).toEqual([0, 1, 2]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ source_key: SOURCE, line: 2, reason: 'line-too-long' });
    expect(rejected[0].detail).toBe(`the line is ${long.length} bytes, over the limit of 1024 bytes`);
    // The first bytes as far as the limit allows (the clip is 16 KiB), and how many were left out.
    expect(rejected[0].raw).toBe(`${long.slice(0, 1024)}…(${long.length - 1024} more bytes)`);
  });

  it('clips the raw of a long line to 16 KiB even when the limit is larger', async () => {
    const long = 'y'.repeat(40_000);
    const { rejected } = await read(Buffer.from(`${long}\n${play(0)}`), 4096, 32_768);
    expect(rejected[0].raw).toBe(`${'y'.repeat(16_384)}…(${40_000 - 16_384} more bytes)`);
  });
});

describe('parseSongBytes', () => {
  const song = JSON.stringify({ song_id: 'SO1', title: 'Jóga', duration: 1, year: 1997, artist_id: 'AR1', artist_name: 'Björk' });

  it('loads a UTF-8 song file as parseSongFile does', () => {
    expect(parseSongBytes('song_data/a.json', Buffer.from(song))).toEqual(parseSongFile('song_data/a.json', song));
    expect(parseSongBytes('song_data/a.json', Buffer.from(song))).toMatchObject({ ok: true, song: { title: 'Jóga' } });
  });

  it('quarantines a song file that is not UTF-8 instead of loading U+FFFD', () => {
    // "Björk" with its ö in Latin-1, the single byte 0xF6, in an otherwise UTF-8 file.
    const [before, after] = song.split('Björk');
    const latin1 = Buffer.concat([Buffer.from(`${before}Bj`), Buffer.from([0xf6]), Buffer.from(`rk${after}`)]);
    expect(parseSongBytes('song_data/b.json', latin1)).toEqual({
      ok: false,
      rejected: {
        source_key: 'song_data/b.json',
        line: null,
        reason: 'invalid-utf8',
        detail: `invalid UTF-8 at byte ${Buffer.byteLength(before) + 3} of the file (bytes f6726b22)`,
        raw: song.replace('Björk', 'Bj\uFFFDrk'),
      },
    });
  });
});
