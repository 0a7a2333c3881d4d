import { formatChaos, runChaos } from '../../bench/chaos';
import { describeWithCluster } from '../helpers/cluster';

/**
 * `npm run chaos`'s short version: a small month on the three hosts with a worker SIGKILLed, a link down 10 s,
 * MinIO, Temporal and PostgreSQL restarted and a rolling restart, against the same month without faults.
 */
describeWithCluster('faults during a run on the three-host cluster', () => {
  it('finishes the month with the tables of a run without faults', async () => {
    const result = await runChaos({ scale: 'small', short: true, keep: false, log: (line) => console.log(`[chaos] ${line}`) });
    console.log(formatChaos(result));
    expect(result.faulted.tables).toEqual(result.baseline.tables);
    expect(result.faulted.tables.songplays).toBeGreaterThan(0);
    // The first faults land while the month runs; later ones may find it finished on a fast machine.
    expect(result.faults[0].duringRun).toBe(true);
  }, 30 * 60_000);
});
