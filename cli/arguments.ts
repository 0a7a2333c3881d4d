/**
 * Parsers for the values of `sparkify` options. Each checks its value's form and range where commander reads it, so a
 * bad value fails before any connection or server start, with a message naming the option (commander adds it).
 */
import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../lake/errors';
import { parseMonth, type Month } from '../lake/month';

/** The years a run accepts; the workflow checks the same bounds. */
export const YEARS = { min: 1900, max: 9999 } as const;

/** A whole number from `min` to `max` (inclusive). */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError(`must be a whole number, got "${text}"`);
    if (n < min || n > max) throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `must be ${min} or more, got ${n}` : `must be from ${min} to ${max}, got ${n}`);
    return n;
  };
}

export const yearNumber = wholeNumber(YEARS.min, YEARS.max);
export const monthNumber = wholeNumber(1, 12);

/** "YYYY-MM", a month 1-12 of a year the workflows accept. */
export function monthText(text: string): string {
  const month = parseMonth(text);
  if (!month) throw new InvalidArgumentError(`must be a month like 2018-11, got "${text}"`);
  yearInRange(month);
  return text;
}

/**
 * "YYYY-MM-DD", or a bare "YYYY-MM"; kept as text, since whether a bare month means its first or its last day
 * depends on the option (see dayOf).
 */
export function dayText(text: string): string {
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text);
  const month = match ? parseMonth(`${match[1]}-${match[2]}`) : undefined;
  if (!match || !month) throw new InvalidArgumentError(`must be a date like 2018-11-01 (or a month like 2018-11), got "${text}"`);
  yearInRange(month);
  if (match[3] !== undefined) {
    const day = Number(match[3]);
    if (day < 1 || day > daysIn(month)) throw new InvalidArgumentError(`has no day ${match[3]} in ${match[1]}-${match[2]}`);
  }
  return text;
}

/** A day given by dayText: a bare month is its first day as the start of a range and its last day as the end. */
export function dayOf(text: string, end: 'start' | 'end'): Date {
  const [year, month, day] = text.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day ?? (end === 'start' ? 1 : daysIn({ year, month }))));
}

/** A UTC time of day "HH:MM", 00:00 to 23:59. */
export function timeOfDay(text: string): string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) throw new InvalidArgumentError(`must be a UTC time of day like 03:00, got "${text}"`);
  return text;
}

const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];
const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week, UTC) or a macro such as @daily, as
 * Temporal schedules take them; checked here so a typo is not first reported by the server.
 */
export function cronExpression(text: string): string {
  const trimmed = text.trim();
  if (CRON_MACROS.includes(trimmed.toLowerCase())) return trimmed;
  const fields = trimmed.split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) {
    throw new InvalidArgumentError(`must be a cron expression of 5 fields (minute hour day-of-month month day-of-week) or one of ${CRON_MACROS.join(', ')}, got "${text}"`);
  }
  fields.forEach((field, i) => checkCronField(field, CRON_FIELDS[i], text));
  return fields.join(' ');
}

function checkCronField(field: string, spec: (typeof CRON_FIELDS)[number], whole: string): void {
  const bad = (why: string) => new InvalidArgumentError(`has a bad ${spec.name} field "${field}" in "${whole}": ${why}`);
  for (const item of field.split(',')) {
    const [range, step] = item.split('/');
    if (step !== undefined && !/^\d+$/.test(step)) throw bad(`step "${step}" is not a number`);
    if (range === '*' || range === '?') continue;
    for (const bound of range.split('-')) {
      const value = /^\d+$/.test(bound) ? Number(bound) : (spec.names?.indexOf(bound.toUpperCase()) ?? -1) + (spec.name === 'month' ? 1 : 0);
      if (!/^\d+$/.test(bound) && (spec.names?.indexOf(bound.toUpperCase()) ?? -1) < 0) throw bad(`"${bound}" is neither a number nor a name`);
      if (value < spec.min || value > spec.max) throw bad(`${value} is outside ${spec.min}-${spec.max}`);
    }
  }
}

/** The range's end must not come before its start; both are checked values of one form ("YYYY-MM" or ISO times). */
export function checkOrder(from: string, to: string, names: { from: string; to: string } = { from: '--from', to: '--to' }): void {
  if (to < from) throw new ConfigError(`${names.to} (${to}) is before ${names.from} (${from})`);
}

function yearInRange({ year }: Month): void {
  if (year < YEARS.min || year > YEARS.max) throw new InvalidArgumentError(`has year ${year}, outside ${YEARS.min}-${YEARS.max}`);
}

function daysIn({ year, month }: Month): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Checks across options, run before a command's implementation loads (and with it the Temporal SDK): what one
 * option means depends on another.
 */
export const crossChecks = {
  run(options: { year?: number; month?: number; embedded?: boolean; serve?: boolean }): void {
    if (options.serve && !options.embedded) throw new ConfigError('--serve goes with --embedded');
    if (options.embedded) return;
    if (options.year === undefined) throw new ConfigError('--year is required (without --embedded)');
    if (options.month === undefined) throw new ConfigError('--month is required (without --embedded)');
  },
  backfill(options: { from: string; to: string }): void {
    checkOrder(options.from, options.to);
  },
  scheduleUpdate(options: { at?: string; cron?: string; pause?: boolean; unpause?: boolean }): void {
    if (!options.at && !options.cron && !options.pause && !options.unpause) {
      throw new ConfigError('schedule update needs something to change: --at, --cron, --pause or --unpause');
    }
  },
  scheduleBackfill(options: { from: string; to: string }): void {
    checkOrder(dayOf(options.from, 'start').toISOString().slice(0, 10), dayOf(options.to, 'end').toISOString().slice(0, 10));
  },
};
