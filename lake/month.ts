/**
 * The calendar month a run loads, as every layer names it: "YYYY-MM" in text, { year, month } in code. Pure
 * functions only, so workflow code may import them.
 */
export interface Month {
  year: number;
  /** 1 = January … 12 = December. */
  month: number;
}

/** "2018-11" → { year: 2018, month: 11 }; undefined for anything else, a month 13 included. */
export function parseMonth(text: string): Month | undefined {
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? { year: Number(match[1]), month } : undefined;
}

/** { year: 2018, month: 1 } → "2018-01". */
export function formatMonth({ year, month }: Month): string {
  return `${year}-${twoDigits(month)}`;
}

/** The month's two digits, as folder and file names of the event logs spell it ("01"). */
export function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

/** Every month from `from` to `to`, both included; empty when `to` is before `from`. */
export function monthsBetween(from: Month, to: Month): Month[] {
  const out: Month[] = [];
  for (let i = monthIndex(from); i <= monthIndex(to); i++) out.push({ year: Math.floor(i / 12), month: (i % 12) + 1 });
  return out;
}

/** Months since year 0: orders months and measures ranges. */
export function monthIndex({ year, month }: Month): number {
  return year * 12 + month - 1;
}

/** The UTC month an instant falls in. */
export function monthOf(date: Date): Month {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

/** The month's first instant and the next month's first instant, in UTC milliseconds. */
export function monthBounds({ year, month }: Month): { startMs: number; endMs: number } {
  return { startMs: Date.UTC(year, month - 1, 1), endMs: Date.UTC(year, month, 1) };
}
