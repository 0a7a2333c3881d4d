import { SongLookup } from '../tables/song-lookup';

/** How long a lookup no part uses stays loaded: the next segment of the same run usually starts well within it. */
const LINGER_MS = 30_000;

interface Shared {
  lookup: Promise<SongLookup>;
  users: number;
  release?: NodeJS.Timeout;
}

const loaded = new Map<string, Shared>();

/**
 * Runs `use` with the song lookup whose content hashes to `hash`, loading it only if no part on this worker holds it:
 * the transform-facts parts a worker runs at once share one copy (a catalogue of millions of songs is hundreds of MB),
 * and the next part reuses it. It is let go once unused for LINGER_MS; a failed load is not kept.
 */
export async function withSongLookup<T>(hash: string, load: () => Promise<SongLookup>, use: (lookup: SongLookup) => Promise<T>): Promise<T> {
  let shared = loaded.get(hash);
  if (!shared) {
    shared = { lookup: load(), users: 0 };
    loaded.set(hash, shared);
    const entry = shared;
    entry.lookup.catch(() => loaded.get(hash) === entry && loaded.delete(hash));
  }
  clearTimeout(shared.release);
  shared.users++;
  try {
    return await use(await shared.lookup);
  } finally {
    const entry = shared;
    if (--entry.users === 0 && loaded.get(hash) === entry) {
      entry.release = setTimeout(() => entry.users === 0 && loaded.delete(hash), LINGER_MS);
      // A lingering lookup never keeps a process alive that has nothing else to do.
      entry.release.unref();
    }
  }
}

/** How many lookups this process holds: for tests. */
export function sharedLookups(): number {
  return loaded.size;
}
