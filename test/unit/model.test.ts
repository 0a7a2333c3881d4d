import { addCounts, monthBounds, monthLabel } from '../../lake/model';

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

describe('monthLabel', () => {
  it('pads the month', () => {
    expect(monthLabel({ year: 2018, month: 1 })).toBe('2018-01');
    expect(monthLabel({ year: 2018, month: 11 })).toBe('2018-11');
  });
});

describe('addCounts', () => {
  it('adds reason counts into the first argument and returns it', () => {
    const into = { 'invalid-json': 1, 'outside-month': 2 } as const;
    const target = { ...into };
    const result = addCounts(target, { 'invalid-json': 3, 'missing-user-id': 4 });
    expect(result).toBe(target);
    expect(result).toEqual({ 'invalid-json': 4, 'outside-month': 2, 'missing-user-id': 4 });
    expect(addCounts({}, {})).toEqual({});
  });
});
