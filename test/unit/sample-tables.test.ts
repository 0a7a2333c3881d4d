import { LocalStore } from '../../lake/storage/local-store';
import { countRows, queryLake, table } from '../helpers/duckdb';
import { runStepsInProcess } from '../helpers/run-steps';
import { SAMPLE_DIR, describeWithSample } from '../helpers/sample';
import { tempDir } from '../helpers/temp';

describeWithSample('the engine on the Udacity sample, without Temporal', () => {
  const lake = tempDir('unit-lake').root;

  it('builds the five tables with the contract figures', async () => {
    const report = await runStepsInProcess(new LocalStore(SAMPLE_DIR), new LocalStore(lake), 2018, 11);
    expect(report.tables).toEqual({ songs: 71, artists: 69, users: 96, time: 6813, songplays: 6820 });
    expect(report.songplaysWithSong).toBe(1);
    for (const [name, n] of Object.entries({ songs: 71, artists: 69, users: 96, time: 6813, songplays: 6820 })) {
      expect(await countRows(lake, name)).toBe(n);
    }
    const matched = await queryLake(`select song_id, artist_id from ${table(lake, 'songplays')} where song_id is not null`);
    expect(matched).toEqual([{ song_id: 'SOZCTXZ12AB0182364', artist_id: 'AR5KOSW1187FB35FF4' }]);
  });
});
