import { mapLimit } from '../concurrency';
import { inputKeys } from '../layout';
import { monthsBetween, type Month } from '../month';
import type { ObjectStore } from '../storage/object-store';
import { Random, Zipf } from './random';
import { ARTIST_LOCATIONS, ARTIST_WORDS, FIRST_NAMES, LAST_NAMES, LOCATIONS, OTHER_PAGES, TITLE_WORDS, USER_AGENTS } from './vocabulary';

export interface GenerateOptions {
  songs: number;
  users: number;
  /** Events per month, of every page. */
  events: number;
  from: Month;
  months: number;
  seed: number;
  concurrency?: number;
  onProgress?: (message: string) => void;
}

export interface GeneratedSummary {
  songFiles: number;
  artists: number;
  logFiles: number;
  events: number;
  nextSongEvents: number;
}

interface Song {
  song_id: string;
  title: string;
  duration: number;
  year: number;
  artist_id: string;
  artist_name: string;
  artist_location: string;
  artist_latitude: number | null;
  artist_longitude: number | null;
}

interface User {
  userId: string;
  firstName: string;
  lastName: string;
  gender: string;
  level: 'free' | 'paid';
  location: string;
  userAgent: string;
  registration: number;
}

/** Song files built and written together; bounds the generator's memory at a million songs. */
const SONG_FILES_PER_CHUNK = 10_000;

/** Writes a Sparkify-shaped data set (song_data/ and log_data/) that is the same for the same options. */
export async function generateDataset(store: ObjectStore, options: GenerateOptions): Promise<GeneratedSummary> {
  const random = new Random(options.seed);
  const concurrency = options.concurrency ?? 64;
  const songs = makeSongs(random, options.songs);
  // Written a chunk at a time, so a million song files are never all in memory as JSON; keys are drawn before each
  // chunk's parallel writes, so the random sequence does not depend on write timing.
  for (let start = 0; start < songs.length; start += SONG_FILES_PER_CHUNK) {
    const chunk = songs.slice(start, start + SONG_FILES_PER_CHUNK);
    const songFiles = chunk.map((song) => ({ key: songKey(song.song_id, random), body: JSON.stringify({ num_songs: 1, ...song }) }));
    await mapLimit(songFiles, concurrency, (f) => store.put(f.key, f.body));
  }
  options.onProgress?.(`${songs.length} song files written`);

  const users = makeUsers(random, options.users);
  const popularity = new Zipf(songs.length);
  let events = 0;
  let nextSong = 0;
  let logFiles = 0;
  for (const runMonth of monthsBetween(options.from, { year: options.from.year, month: options.from.month + options.months - 1 })) {
    const { year, month } = runMonth;
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const perDay = Math.ceil(options.events / days);
    // One day's log is made and written before the next is made: memory holds a day, not a month of events.
    for (let day = 1; day <= days; day++) {
      const lines = makeDay(random, { year, month, day }, perDay, users, songs, popularity);
      events += lines.length;
      nextSong += lines.filter((l) => l.includes('"page":"NextSong"')).length;
      await store.put(inputKeys.eventLog(runMonth, day), `${lines.join('\n')}\n`);
    }
    logFiles += days;
    options.onProgress?.(`${year}-${month}: ${days} log files written`);
  }
  return { songFiles: songs.length, artists: new Set(songs.map((s) => s.artist_id)).size, logFiles, events, nextSongEvents: nextSong };
}

/** The Million Song Dataset's layout: song_data/<3rd>/<4th>/<5th letter of the track id>/<track id>.json. */
function songKey(songId: string, random: Random): string {
  const track = `TR${songId.slice(2, 5)}${random.id('', 11)}`;
  return `${inputKeys.songPrefix()}${track[2]}/${track[3]}/${track[4]}/${track}.json`;
}

