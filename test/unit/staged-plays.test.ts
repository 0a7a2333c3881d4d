import { stagedPlay, stagedPlaysFrom } from '../../lake/steps/staged-plays';
import type { PlayEvent } from '../../lake/model';
import { songplayId } from '../../lake/tables/songplays';

const play: PlayEvent = {
  ts: 1541990217796,
  userId: '29',
  firstName: 'Jacqueline',
  lastName: 'Lynch',
  gender: 'F',
  level: 'paid',
  sessionId: 389,
  itemInSession: 1,
  song: 'Ódio ao Amor',
  artist: 'Beyoncé',
  length: 245.2,
  location: null,
  userAgent: '"Mozilla/5.0"',
};

describe('staged plays', () => {
  it('read back with every field transform-facts uses, and the same songplay id', () => {
    const body = Buffer.from(`${JSON.stringify(stagedPlay(play))}\n`);
    const [back] = stagedPlaysFrom(body);
    const { firstName, lastName, gender, ...facts } = play;
    expect(back).toEqual(facts);
    expect(songplayId(back)).toBe(songplayId(play));
  });

  it('read a chunk staged as objects by the previous release', () => {
    expect(stagedPlaysFrom(Buffer.from(`${JSON.stringify(play)}\n`))).toEqual([play]);
  });
});
