import { parseSongFile } from '../../lake/input/songs';
import type { QuarantineReason } from '../../lake/model';
import { rawSong } from '../helpers/builders';

const KEY = 'song_data/A/A/A/TRAAAAW128F429D538.json';

const songJson = rawSong;

describe('parseSongFile', () => {
  it('reads a song file into a record carrying its source key', () => {
    const parsed = parseSongFile(KEY, `${JSON.stringify(songJson())}\n`);
    expect(parsed).toEqual({
      ok: true,
      song: {
        song_id: 'SOMZWCG12A8C13C480',
        title: "I Didn't Mean To",
        duration: 218.93179,
        year: 0,
        artist_id: 'ARD7TVE1187B99BFB1',
        artist_name: 'Casual',
        artist_location: 'California - LA',
        artist_latitude: null,
        artist_longitude: null,
        source_key: KEY,
      },
    });
  });

  it('keeps coordinates, an empty location and absent optional fields', () => {
    const parsed = parseSongFile(KEY, JSON.stringify(songJson({ artist_latitude: 35.14968, artist_longitude: -90.04892, artist_location: '' })));
    expect(parsed.ok && parsed.song).toMatchObject({ artist_latitude: 35.14968, artist_longitude: -90.04892, artist_location: '' });
    const bare = songJson();
    delete (bare as Record<string, unknown>).artist_location;
    delete (bare as Record<string, unknown>).artist_latitude;
    const parsedBare = parseSongFile(KEY, JSON.stringify(bare));
    expect(parsedBare.ok && parsedBare.song).toMatchObject({ artist_location: null, artist_latitude: null });
  });

  it('accepts an empty title (allowed) but not an empty song_id or artist_id', () => {
    expect(parseSongFile(KEY, JSON.stringify(songJson({ title: '' }))).ok).toBe(true);
    expect(parseSongFile(KEY, JSON.stringify(songJson({ song_id: '' })))).toMatchObject({ ok: false, rejected: { reason: 'missing-field' } });
    expect(parseSongFile(KEY, JSON.stringify(songJson({ artist_id: '  ' })))).toMatchObject({ ok: false, rejected: { reason: 'missing-field' } });
  });

  it.each<[string, string, QuarantineReason]>([
    ['empty file', '', 'invalid-json'],
    ['truncated JSON', '{"song_id": "SO', 'invalid-json'],
    ['two objects', `${JSON.stringify(songJson())}\n${JSON.stringify(songJson())}`, 'invalid-json'],
    ['an array', JSON.stringify([songJson()]), 'not-an-object'],
    ['a number', '3', 'not-an-object'],
    ['null', 'null', 'not-an-object'],
    ['no song_id', JSON.stringify(songJson({ song_id: undefined })), 'missing-field'],
    ['no title', JSON.stringify(songJson({ title: null })), 'missing-field'],
    ['no duration', JSON.stringify(songJson({ duration: undefined })), 'missing-field'],
    ['no year', JSON.stringify(songJson({ year: null })), 'missing-field'],
    ['no artist_name', JSON.stringify(songJson({ artist_name: undefined })), 'missing-field'],
    ['duration as text', JSON.stringify(songJson({ duration: '218.9' })), 'wrong-type'],
    ['year with a fraction', JSON.stringify(songJson({ year: 1999.5 })), 'wrong-type'],
    ['song_id as a number', JSON.stringify(songJson({ song_id: 42 })), 'wrong-type'],
    ['latitude as text', JSON.stringify(songJson({ artist_latitude: '35.1' })), 'wrong-type'],
    ['location as a number', JSON.stringify(songJson({ artist_location: 7 })), 'wrong-type'],
  ])('quarantines %s as a whole-file record (line null)', (_name, text, reason) => {
    const parsed = parseSongFile(KEY, text);
    expect(parsed).toEqual({ ok: false, rejected: { source_key: KEY, line: null, reason, detail: expect.any(String), raw: text } });
  });

  it('clips the raw text of a huge bad file', () => {
    const text = `{"title": "${'x'.repeat(40_000)}"`;
    const parsed = parseSongFile(KEY, text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.rejected.raw.length).toBeLessThan(16_500);
      expect(parsed.rejected.raw).toMatch(/…\(\d+ more characters\)$/);
    }
  });
});
