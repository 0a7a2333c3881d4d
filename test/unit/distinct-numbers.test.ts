import { readdirSync } from 'node:fs';
import { DistinctNumbers } from '../../lake/spill/distinct-numbers';
import { SpillDir } from '../../lake/spill/spill-dir';
import { Random } from '../../lake/generate/random';

describe('DistinctNumbers', () => {
  let spill: SpillDir;
  beforeEach(async () => {
    spill = await SpillDir.open();
  });
  afterEach(() => spill.remove());

  it('gives the distinct values ascending when everything fits in one run', () => {
    const distinct = new DistinctNumbers(spill, 'ts', 100);
    for (const v of [5, 3, 5, 1, 3, 1_543_622_400_123, 0]) distinct.add(v);
    expect([...distinct.sorted()]).toEqual([0, 1, 3, 5, 1_543_622_400_123]);
    expect(readdirSync(spill.root)).toEqual([]);
  });

  it('merges spilled runs into the same answer as a sort of everything, duplicates across runs removed', () => {
    const random = new Random(42);
    const values: number[] = [];
    // Millisecond timestamps of one month, with many repeats, over 25 runs of 1,000.
    for (let i = 0; i < 25_000; i++) values.push(1_541_030_400_000 + random.int(20_000) * 7);
    const distinct = new DistinctNumbers(spill, 'ts', 1_000);
    for (const v of values) distinct.add(v);
    expect(readdirSync(spill.root).length).toBe(25);
    expect([...distinct.sorted()]).toEqual([...new Set(values)].sort((a, b) => a - b));
  });

  it('gives nothing for nothing', () => {
    expect([...new DistinctNumbers(spill, 'ts', 10).sorted()]).toEqual([]);
  });
});
