import { KeyColumnAudit } from '../../lake/steps/key-audit';

/** The parts' keys again, as the audit's finish reads them: one part at a time. */
const again = (parts: unknown[][]) =>
  async function* () {
    for (const keys of parts) yield keys;
  };

describe('KeyColumnAudit', () => {
  it('finds a string key repeated across parts, once, among 300,000 distinct ones, and no other', async () => {
    const parts = Array.from({ length: 6 }, (_, p) => Array.from({ length: 50_000 }, (_, i) => `SO${p}x${i.toString(36).toUpperCase()}`));
    parts[1].push('SODUP');
    parts[4].push('SODUP');
    parts[5].push('SODUP');
    const audit = new KeyColumnAudit('song_id');
    for (const keys of parts) audit.add(keys);
    expect(await audit.duplicates(again(parts))).toEqual({ count: 1, examples: [{ song_id: 'SODUP' }] });
    expect(audit.nulls.count).toBe(0);
  });

  it('reports nothing for distinct keys, without reading the parts again', async () => {
    const parts = [['a', 'b'], ['c'], []];
    const audit = new KeyColumnAudit('artist_id');
    for (const keys of parts) audit.add(keys);
    const reread = jest.fn(again(parts));
    expect((await audit.duplicates(reread)).count).toBe(0);
    expect(reread).not.toHaveBeenCalled();
  });

  it('counts nulls with examples, and checks int64 and number keys as typed arrays', async () => {
    const ids = new KeyColumnAudit('songplay_id');
    ids.add([1n, 2n, null, 3n]);
    ids.add([2n ** 62n, 3n]);
    expect(ids.nulls).toEqual({ count: 1, examples: [{ songplay_id: null }] });
    expect(await ids.duplicates(again([]))).toEqual({ count: 1, examples: [{ songplay_id: '3' }] });
    const times = new KeyColumnAudit('start_time');
    times.add([5, 6, 7]);
    times.add([7, 8]);
    expect(await times.duplicates(again([]))).toEqual({ count: 1, examples: [{ start_time: 7 }] });
  });

  it('keeps at most five examples of many failures, and counts them all', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `K${i % 20}`);
    const audit = new KeyColumnAudit('user_id');
    audit.add(keys);
    const found = await audit.duplicates(again([keys]));
    expect(found.count).toBe(20);
    expect(found.examples).toHaveLength(5);
  });
});
