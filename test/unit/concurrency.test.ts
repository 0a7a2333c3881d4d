import { mapLimit, SyncSlices } from '../../lake/concurrency';
import { countLoopTurns } from '../helpers/loop-turns';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapLimit', () => {
  it('keeps the input order in the results even when calls finish out of order', async () => {
    const items = [30, 5, 20, 1, 10, 0];
    const results = await mapLimit(items, 3, async (ms, i) => {
      await sleep(ms);
      return `${i}:${ms}`;
    });
    expect(results).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10', '5:0']);
  });

  it('never has more than `limit` calls in flight, and uses the whole limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const calls: number[] = [];
    await mapLimit(Array.from({ length: 20 }, (_, i) => i), 4, async (item) => {
      calls.push(item);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(2);
      inFlight--;
    });
    expect(peak).toBe(4);
    expect(calls.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('calls each item exactly once with its index', async () => {
    const seen: [string, number][] = [];
    await mapLimit(['a', 'b', 'c'], 10, async (item, index) => {
      seen.push([item, index]);
    });
    expect(seen.sort()).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('returns [] for no items and still runs with a limit below 1', async () => {
    expect(await mapLimit([], 5, async () => 1)).toEqual([]);
    expect(await mapLimit([1, 2, 3], 0, async (n) => n * 2)).toEqual([2, 4, 6]);
  });

  it('rejects with the first failure', async () => {
    await expect(
      mapLimit([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('boom 2');
        return n;
      }),
    ).rejects.toThrow('boom 2');
  });
});

describe('SyncSlices', () => {
  it('lets the event loop turn once a slice has passed, and not before', async () => {
    let clock = 0;
    const slices = new SyncSlices(20, () => clock);
    const loop = countLoopTurns();
    // A chain of awaited pieces of 5 ms of work each: 100 ms in all, so four or five turns and no more.
    for (let piece = 0; piece < 20; piece++) {
      await slices.due();
      clock += 5;
    }
    const turns = loop.stop();
    expect(turns).toBeGreaterThanOrEqual(4);
    expect(turns).toBeLessThanOrEqual(5);
  });
});
