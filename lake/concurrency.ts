/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  });
  await Promise.all(runners);
  return results;
}

/** Rows a long synchronous loop handles between two turns of the event loop, which keep heartbeats and polls flowing. */
export const ROWS_PER_TURN = 50_000;

/** Lets the event loop run (timers, heartbeats, I/O callbacks) before the caller goes on. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Synchronous pieces of work that many callers chain with `await`: awaiting a promise that is already settled does
 * not let the event loop turn, so such a chain (a part's small reads, say) holds heartbeats, polls and the worker's
 * workflow tasks for as long as the whole chain runs. `due()` waits for a turn once `sliceMs` passed since the last.
 */
export class SyncSlices {
  private since: number;

  constructor(
    private readonly sliceMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = now();
  }

  async due(): Promise<void> {
    if (this.now() - this.since < this.sliceMs) return;
    await nextTurn();
    this.since = this.now();
  }
}
