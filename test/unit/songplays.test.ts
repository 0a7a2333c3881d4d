import { createHash } from 'node:crypto';
import type { PlayEvent } from '../../lake/model';
import { SongLookup } from '../../lake/tables/song-lookup';
import { playEvent } from '../helpers/builders';
import { buildSongplays, songplayId, songplayOf } from '../../lake/tables/songplays';

const play = playEvent;

const INT64_MAX = (1n << 63n) - 1n;

describe('songplayId', () => {
  it('is the same for the same event, including a copy of it', () => {
    const p = play();
    expect(songplayId(p)).toBe(songplayId(p));
    expect(songplayId(play())).toBe(songplayId(JSON.parse(JSON.stringify(p)) as PlayEvent));
  });

  it('does not change between versions: lake rows already written keep their ids', () => {
    // Pinned: the first 8 bytes of sha256 over the identifying fields, top bit cleared.
    const p = play();
    const digest = createHash('sha256')
      .update(JSON.stringify([p.ts, p.userId, p.sessionId, p.itemInSession, p.song, p.artist, p.length]))
      .digest();
    expect(songplayId(p)).toBe((digest.readBigUInt64BE(0) & INT64_MAX).toString());
    expect(songplayId(p)).toBe('8680882197344261527');
  });

  it.each<[keyof PlayEvent, unknown]>([
    ['ts', 1541106106797],
    ['userId', '80'],
    ['sessionId', 140],
    ['itemInSession', 1],
    ['song', 'You Gotta Be '],
    ['artist', "Des'ree & Co"],
    ['length', 246.30813],
  ])('changes when %s changes', (field, value) => {
    expect(songplayId(play({ [field]: value }))).not.toBe(songplayId(play()));
  });

  it('does not confuse fields whose concatenation is the same', () => {
    expect(songplayId(play({ song: 'ab', artist: 'c' }))).not.toBe(songplayId(play({ song: 'a', artist: 'bc' })));
    expect(songplayId(play({ userId: '1', sessionId: 23 }))).not.toBe(songplayId(play({ userId: '12', sessionId: 3 })));
  });

  it.each<[keyof PlayEvent, unknown]>([
    ['level', 'paid'],
    ['location', 'Elsewhere'],
    ['userAgent', 'curl/8'],
    ['firstName', null],
  ])('does not depend on the user attribute %s, which may change between observations', (field, value) => {
    expect(songplayId(play({ [field]: value }))).toBe(songplayId(play()));
  });

  it('is a canonical decimal that fits a signed 64-bit integer, and distinct across many plays', () => {
    const ids = new Set<string>();
    let sawHighBits = false;
    for (let i = 0; i < 5000; i++) {
      const id = songplayId(play({ ts: 1541030400000 + i * 7919, itemInSession: i % 50, sessionId: i % 97 }));
      expect(id).toMatch(/^(0|[1-9]\d*)$/);
      const n = BigInt(id);
      expect(n >= 0n && n <= INT64_MAX).toBe(true);
      if (n > 1n << 62n) sawHighBits = true;
      ids.add(id);
    }
    expect(ids.size).toBe(5000);
    // The ids use the whole positive range, not only 53 bits.
    expect(sawHighBits).toBe(true);
  });
});

describe('songplayOf and buildSongplays', () => {
  const lookup = new SongLookup([
    { song_id: 'SOA', title: 'You Gotta Be', artist_name: "Des'ree", duration: 246.30812, artist_id: 'ARD' },
  ]);

  it('fills song and artist ids from a matching song', () => {
    const row = songplayOf(play(), lookup);
    expect(row).toEqual({
      songplay_id: songplayId(play()),
      start_time: 1541106106796,
      user_id: '8',
      level: 'free',
      song_id: 'SOA',
      artist_id: 'ARD',
      session_id: 139,
      location: 'Phoenix-Mesa-Scottsdale, AZ',
      user_agent: 'Mozilla/5.0',
      year: 2018,
      month: 11,
    });
  });

  it('leaves song and artist ids null without a match', () => {
    expect(songplayOf(play({ length: 250 }), lookup)).toMatchObject({ song_id: null, artist_id: null });
    expect(songplayOf(play({ artist: 'Someone' }), lookup)).toMatchObject({ song_id: null, artist_id: null });
  });

  it('partitions by the UTC year and month of the play', () => {
    expect(songplayOf(play({ ts: Date.UTC(2018, 10, 30, 23, 59, 59, 999) }), lookup)).toMatchObject({ year: 2018, month: 11 });
    expect(songplayOf(play({ ts: Date.UTC(2018, 11, 1) }), lookup)).toMatchObject({ year: 2018, month: 12 });
    expect(songplayOf(play({ ts: Date.UTC(2019, 0, 1) }), lookup)).toMatchObject({ year: 2019, month: 1 });
  });

  it('sorts by start time, then by id, whatever the input order', () => {
    const plays = [
      play({ ts: 3000, itemInSession: 1 }),
      play({ ts: 1000 }),
      play({ ts: 3000, itemInSession: 2 }),
      play({ ts: 2000 }),
      play({ ts: 3000, itemInSession: 3 }),
    ];
    const rows = buildSongplays(plays, lookup);
    expect(rows.map((r) => r.start_time)).toEqual([1000, 2000, 3000, 3000, 3000]);
    // Ties on start_time are ordered by the id's text, a fixed order whatever the input order.
    const tied = rows.slice(2).map((r) => r.songplay_id);
    expect(new Set(tied).size).toBe(3);
    expect(tied).toEqual([...tied].sort());
    expect(buildSongplays([...plays].reverse(), lookup)).toEqual(rows);
  });
});
