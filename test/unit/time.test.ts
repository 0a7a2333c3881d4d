import { buildTime, isoWeek, timeRowOf } from '../../lake/tables/time';

const utc = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** An independent ISO-8601 week: ordinal-date formula, with the 52/53-week rule for the year boundaries. */
function referenceIsoWeek(date: Date): number {
  const y = date.getUTCFullYear();
  const ordinal = (Date.UTC(y, date.getUTCMonth(), date.getUTCDate()) - Date.UTC(y, 0, 1)) / 86_400_000 + 1;
  const dow = date.getUTCDay() === 0 ? 7 : date.getUTCDay(); // Monday = 1 … Sunday = 7
  const weeksIn = (year: number) => {
    const jan1 = new Date(Date.UTC(year, 0, 1)).getUTCDay(); // 0 = Sunday
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
  };
  const week = Math.floor((ordinal - dow + 10) / 7);
  if (week < 1) return weeksIn(y - 1);
  if (week > weeksIn(y)) return 1;
  return week;
}

describe('isoWeek', () => {
  it.each([
    ['2018-11-01', 44],
    ['2018-12-31', 1], // Monday of the week holding 2019-01-03
    ['2018-12-30', 52], // Sunday closes 2018's week 52
    ['2019-01-01', 1],
    ['2021-01-03', 53], // Sunday still in 2020's week 53
    ['2021-01-04', 1],
    ['2020-12-31', 53],
    ['2016-01-01', 53], // Friday belongs to 2015's week 53
    ['2016-01-04', 1],
    ['2015-12-28', 53],
    ['2017-01-01', 52], // Sunday, 2016 had 52 weeks
    ['2026-01-01', 1],
    ['2027-01-01', 53],
  ])('%s is in ISO week %i', (iso, week) => {
    expect(isoWeek(utc(iso))).toBe(week);
  });

  it('ignores the time of day, up to the last millisecond of the UTC day', () => {
    expect(isoWeek(new Date('2018-12-30T23:59:59.999Z'))).toBe(52);
    expect(isoWeek(new Date('2018-12-31T00:00:00.000Z'))).toBe(1);
  });

  it('agrees with an independent ISO week computation for every day of 1999–2032', () => {
    const mismatches: string[] = [];
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2033, 0, 1); t += 86_400_000) {
      const d = new Date(t + 13 * 3_600_000); // midday, to exercise the time-of-day truncation
      if (isoWeek(d) !== referenceIsoWeek(d)) mismatches.push(d.toISOString());
    }
    expect(mismatches).toEqual([]);
  });
});

describe('timeRowOf', () => {
  it('splits a timestamp into UTC calendar fields with weekday 1 = Sunday', () => {
    const ts = Date.UTC(2018, 10, 1, 21, 1, 46, 796); // Thursday 2018-11-01T21:01:46.796Z
    expect(timeRowOf(ts)).toEqual({ start_time: ts, hour: 21, day: 1, week: 44, weekday: 5, year: 2018, month: 11 });
  });

  it.each([
    ['2018-11-04T00:00:00Z', 1], // Sunday
    ['2018-11-05T12:00:00Z', 2], // Monday
    ['2018-11-03T23:59:59Z', 7], // Saturday
  ])('%s has weekday %i', (iso, weekday) => {
    expect(timeRowOf(Date.parse(iso)).weekday).toBe(weekday);
  });

  it('uses UTC at month and year edges', () => {
    expect(timeRowOf(Date.parse('2018-11-30T23:59:59.999Z'))).toMatchObject({ year: 2018, month: 11, day: 30, hour: 23 });
    expect(timeRowOf(Date.parse('2018-12-31T23:59:59.999Z'))).toMatchObject({ year: 2018, month: 12, day: 31, week: 1, weekday: 2 });
    expect(timeRowOf(Date.parse('2019-01-01T00:00:00.000Z'))).toMatchObject({ year: 2019, month: 1, day: 1, hour: 0, week: 1 });
  });
});

describe('buildTime', () => {
  it('keeps one row per distinct start time, in ascending order', () => {
    const a = Date.UTC(2018, 10, 2, 1);
    const b = Date.UTC(2018, 10, 1, 5);
    const c = Date.UTC(2018, 10, 15, 23, 59, 59, 999);
    const rows = buildTime([c, a, b, a, c, c]);
    expect(rows.map((r) => r.start_time)).toEqual([b, a, c]);
    expect(rows).toEqual([b, a, c].map(timeRowOf));
  });

  it('accepts any iterable, including an empty one', () => {
    expect(buildTime([])).toEqual([]);
    const ts = Date.UTC(2018, 10, 1);
    expect(buildTime(new Set([ts]).values())).toEqual([timeRowOf(ts)]);
  });

  it('orders numerically, not as text', () => {
    const rows = buildTime([1_000_000_000_000, 999_999_999_999, 10_000_000_000_000]);
    expect(rows.map((r) => r.start_time)).toEqual([999_999_999_999, 1_000_000_000_000, 10_000_000_000_000]);
  });
});