function makeSongs(random: Random, count: number): Song[] {
  const artistCount = Math.max(1, Math.round(count * 0.6));
  const artists = Array.from({ length: artistCount }, () => ({
    id: random.id('AR', 16),
    name: `${random.pick(ARTIST_WORDS)} ${random.pick(ARTIST_WORDS)}`,
    location: random.pick(ARTIST_LOCATIONS),
    coordinates: random.chance(0.4) ? null : { lat: random.next() * 140 - 70, lon: random.next() * 360 - 180 },
  }));
  return Array.from({ length: count }, () => {
    const artist = random.pick(artists);
    return {
      song_id: random.id('SO', 16),
      // A small vocabulary makes titles collide across artists, as real catalogues do.
      title: random.chance(0.5) ? random.pick(TITLE_WORDS) : `${random.pick(TITLE_WORDS)} ${random.pick(TITLE_WORDS)}`,
      duration: Math.round((60 + random.next() * 400) * 100_000) / 100_000,
      year: random.chance(0.5) ? 0 : 1950 + random.int(70),
      artist_id: artist.id,
      artist_name: artist.name,
      artist_location: artist.location,
      artist_latitude: artist.coordinates?.lat ?? null,
      artist_longitude: artist.coordinates?.lon ?? null,
    };
  });
}

function makeUsers(random: Random, count: number): User[] {
  return Array.from({ length: count }, (_, i) => ({
    userId: String(i + 1),
    firstName: random.pick(FIRST_NAMES),
    lastName: random.pick(LAST_NAMES),
    gender: random.chance(0.5) ? 'F' : 'M',
    level: random.chance(0.3) ? 'paid' : 'free',
    location: random.pick(LOCATIONS),
    userAgent: random.pick(USER_AGENTS),
    registration: 1_540_000_000_000 + random.int(10_000_000) * 1000,
  }));
}

function makeDay(
  random: Random,
  date: { year: number; month: number; day: number },
  count: number,
  users: User[],
  songs: Song[],
  popularity: Zipf,
): string[] {
  const dayStart = Date.UTC(date.year, date.month - 1, date.day);
  const lines: string[] = [];
  let sessionId = date.day * 10_000 + random.int(1000);
  while (lines.length < count) {
    const user = random.pick(users);
    // Users upgrade and downgrade now and then; the users table must keep the latest level.
    if (random.chance(0.05)) user.level = user.level === 'free' ? 'paid' : 'free';
    const loggedOut = random.chance(0.03);
    const sessionLength = 1 + random.int(40);
    let ts = dayStart + random.int(86_000_000);
    sessionId++;
    for (let item = 0; item < sessionLength && lines.length < count && ts < dayStart + 86_400_000; item++) {
      const isPlay = !loggedOut && random.chance(0.82);
      // Real logs name songs the catalogue lacks far more often than ones it has.
      const known = random.chance(0.3);
      const song = songs[popularity.sample(random)];
      const page = isPlay ? 'NextSong' : loggedOut ? random.pick(['Home', 'Login', 'About', 'Help']) : weightedPage(random);
      lines.push(
        JSON.stringify({
          artist: isPlay ? (known ? song.artist_name : `${random.pick(ARTIST_WORDS)} ${random.pick(ARTIST_WORDS)}`) : null,
          auth: loggedOut ? 'Logged Out' : 'Logged In',
          firstName: loggedOut ? null : user.firstName,
          gender: loggedOut ? null : user.gender,
          itemInSession: item,
          lastName: loggedOut ? null : user.lastName,
          length: isPlay ? (known ? song.duration : Math.round((60 + random.next() * 400) * 100_000) / 100_000) : null,
          level: user.level,
          location: loggedOut ? null : user.location,
          method: page === 'NextSong' ? 'PUT' : 'GET',
          page,
          registration: loggedOut ? null : user.registration,
          sessionId,
          song: isPlay ? (known ? song.title : `${random.pick(TITLE_WORDS)} ${random.pick(TITLE_WORDS)}`) : null,
          status: 200,
          ts,
          userAgent: loggedOut ? null : user.userAgent,
          userId: loggedOut ? '' : user.userId,
        }),
      );
      ts += isPlay ? 120_000 + random.int(200_000) : 1000 + random.int(30_000);
    }
  }
  return lines;
}

function weightedPage(random: Random): string {
  const total = OTHER_PAGES.reduce((sum, [, w]) => sum + w, 0);
  let u = random.next() * total;
  for (const [page, weight] of OTHER_PAGES) if ((u -= weight) <= 0) return page;
  return 'Home';
}
