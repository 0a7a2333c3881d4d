/**
 * What the embedded worker logs while a command follows its run. The command explains a failed run itself, once;
 * the worker's own warnings for each failed activity attempt and workflow, with their stack traces, would bury that
 * explanation, so they are shortened to one line each. Anything else at WARN or above prints as the SDK prints it.
 */
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { aboveProgress } from './progress';

const SHORTENED = ['Activity failed', 'Workflow failed'];

export function embeddedWorkerLogger(write: (line: string) => void = (line) => process.stderr.write(`${aboveProgress(line)}\n`)): DefaultLogger {
  const full = new DefaultLogger('WARN');
  return new DefaultLogger('WARN', (entry: LogEntry) => {
    if (!SHORTENED.includes(entry.message)) return full.log(entry.level, entry.message, entry.meta);
    write(`worker: ${entry.message}: ${oneLine(entry.meta ?? {})}`);
  });
}

/** "stage of sparkify-etl-2018-10 (attempt 1): InputError: No event logs for …" */
function oneLine(meta: Record<string, unknown>): string {
  const error = meta.error as { type?: string; name?: string; message?: string } | undefined;
  const what = [meta.activityType ?? meta.workflowType, meta.workflowId && `of ${String(meta.workflowId)}`, meta.attempt && `(attempt ${String(meta.attempt)})`]
    .filter(Boolean)
    .join(' ');
  return `${what}: ${error?.type ?? error?.name ?? 'Error'}: ${error?.message ?? ''}`;
}
