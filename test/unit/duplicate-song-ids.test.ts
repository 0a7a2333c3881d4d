import { rawEvent, rawSong } from '../helpers/builders';
import { tempDir } from '../helpers/temp';
import { queryLake, table } from '../helpers/duckdb';
import { runStepsInProcess } from '../helpers/run-steps';

const song = (artist_id: string, artist_name: string) =>
  JSON.stringify(rawSong({ song_id: 'SOA', title: 'T', duration: 200, year: 2000, artist_id, artist_name }));

const play = (artist: string, ts: number) => JSON.stringify(rawEvent({ artist, song: 'T', length: 200, ts, itemInSession: ts % 100 }));

describe('two song files with the same song_id', () => {
  const root = tempDir('dup');

  it('match plays against the one file kept for the id, never a mix of both', async () => {
    const input = root.store('in');
    await input.put('song_data/A/A/A/TRA1.json', song('AR1', 'Alpha'));
    await input.put('song_data/B/B/B/TRB1.json', song('AR2', 'Beta'));
    const t = Date.UTC(2018, 10, 5);
    await input.put('log_data/2018/11/2018-11-05-events.json', [play('Alpha', t + 1), play('Beta', t + 2)].join('\n'));

    const lake = root.path('lake');
    await runStepsInProcess(input, root.store('lake'), 2018, 11);
    const rows = await queryLake<{ song_id: string | null; artist_id: string | null }>(
      `select song_id, artist_id from ${table(lake, 'songplays')} order by start_time`,
    );
    // The file with the smallest key (Alpha's) is the song; Beta's play of the same title is another artist's.
    expect(rows).toEqual([
      { song_id: 'SOA', artist_id: 'AR1' },
      { song_id: null, artist_id: null },
    ]);
  });
});
