import { formatMonth, monthBounds, monthIndex, monthOf, monthsBetween, parseMonth, twoDigits } from '../../lake/month';

describe('parseMonth and formatMonth', () => {
  it('read and write YYYY-MM, padding the month', () => {
    expect(parseMonth('2018-11')).toEqual({ year: 2018, month: 11 });
    expect(parseMonth('2019-01')).toEqual({ year: 2019, month: 1 });
    expect(formatMonth({ year: 2018, month: 1 })).toBe('2018-01');
    expect(formatMonth({ year: 2018, month: 11 })).toBe('2018-11');
    for (const text of ['2018-01', '1999-12', '2030-06']) expect(formatMonth(parseMonth(text)!)).toBe(text);
    expect(twoDigits(7)).toBe('07');
  });

  it.each(['2018-13', '2018-00', '2018-1', '18-11', '2018/11', '2018-11-01', ' 2018-11', ''])('refuses %j', (text) => {
    expect(parseMonth(text)).toBeUndefined();
  });
});

describe('monthsBetween and monthIndex', () => {
  it('lists every month of a range across years, both ends included', () => {
    expect(monthsBetween({ year: 2018, month: 11 }, { year: 2019, month: 2 }).map(formatMonth)).toEqual(['2018-11', '2018-12', '2019-01', '2019-02']);
    expect(monthsBetween({ year: 2018, month: 11 }, { year: 2018, month: 11 })).toEqual([{ year: 2018, month: 11 }]);
    expect(monthsBetween({ year: 2019, month: 1 }, { year: 2018, month: 12 })).toEqual([]);
    expect(monthIndex({ year: 2019, month: 1 }) - monthIndex({ year: 2018, month: 12 })).toBe(1);
  });
});

describe('monthOf', () => {
  it('takes the UTC month of an instant', () => {
    expect(monthOf(new Date('2018-11-30T23:59:59.999Z'))).toEqual({ year: 2018, month: 11 });
    expect(monthOf(new Date('2018-12-01T00:00:00Z'))).toEqual({ year: 2018, month: 12 });
  });
});

describe('monthBounds', () => {
  it('spans the UTC month, end exclusive', () => {
    expect(monthBounds({ year: 2018, month: 11 })).toEqual({ startMs: Date.parse('2018-11-01T00:00:00Z'), endMs: Date.parse('2018-12-01T00:00:00Z') });
  });

  it('rolls December into January of the next year and knows leap years', () => {
    expect(monthBounds({ year: 2018, month: 12 }).endMs).toBe(Date.parse('2019-01-01T00:00:00Z'));
    const feb = monthBounds({ year: 2020, month: 2 });
    expect((feb.endMs - feb.startMs) / 86_400_000).toBe(29);
    const feb19 = monthBounds({ year: 2019, month: 2 });
    expect((feb19.endMs - feb19.startMs) / 86_400_000).toBe(28);
  });
});
