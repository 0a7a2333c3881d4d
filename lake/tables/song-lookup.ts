/** What an event needs to find its song: the event only names title, artist and length. */
export interface SongKey {
  title: string;
  artist_name: string;
  duration: number;
  song_id: string;
  artist_id: string;
}

/** The song an event played: what its songplay row takes from it. */
export interface SongMatch {
  song_id: string;
  artist_id: string;
}

/** Tolerance, in seconds, between an event's length and a song's duration. */
export const DURATION_TOLERANCE_S = 0.001;

/**
 * Finds the song an event played: same title and artist name, duration within tolerance, smallest song_id.
 *
 * Compact, because every transform-facts part on a worker shares one and a catalogue may hold millions of songs: one
 * map entry per distinct title and artist, and each song's duration and ids in flat arrays, its candidates chained in
 * song_id order (no object or array per song, and no copy of title or artist beside the key).
 */
export class SongLookup {
  private readonly first = new Map<string, number>();
  /** The next candidate of the same title and artist, in song_id order; -1 ends the chain. */
  private readonly next: number[] = [];
  private readonly durations: number[] = [];
  private readonly songIds: string[] = [];
  private readonly artistIds: string[] = [];

  constructor(songs: Iterable<SongKey> = []) {
    for (const song of songs) this.add(song);
  }

  find(title: string, artist: string, length: number): SongMatch | undefined {
    for (let at = this.first.get(lookupKey(title, artist)) ?? -1; at !== -1; at = this.next[at]) {
      // A small epsilon keeps 0.001 inclusive despite binary floating point.
      if (Math.abs(this.durations[at] - length) <= DURATION_TOLERANCE_S + 1e-9) return { song_id: this.songIds[at], artist_id: this.artistIds[at] };
    }
    return undefined;
  }

  add(song: SongKey): void {
    const i = this.songIds.length;
    this.songIds.push(song.song_id);
    this.artistIds.push(song.artist_id);
    this.durations.push(song.duration);
    this.next.push(-1);
    const key = lookupKey(song.title, song.artist_name);
    const head = this.first.get(key);
    if (head === undefined) this.first.set(key, i);
    else if (song.song_id < this.songIds[head]) {
      this.next[i] = head;
      this.first.set(key, i);
    } else {
      // After every candidate with a song_id not above this one's: equal ids keep the order they came in.
      let at = head;
      while (this.next[at] !== -1 && this.songIds[this.next[at]] <= song.song_id) at = this.next[at];
      this.next[i] = this.next[at];
      this.next[at] = i;
    }
  }
}

function lookupKey(title: string, artist: string): string {
  return `${title}\u0000${artist}`;
}
