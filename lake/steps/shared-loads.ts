/**
 * What the activities running at once on a worker load alike (the song lookup, a table's record of published files)
 * and may hold once: one copy per key, loaded by the first caller, reused by the others and by whoever comes within
 * `lingerMs` of the last one, then let go. A key must name the content (a hash, an ETag), never just a place. A load
 * that fails is not kept.
 */
export class SharedLoads<T> {
  private readonly loaded = new Map<string, { value: Promise<T>; users: number; release?: NodeJS.Timeout }>();

  constructor(private readonly lingerMs: number) {}

  async use<R>(key: string, load: () => Promise<T>, use: (value: T) => Promise<R>): Promise<R> {
    let shared = this.loaded.get(key);
    if (!shared) {
      const entry = { value: load(), users: 0 };
      this.loaded.set(key, entry);
      entry.value.catch(() => this.loaded.get(key) === entry && this.loaded.delete(key));
      shared = entry;
    }
    clearTimeout(shared.release);
    shared.users++;
    try {
      return await use(await shared.value);
    } finally {
      const entry = shared;
      if (--entry.users === 0 && this.loaded.get(key) === entry) {
        entry.release = setTimeout(() => entry.users === 0 && this.loaded.delete(key), this.lingerMs);
        // A lingering value never keeps a process alive that has nothing else to do.
        entry.release.unref();
      }
    }
  }

  /** How many values are held: for tests. */
  get size(): number {
    return this.loaded.size;
  }
}
