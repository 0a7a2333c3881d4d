import { parseEventLog } from '../../lake/input/events';
import type { QuarantineReason } from '../../lake/model';
import { eventLines, NOV_2018, rawEvent } from '../helpers/builders';

const SOURCE = 'log_data/2018/11/2018-11-01-events.json';

const event = rawEvent;

const lines = eventLines;

function rejectedAs(text: string, month = NOV_2018) {
  const result = parseEventLog(SOURCE, text, month);
  return { ...result, reasons: result.rejected.map((r) => [r.line, r.reason] as [number | null, QuarantineReason]) };
}

describe('parseEventLog', () => {
  it('turns a NextSong line into a play with the event fields', () => {
    const { plays, rejected, otherPages } = parseEventLog(SOURCE, lines(event()), NOV_2018);
    expect(rejected).toEqual([]);
    expect(otherPages).toBe(0);
    expect(plays).toEqual([
      {
        ts: 1541106106796,
        userId: '8',
        firstName: 'Kaylee',
        lastName: 'Summers',
        gender: 'F',
        level: 'free',
        sessionId: 139,
        itemInSession: 1,
        song: 'You Gotta Be',
        artist: "Des'ree",
        length: 246.30812,
        location: 'Phoenix-Mesa-Scottsdale, AZ',
        userAgent: '"Mozilla/5.0 (Windows NT 6.1; WOW64)"',
      },
    ]);
  });

  it('accepts null or absent optional user attributes', () => {
    const { plays, rejected } = parseEventLog(
      SOURCE,
      lines(event({ firstName: null, lastName: null, gender: null, location: null, userAgent: null }), event({ firstName: undefined, itemInSession: 2 })),
      NOV_2018,
    );
    expect(rejected).toEqual([]);
    expect(plays.map((p) => [p.firstName, p.lastName, p.gender, p.location, p.userAgent])).toEqual([
      [null, null, null, null, null],
      [null, 'Summers', 'F', 'Phoenix-Mesa-Scottsdale, AZ', '"Mozilla/5.0 (Windows NT 6.1; WOW64)"'],
    ]);
  });

  it.each<[string, string, QuarantineReason]>([
    ['truncated JSON', '{"ts": 1541106106796, "page": "NextSo', 'invalid-json'],
    ['plain text', 'hello', 'invalid-json'],
    ['an array', '[1, 2, 3]', 'not-an-object'],
    ['a number', '42', 'not-an-object'],
    ['a string', '"NextSong"', 'not-an-object'],
    ['JSON null', 'null', 'not-an-object'],
    ['no ts', JSON.stringify(event({ ts: undefined })), 'missing-field'],
    ['ts null', JSON.stringify(event({ ts: null })), 'missing-field'],
    ['no page', JSON.stringify(event({ page: undefined })), 'missing-field'],
    ['no song', JSON.stringify(event({ song: null })), 'missing-field'],
    ['no artist', JSON.stringify(event({ artist: undefined })), 'missing-field'],
    ['no length', JSON.stringify(event({ length: null })), 'missing-field'],
    ['no sessionId', JSON.stringify(event({ sessionId: undefined })), 'missing-field'],
    ['an empty level', JSON.stringify(event({ level: '' })), 'missing-field'],
    ['no level', JSON.stringify(event({ level: null })), 'missing-field'],
    ['ts as text', JSON.stringify(event({ ts: '1541106106796' })), 'wrong-type'],
    ['ts with a fraction', JSON.stringify(event({ ts: 1541106106796.5 })), 'wrong-type'],
    ['page as a number', JSON.stringify(event({ page: 7 })), 'wrong-type'],
    ['length as text', JSON.stringify(event({ length: '246.3' })), 'wrong-type'],
    ['sessionId with a fraction', JSON.stringify(event({ sessionId: 1.5 })), 'wrong-type'],
    ['itemInSession as text', JSON.stringify(event({ itemInSession: '1' })), 'wrong-type'],
    ['userId as a number', JSON.stringify(event({ userId: 8 })), 'wrong-type'],
    ['firstName as a number', JSON.stringify(event({ firstName: 1 })), 'wrong-type'],
    ['userAgent as an object', JSON.stringify(event({ userAgent: {} })), 'wrong-type'],
    ['an empty userId', JSON.stringify(event({ userId: '' })), 'missing-user-id'],
    ['a whitespace-only userId', JSON.stringify(event({ userId: ' \t ' })), 'missing-user-id'],
    ['a null userId', JSON.stringify(event({ userId: null })), 'missing-user-id'],
    ['no userId', JSON.stringify(event({ userId: undefined })), 'missing-user-id'],
    ['a ts in the previous month', JSON.stringify(event({ ts: Date.UTC(2018, 9, 31, 23, 59, 59, 999) })), 'outside-month'],
    ['a ts in the next month', JSON.stringify(event({ ts: Date.UTC(2018, 11, 1) })), 'outside-month'],
  ])('quarantines %s with its reason and 1-based line number', (_name, bad, reason) => {
    const good = JSON.stringify(event());
    const text = [good, good, bad, good].join('\n');
    const { plays, rejected } = parseEventLog(SOURCE, text, NOV_2018);
    expect(plays).toHaveLength(3);
    expect(rejected).toEqual([{ source_key: SOURCE, line: 3, reason, detail: expect.any(String), raw: bad }]);
    expect(rejected[0].detail.length).toBeGreaterThan(0);
  });

  it('names the offending field in the detail', () => {
    const { rejected } = parseEventLog(SOURCE, lines(event({ length: 'long' }), event({ song: null })), NOV_2018);
    expect(rejected.map((r) => r.detail)).toEqual([expect.stringContaining('length'), expect.stringContaining('song')]);
  });

  it('counts blank and whitespace-only lines for numbering but otherwise ignores them', () => {
    const text = ['', JSON.stringify(event()), '   ', '\t', 'oops', '', JSON.stringify(event({ userId: '' })), ''].join('\n');
    const { plays, reasons } = rejectedAs(text);
    expect(plays).toHaveLength(1);
    expect(reasons).toEqual([
      [5, 'invalid-json'],
      [7, 'missing-user-id'],
    ]);
  });

  it('handles CRLF line endings and a missing final newline, keeping the raw line trimmed', () => {
    const bad = '{"ts": "x"}';
    const text = `${JSON.stringify(event())}\r\n${bad}\r\n${JSON.stringify(event({ itemInSession: 2 }))}`;
    const { plays, rejected } = parseEventLog(SOURCE, text, NOV_2018);
    expect(plays.map((p) => p.itemInSession)).toEqual([1, 2]);
    expect(rejected).toEqual([{ source_key: SOURCE, line: 2, reason: 'wrong-type', detail: expect.any(String), raw: bad }]);
  });

  it('is empty for an empty file', () => {
    expect(parseEventLog(SOURCE, '', NOV_2018)).toEqual({ plays: [], rejected: [], otherPages: 0 });
    expect(parseEventLog(SOURCE, '\n\n\n', NOV_2018)).toEqual({ plays: [], rejected: [], otherPages: 0 });
  });

  it('counts valid events of other pages without quarantining them, even logged-out ones with an empty userId', () => {
    const home = event({ page: 'Home', userId: '', firstName: null, lastName: null, gender: null, song: null, artist: null, length: null, auth: 'Logged Out' });
    const text = lines(home, event(), event({ page: 'Logout' }), { ts: Date.UTC(2018, 10, 2), page: 'Help' });
    const { plays, rejected, otherPages } = parseEventLog(SOURCE, text, NOV_2018);
    expect(rejected).toEqual([]);
    expect(otherPages).toBe(3);
    expect(plays).toHaveLength(1);
  });

  it('is case-sensitive about NextSong', () => {
    const { plays, otherPages } = parseEventLog(SOURCE, lines(event({ page: 'nextsong' })), NOV_2018);
    expect(plays).toEqual([]);
    expect(otherPages).toBe(1);
  });

  it('still quarantines other pages when ts or page is missing or mistyped', () => {
    const text = lines({ page: 'Home' }, { ts: Date.UTC(2018, 10, 2) }, { ts: 'now', page: 'Home' });
    expect(rejectedAs(text).reasons).toEqual([
      [1, 'missing-field'],
      [2, 'missing-field'],
      [3, 'wrong-type'],
    ]);
    expect(rejectedAs(text).otherPages).toBe(0);
  });

  describe('month bounds (UTC, start inclusive, end exclusive)', () => {
    const at = (ts: number, month = NOV_2018) => rejectedAs(lines(event({ ts })), month);

    it('keeps the first and the last millisecond of the month', () => {
      expect(at(Date.UTC(2018, 10, 1, 0, 0, 0, 0)).plays).toHaveLength(1);
      expect(at(Date.UTC(2018, 10, 30, 23, 59, 59, 999)).plays).toHaveLength(1);
    });

    it('rejects the millisecond before and the first millisecond of the next month', () => {
      expect(at(Date.UTC(2018, 10, 1) - 1).reasons).toEqual([[1, 'outside-month']]);
      expect(at(Date.UTC(2018, 11, 1)).reasons).toEqual([[1, 'outside-month']]);
    });

    it('rolls December over into the next year', () => {
      const dec = { year: 2018, month: 12 };
      expect(at(Date.UTC(2018, 11, 31, 23, 59, 59, 999), dec).plays).toHaveLength(1);
      expect(at(Date.UTC(2019, 0, 1), dec).reasons).toEqual([[1, 'outside-month']]);
    });

    it('handles February of a leap year', () => {
      const feb = { year: 2020, month: 2 };
      expect(at(Date.UTC(2020, 1, 29, 12), feb).plays).toHaveLength(1);
      expect(at(Date.UTC(2020, 2, 1), feb).reasons).toEqual([[1, 'outside-month']]);
    });

    it('rejects other pages outside the month too, and does not count them', () => {
      const r = rejectedAs(lines(event({ page: 'Home', ts: Date.UTC(2018, 9, 15) })));
      expect(r.reasons).toEqual([[1, 'outside-month']]);
      expect(r.otherPages).toBe(0);
    });

    it('names the offending instant in the detail', () => {
      const r = at(Date.UTC(2018, 11, 1));
      expect(r.rejected[0].detail).toContain('2018-12-01T00:00:00.000Z');
    });
  });

  it('clips a huge raw line in the quarantine record', () => {
    const huge = `{"ts": ${'1'.repeat(20_000)}`;
    const { rejected } = parseEventLog(SOURCE, huge, NOV_2018);
    expect(rejected[0].reason).toBe('invalid-json');
    expect(rejected[0].raw.length).toBeLessThan(16_500);
    expect(rejected[0].raw.startsWith(huge.slice(0, 16_384))).toBe(true);
    expect(rejected[0].raw).toContain('more characters');
  });

  // Regression: a safe-integer ts outside Date's range (|ts| > 8.64e15) reached `new Date(ts).toISOString()`,
  // which throws RangeError, so the whole file failed instead of one line being quarantined.
  it('quarantines a ts beyond the range of Date instead of failing the whole file', () => {
    const text = lines(event(), event({ ts: 9_000_000_000_000_000 }), event({ ts: -9_000_000_000_000_000 }));
    const { plays, rejected } = parseEventLog(SOURCE, text, NOV_2018);
    expect(plays).toHaveLength(1);
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [2, 'outside-month'],
      [3, 'outside-month'],
    ]);
    expect(rejected[0].detail).toContain('9000000000000000');
    expect(rejected[1].detail).toContain('-9000000000000000');
  });
});
