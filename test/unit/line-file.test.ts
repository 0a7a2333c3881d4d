import { LineFileWriter, mergeSorted, readLines } from '../../lake/spill/line-file';
import { tempDir } from '../helpers/temp';

describe('spilled lines', () => {
  const tmp = tempDir('line-file');

  it('reads back every line written, multi-byte characters whole where a line straddles the 1 MiB read blocks', () => {
    const writer = new LineFileWriter(tmp.path('lines.ndjson'));
    const lines: string[] = [];
    // 3-byte characters: 1 MiB is not a multiple of 3, so some character is cut by a block boundary.
    for (let i = 0; i < 5_000; i++) lines.push(`${i} ${'€'.repeat(i % 300)} ${i % 7 === 0 ? 'x'.repeat(40_000) : ''}`);
    for (const line of lines) writer.add(line);
    writer.close();
    expect(writer.lines).toBe(lines.length);
    expect([...readLines(writer.path)]).toEqual(lines);
    // Closed once: a second close is nothing, a line after it an error rather than a line lost.
    expect(writer.close()).toBe(writer.path);
    expect(() => writer.add('late')).toThrow('is closed');
  });

  it('merges sorted sources into one sorted sequence, equal keys in source order', () => {
    const rows = (source: string, keys: string[]) => keys.map((key) => ({ key, source }));
    const merged = [...mergeSorted([rows('a', ['b', 'd', 'f']), rows('b', []), rows('c', ['a', 'd', 'z'])], (r) => r.key)];
    expect(merged.map((r) => `${r.key}${r.source}`)).toEqual(['ac', 'ba', 'da', 'dc', 'fa', 'zc']);
  });
});
