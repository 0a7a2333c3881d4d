import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { LogLevel } from '../lake/config';

/**
 * Attributes never written (as the SDK names it, and as its core does): a task token lets whoever holds it complete or fail the activity, so it is a credential
 * of sorts, and log pipelines are read by more people than the namespace is.
 */
const WITHHELD = new Set(['taskToken', 'task_token']);

/** One log entry as one JSON line: time, level, message, then the entry's attributes (run, task, part, counts…). */
export function formatJsonLine(entry: LogEntry): string {
  const line: Record<string, unknown> = {
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level,
    msg: entry.message,
  };
  for (const [key, value] of Object.entries(entry.meta ?? {})) {
    if (!WITHHELD.has(key) && !(key in line)) line[key] = value;
  }
  return `${JSON.stringify(line, jsonSafe)}\n`;
}

/**
 * Errors keep their class, their failure type (an ApplicationFailure's `type`, e.g. ConfigError), their message and
 * their causes' (JSON.stringify would give `{}`); bigints become numbers. No stack: the message says what failed, and
 * a stack is many lines of noise in a log pipeline for the rare bug it helps with.
 */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const failureType = (value as { type?: unknown }).type;
    return {
      error: value.name,
      ...(typeof failureType === 'string' ? { type: failureType } : {}),
      message: value.message,
      ...(value.cause !== undefined ? { cause: value.cause } : {}),
    };
  }
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/**
 * The SDK's logger writing JSON lines to `write` (stdout by default). Installed as the Runtime's logger it receives
 * the worker's own lines, the SDK core's, and every activity's context logger, which carries the activity's
 * attributes: JSON lines need no other logging library.
 */
export function jsonLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line)): DefaultLogger {
  return new DefaultLogger(level, (entry) => write(formatJsonLine(entry)));
}
