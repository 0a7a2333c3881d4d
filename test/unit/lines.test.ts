import { LineSplitter, type Line } from '../../lake/input/lines';

/** Every line the splitter yields for the given chunks, shown as text (or, past the limit, as head and length). */
function split(chunks: (string | Buffer)[], maxLineBytes = 1024, headBytes = 16): (string | { head: string; length: number })[] {
  const splitter = new LineSplitter(maxLineBytes, headBytes);
  const lines: Line[] = [];
  for (const chunk of chunks) lines.push(...splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  const last = splitter.end();
  if (last) lines.push(last);
  lines.forEach((line, i) => expect(line.number).toBe(i + 1));
  return lines.map((l) => (l.tooLong ? { head: l.head.toString('utf8'), length: l.length } : l.bytes.toString('utf8')));
}

const bytewise = (text: string) => [...Buffer.from(text)].map((b) => Buffer.from([b]));

describe('LineSplitter', () => {
  it('splits at \\n and keeps a last line without one', () => {
    expect(split(['a\nbb\nccc'])).toEqual(['a', 'bb', 'ccc']);
    expect(split(['a\nbb\n'])).toEqual(['a', 'bb']);
    expect(split([''])).toEqual([]);
  });

  it('joins a line split across 1-byte chunks, multi-byte characters included', () => {
    const text = '{"artist":"Björk"}\n{"song":"Jóga ✓ 𝄞"}\n';
    expect(split(bytewise(text))).toEqual(['{"artist":"Björk"}', '{"song":"Jóga ✓ 𝄞"}']);
  });

  it('joins lines across chunks cut anywhere', () => {
    const text = 'first line\nsecond\n\nfourth, after an empty one\nfifth';
    for (let cut = 0; cut <= text.length; cut++) {
      expect(split([text.slice(0, cut), text.slice(cut)])).toEqual(['first line', 'second', '', 'fourth, after an empty one', 'fifth']);
    }
  });

  it('drops the \\r of CRLF, also when \\r and \\n arrive in different chunks', () => {
    expect(split(['a\r\nb\r\n'])).toEqual(['a', 'b']);
    expect(split(['a\r', '\nb\r', '\n', 'c\r\n'])).toEqual(['a', 'b', 'c']);
    expect(split(bytewise('x\r\ny'))).toEqual(['x', 'y']);
  });

  it('counts empty lines, so line numbers match the file', () => {
    expect(split(['\n\nx\n\n'])).toEqual(['', '', 'x', '']);
  });

  it('keeps only the first bytes of a line over the limit, with its length, and goes on after it', () => {
    const long = 'L'.repeat(100);
    expect(split([`short\n${long}\nafter\n`], 50, 8)).toEqual(['short', { head: 'LLLLLLLL', length: 100 }, 'after']);
    expect(split(bytewise(`${long}\nafter`), 50, 8)).toEqual([{ head: 'LLLLLLLL', length: 100 }, 'after']);
    // A line of exactly the limit is a line; one byte more is not.
    expect(split([`${'x'.repeat(50)}\n${'y'.repeat(51)}`], 50, 4)).toEqual(['x'.repeat(50), { head: 'yyyy', length: 51 }]);
  });

  it('never holds more of a long line than the limit', () => {
    const splitter = new LineSplitter(64, 8);
    const held = () => (splitter as unknown as { held: number }).held;
    for (let i = 0; i < 1000; i++) {
      expect([...splitter.push(Buffer.alloc(10, 'z'))]).toEqual([]);
      expect(held()).toBeLessThanOrEqual(64);
    }
    const [line] = [...splitter.push(Buffer.from('\n'))];
    expect(line).toMatchObject({ tooLong: true, length: 10_000 });
  });
});
