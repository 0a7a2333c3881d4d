/** The reports `sparkify` prints, as plain text for a person; `--json` prints the same objects whole instead. */
import { formatMonth } from '../lake/month';
import type { RunReport } from '../lake/steps/publish';
import type { BackfillResult } from '../workflows/sparkify-backfill';
import type { MonthOutcome } from '../workflows/month-child';

/** A report to stdout: the object itself as JSON for scripts, else its text for a person. */
export function printReport<T>(value: T, json: boolean | undefined, asText: (value: T) => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : asText(value));
}

export function runReportText(r: RunReport): string {
  const month = formatMonth(r);
  const tables = Object.entries(r.tables).map(([table, rows]) => `${table} ${rows}`).join(', ');
  const published = sum(r.filesPublished);
  const unchanged = sum(r.filesUnchanged);
  const reasons = Object.entries(r.quarantined.byReason).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${n}`);
  const steps = Object.entries(r.steps).map(([task, s]) => `${task} ${s.toFixed(1)} s`).join(', ');
  return [
    `Loaded ${month} into ${r.output} (${r.workflowId}, run ${r.runId}, committed ${r.committedAt})`,
    `  input:        ${r.input}`,
    `  rows:         ${tables} (songplays with a song: ${r.songplaysWithSong})`,
    `  files:        ${published} published, ${unchanged} unchanged, ${r.staleFilesRemoved} stale removed`,
    `  quarantined:  ${r.quarantined.total}${reasons.length ? ` (${reasons.join(', ')})` : ''}`,
    `  read:         ${r.read.objects} objects, ${megabytes(r.read.bytes)}, ${r.read.songFilesReused} song files${r.read.songCatalogueKept ? ' (the kept catalogue: none staged)' : ''} and ${r.read.eventFilesReused ?? 0} event logs reused`,
    `  steps:        ${steps}`,
  ].join('\n');
}

export function backfillResultText(r: BackfillResult): string {
  const lines = [`Backfill ${r.from} … ${r.to}: ${r.completed} completed, ${r.failed} failed, ${r.alreadyRunning} already running`];
  for (const m of r.months) lines.push(`  ${m.month}  ${m.status.padEnd(15)} ${monthDetail(m)}`);
  return lines.join('\n');
}

function monthDetail(m: MonthOutcome): string {
  if (m.status === 'completed' && m.tables) return `songplays ${m.tables.songplays}, users ${m.tables.users}, quarantined ${m.quarantined ?? 0}`;
  if (m.status === 'failed') return m.failure?.task ? `task ${m.failure.task}: ${m.failure.errorType ?? 'Error'}` : (m.error ?? '');
  return m.workflowId;
}

/** Any other flat report (gc, generate, a schedule): one "key: value" line each, nested values as JSON. */
export function keyValueText(value: object): string {
  return Object.entries(value)
    .map(([key, v]) => `${key}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('\n');
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
