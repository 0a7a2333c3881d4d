import { DURATION_TOLERANCE_S, SongLookup, type SongKey } from '../../lake/tables/song-lookup';

const song = (song_id: string, duration: number, title = 'Setanta matins', artist_name = 'Elena', artist_id = `AR-${song_id}`): SongKey => ({
  song_id,
  title,
  artist_name,
  duration,
  artist_id,
});

describe('SongLookup', () => {
  it('uses a tolerance of one millisecond', () => {
    expect(DURATION_TOLERANCE_S).toBe(0.001);
  });

  it('matches on exactly equal title, artist and duration', () => {
    const lookup = new SongLookup([song('SOZCTXZ12AB0182364', 269.58322, 'Setanta matins', 'Elena', 'AR5KOSW1187FB35FF4')]);
    expect(lookup.find('Setanta matins', 'Elena', 269.58322)).toEqual(
      expect.objectContaining({ song_id: 'SOZCTXZ12AB0182364', artist_id: 'AR5KOSW1187FB35FF4' }),
    );
  });

  it('treats a difference of exactly 0.001 s as a match, in both directions, despite binary floating point', () => {
    // 218.93279 - 218.93179 is 0.0010000000000047748 in doubles: slightly above 0.001.
    expect(218.93279 - 218.93179).toBeGreaterThan(0.001);
    const lookup = new SongLookup([song('SO1', 218.93179)]);
    expect(lookup.find('Setanta matins', 'Elena', 218.93279)?.song_id).toBe('SO1');
    expect(lookup.find('Setanta matins', 'Elena', 218.93079)?.song_id).toBe('SO1');
    expect(lookup.find('Setanta matins', 'Elena', 218.9318)?.song_id).toBe('SO1');
  });

  it('finds nothing once the difference exceeds the tolerance', () => {
    const lookup = new SongLookup([song('SO1', 218.93179)]);
    expect(lookup.find('Setanta matins', 'Elena', 218.93289)).toBeUndefined(); // +0.0011
    expect(lookup.find('Setanta matins', 'Elena', 218.93069)).toBeUndefined(); // -0.0011
    expect(lookup.find('Setanta matins', 'Elena', 218.934)).toBeUndefined();
    expect(lookup.find('Setanta matins', 'Elena', 100)).toBeUndefined();
  });

  it('picks the smallest song_id among several candidates within tolerance, even if another is closer', () => {
    const candidates = [song('SOC', 200.0), song('SOA', 200.0009), song('SOB', 200.0005), song('SOD', 200.5)];
    for (const order of [candidates, [...candidates].reverse(), [candidates[2], candidates[0], candidates[3], candidates[1]]]) {
      const lookup = new SongLookup(order);
      expect(lookup.find('Setanta matins', 'Elena', 200.0)?.song_id).toBe('SOA');
      expect(lookup.find('Setanta matins', 'Elena', 200.5)?.song_id).toBe('SOD');
      // SOA (200.0009) is out of reach of 199.9995, so the smallest id in reach is SOB.
      expect(lookup.find('Setanta matins', 'Elena', 199.9995)?.song_id).toBe('SOB');
    }
  });

  it('requires both the title and the artist to match, exactly', () => {
    const lookup = new SongLookup([song('SO1', 100, 'Intro', 'The Band'), song('SO2', 100, 'Outro', 'The Other Band')]);
    expect(lookup.find('Intro', 'The Band', 100)?.song_id).toBe('SO1');
    expect(lookup.find('Intro', 'The Other Band', 100)).toBeUndefined();
    expect(lookup.find('Outro', 'The Band', 100)).toBeUndefined();
    expect(lookup.find('intro', 'The Band', 100)).toBeUndefined();
    expect(lookup.find('Intro ', 'The Band', 100)).toBeUndefined();
    expect(lookup.find('Intro', 'The', 100)).toBeUndefined();
  });

  it('does not confuse a title/artist split at a different place', () => {
    const lookup = new SongLookup([song('SO1', 100, 'Love Me', 'Do')]);
    expect(lookup.find('Love', 'Me Do', 100)).toBeUndefined();
  });

  it('handles unicode and quotes in names and an empty catalogue', () => {
    const lookup = new SongLookup([song('SO1', 123.4, '"Live" Été', 'Motörhead & Friends')]);
    expect(lookup.find('"Live" Été', 'Motörhead & Friends', 123.4)?.song_id).toBe('SO1');
    expect(new SongLookup([]).find('"Live" Été', 'Motörhead & Friends', 123.4)).toBeUndefined();
  });
});
