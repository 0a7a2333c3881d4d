/**
 * Live progress of a run or a backfill, read from the workflows' progress queries about once a second and shown on
 * stderr (stdout keeps the report alone, so `--json` stays parseable): on a terminal one line rewritten in place, in
 * a log one line each time it changes.
 */
import type { DagProgress } from '../workflows/dag';
import type { BackfillProgress } from '../workflows/sparkify-backfill';

export const POLL_MS = 1000;

export interface ProgressLine {
  update(text: string): void;
  /** Leaves the last line in place and the cursor on a fresh line. */
  finish(): void;
}

type Stream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

const ERASE_LINE = '\r\x1b[2K';

/**
 * A message for stderr while a progress line may be showing there: on a terminal it first erases that line, so the
 * message starts at the left and the next update draws the progress below it.
 */
export function aboveProgress(message: string, stream: Stream = process.stderr): string {
  return stream.isTTY ? `${ERASE_LINE}${message}` : message;
}

export function progressLine(stream: Stream = process.stderr): ProgressLine {
  let last: string | undefined;
  if (!stream.isTTY) {
    return {
      update(text) {
        if (text !== last) stream.write(`${text}\n`);
        last = text;
      },
      finish() {},
    };
  }
  return {
    // Redrawn even when unchanged: a message printed meanwhile (see aboveProgress) has cleared it.
    update(text) {
      // A pseudo-terminal without a size reports 0 columns.
      const width = Math.max((stream.columns || 80) - 1, 20);
      // \r and "erase line": the line is rewritten in place; cut to the terminal's width so it never wraps.
      stream.write(`${ERASE_LINE}${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      last = text;
    },
    finish() {
      if (last !== undefined) stream.write('\n');
      last = undefined;
    },
  };
}

export interface Poller {
  /** Stops polling, waits for a query in flight, and ends the line. */
  stop(): Promise<void>;
}

/**
 * Calls `read` every `intervalMs` and shows what it returns. A read that fails (a run not yet picked up by a worker,
 * a frontend restarting) is skipped: progress is a courtesy and must never fail the command.
 */
export function pollProgress(read: () => Promise<string | undefined>, line: ProgressLine, intervalMs = POLL_MS): Poller {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = () => {
    inFlight = read()
      .then((text) => {
        if (!stopped && text !== undefined) line.update(text);
      })
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      line.finish();
    },
  };
}

/** "[####······] tasks 4/9 · parts 12/20 · running stage-events 3/4, write-dimensions" */
export function dagProgressText(progress: DagProgress, bar: boolean): string {
  const c = countTasks(progress);
  const running = Object.entries(progress.tasks)
    .filter(([, t]) => t.state === 'running')
    .map(([id, t]) => (t.parts === undefined ? id : `${id} ${t.partsDone ?? 0}/${t.parts}`));
  const failed = Object.entries(progress.tasks).filter(([, t]) => t.state === 'failed').map(([id]) => id);
  return [
    `${bar ? `${progressBar(c.done, c.total)} ` : ''}tasks ${c.done}/${c.total}`,
    c.parts > 0 ? `parts ${c.partsDone}/${c.parts}` : undefined,
    running.length > 0 ? `running ${running.join(', ')}` : undefined,
    failed.length > 0 ? `failed ${failed.join(', ')}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** "[###·······] months 1/3 (0 failed) · running 2018-12 tasks 3/9, 2019-01 tasks 1/9" */
export function backfillProgressText(progress: BackfillProgress, months: ReadonlyMap<string, DagProgress>, bar: boolean): string {
  const done = progress.done.length;
  const failed = progress.done.filter((m) => m.status === 'failed').length;
  const running = progress.running.map((month) => {
    const dag = months.get(month);
    if (!dag) return month;
    const c = countTasks(dag);
    return `${month} tasks ${c.done}/${c.total}${c.parts > 0 ? ` parts ${c.partsDone}/${c.parts}` : ''}`;
  });
  return [
    `${bar ? `${progressBar(done, progress.total)} ` : ''}months ${done}/${progress.total} (${failed} failed)`,
    running.length > 0 ? `running ${running.join(', ')}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

function countTasks(progress: DagProgress): { done: number; total: number; partsDone: number; parts: number } {
  const tasks = Object.values(progress.tasks);
  return {
    done: tasks.filter((t) => t.state === 'done').length,
    total: tasks.length,
    partsDone: tasks.reduce((n, t) => n + (t.partsDone ?? 0), 0),
    parts: tasks.reduce((n, t) => n + (t.parts ?? 0), 0),
  };
}

export function progressBar(done: number, total: number, width = 10): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'·'.repeat(width - filled)}]`;
}
