import { fromNdjson, toNdjson } from '../../lake/ndjson';

describe('ndjson', () => {
  const rows = [{ a: 1, s: 'line\nbreak' }, { a: 2, s: 'Björk "quoted" \u2028' }, null, [1, 2], 'text'];

  it('writes one JSON value per line, each ending in a newline', () => {
    const text = toNdjson(rows);
    expect(text.split('\n')).toHaveLength(rows.length + 1);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')[0]).toBe('{"a":1,"s":"line\\nbreak"}');
    expect(toNdjson([])).toBe('');
  });

  it('round-trips through a string and a Buffer', () => {
    expect(fromNdjson(toNdjson(rows))).toEqual(rows);
    expect(fromNdjson(Buffer.from(toNdjson(rows), 'utf8'))).toEqual(rows);
  });

  it('accepts any iterable', () => {
    function* gen() {
      yield { n: 1 };
      yield { n: 2 };
    }
    expect(toNdjson(gen())).toBe('{"n":1}\n{"n":2}\n');
  });

  it('skips empty lines and tolerates a missing final newline', () => {
    expect(fromNdjson('{"n":1}\n\n{"n":2}')).toEqual([{ n: 1 }, { n: 2 }]);
    expect(fromNdjson('')).toEqual([]);
  });

  it('fails on a corrupt line rather than dropping it', () => {
    expect(() => fromNdjson('{"n":1}\n{"n":\n')).toThrow(SyntaxError);
  });
});
