/** What an event needs to find its song: the event only names title, artist and length. */
export interface SongKey {
  title: string;
  artist_name: string;
  duration: number;
  song_id: string;
  artist_id: string;
}

/** Tolerance, in seconds, between an event's length and a song's duration. */
export const DURATION_TOLERANCE_S = 0.001;

/** Finds the song an event played: same title and artist name, duration within tolerance, smallest song_id. */
export class SongLookup {
  private readonly byTitleArtist = new Map<string, SongKey[]>();

  constructor(songs: Iterable<SongKey>) {
    for (const song of songs) {
      const key = lookupKey(song.title, song.artist_name);
      const list = this.byTitleArtist.get(key);
      if (list) list.push(song);
      else this.byTitleArtist.set(key, [song]);
    }
    for (const list of this.byTitleArtist.values()) list.sort((a, b) => (a.song_id < b.song_id ? -1 : a.song_id > b.song_id ? 1 : 0));
  }

  find(title: string, artist: string, length: number): SongKey | undefined {
    const candidates = this.byTitleArtist.get(lookupKey(title, artist));
    // A small epsilon keeps 0.001 inclusive despite binary floating point.
    return candidates?.find((song) => Math.abs(song.duration - length) <= DURATION_TOLERANCE_S + 1e-9);
  }
}

function lookupKey(title: string, artist: string): string {
  return `${title}\u0000${artist}`;
}
