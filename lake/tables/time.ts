export interface TimeRow {
  start_time: number;
  hour: number;
  day: number;
  week: number;
  weekday: number;
  year: number;
  month: number;
}

/** Calendar fields of an epoch-ms instant in UTC, with Spark's conventions: ISO week, weekday 1 = Sunday. */
export function timeRowOf(startTime: number): TimeRow {
  const date = new Date(startTime);
  return {
    start_time: startTime,
    hour: date.getUTCHours(),
    day: date.getUTCDate(),
    week: isoWeek(date),
    weekday: date.getUTCDay() + 1,
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
  };
}

export function buildTime(startTimes: Iterable<number>): TimeRow[] {
  return [...new Set(startTimes)].sort((a, b) => a - b).map(timeRowOf);
}

/** ISO-8601 week number: weeks start on Monday and week 1 holds the year's first Thursday. */
export function isoWeek(date: Date): number {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = day + (3 - weekday) * 86_400_000;
  const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return 1 + Math.floor((thursday - yearStart) / (7 * 86_400_000));
}
