/** Calendar months as the workflows and the client name them: "YYYY-MM". Pure functions, safe in workflow code. */
export interface Month {
  year: number;
  month: number;
}

export function parseMonth(text: string): Month | undefined {
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? { year: Number(match[1]), month } : undefined;
}

export function formatMonth({ year, month }: Month): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** Every month from `from` to `to`, both included; empty when `to` is before `from`. */
export function monthsBetween(from: Month, to: Month): Month[] {
  const out: Month[] = [];
  for (let i = from.year * 12 + from.month - 1; i <= to.year * 12 + to.month - 1; i++) {
    out.push({ year: Math.floor(i / 12), month: (i % 12) + 1 });
  }
  return out;
}

/** The UTC month an instant falls in. */
export function monthOf(date: Date): Month {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

export function monthWorkflowId({ year, month }: Month): string {
  return `sparkify-etl-${formatMonth({ year, month })}`;
}
