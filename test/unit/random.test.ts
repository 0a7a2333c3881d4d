import { Random, Zipf } from '../../lake/generate/random';

describe('Random', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const seq = (seed: number) => {
      const r = new Random(seed);
      return Array.from({ length: 20 }, () => r.next());
    };
    expect(seq(42)).toEqual(seq(42));
    expect(seq(42)).not.toEqual(seq(43));
  });

  it('pins the sequence, so generated data sets stay the same across versions', () => {
    const r = new Random(1);
    // mulberry32(1): the first outputs of the reference implementation.
    expect([r.next(), r.next(), r.next()].map((x) => Math.round(x * 4294967296))).toEqual([2693262067, 11749833, 2265367787]);
  });

  it('stays in range', () => {
    const r = new Random(7);
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      const n = r.int(5);
      expect(Number.isInteger(n) && n >= 0 && n < 5).toBe(true);
    }
  });

  it('replaces seed 0 by a fixed non-zero state and treats seeds modulo 2^32', () => {
    expect(new Random(0).next()).toBe(new Random(0x9e3779b9).next());
    expect(new Random(2 ** 32 + 5).next()).toBe(new Random(5).next());
  });

  it('builds ids from the prefix and upper-case letters and digits', () => {
    const r = new Random(3);
    expect(r.id('SO', 16)).toMatch(/^SO[A-Z0-9]{16}$/);
    expect(r.id('', 0)).toBe('');
  });

  it('picks every element and draws chances with about the right frequency', () => {
    const r = new Random(11);
    const seen = new Set<string>();
    let hits = 0;
    for (let i = 0; i < 10_000; i++) {
      seen.add(r.pick(['a', 'b', 'c']));
      if (r.chance(0.3)) hits++;
    }
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(hits).toBeGreaterThan(2700);
    expect(hits).toBeLessThan(3300);
  });
});

describe('Zipf', () => {
  it('samples ranks in range, the first rank most often', () => {
    const zipf = new Zipf(50);
    const r = new Random(5);
    const counts = new Array<number>(50).fill(0);
    for (let i = 0; i < 20_000; i++) counts[zipf.sample(r)]++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(Math.max(...counts)).toBe(counts[0]);
    expect(counts[0]).toBeGreaterThan(counts[1]);
    expect(counts[1]).toBeGreaterThan(counts[10]);
    expect(counts[49]).toBeGreaterThan(0);
  });

  it('always returns 0 for a single rank', () => {
    const zipf = new Zipf(1);
    const r = new Random(9);
    for (let i = 0; i < 100; i++) expect(zipf.sample(r)).toBe(0);
  });
});
