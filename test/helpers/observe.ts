/** What tests wait for and compare: polling a condition, an error's cause chain, a store's bytes. */
import { createHash } from 'node:crypto';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';

/** Polls `probe` until it returns a value, failing after `seconds` with what was awaited. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds = 120): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The messages of an error and its causes, outermost first, joined by " <- ". */
export function causeChain(err: unknown): string {
  const out: string[] = [];
  for (let e = err as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) out.push(e.message ?? '');
  return out.join(' <- ');
}

/** Every object of the store with the SHA-256 of its bytes: what "byte-identical" compares. */
export async function contentHashes(store: ObjectStore, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { key } of await listAll(store, prefix)) out[key] = createHash('sha256').update(await store.get(key)).digest('hex');
  return out;
}
