import { rawEvent } from './builders';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';


/** A NextSong line of about 300 bytes; `i` varies the user, the time and the item so rows differ. */
export function bigLogLine(i: number): string {
  return JSON.stringify(
    rawEvent({
      artist: 'Streaming Artist', firstName: 'Big', itemInSession: i % 1000, lastName: 'Log', length: 200.5,
      level: i % 3 === 0 ? 'paid' : 'free', location: 'Somewhere, XX', sessionId: Math.floor(i / 1000), song: 'A Very Long Day',
      ts: Date.UTC(2018, 10, 1) + (i % 2_000_000_000), userAgent: 'agent', userId: String(i % 500),
    }),
  );
}

export interface BigLogShape {
  /** Lines past this many bytes of the file become one line of `longLineBytes` (quarantined as line-too-long). */
  longLineAt?: number;
  longLineBytes?: number;
}

/**
 * Writes an event log of at least `bytes` bytes to disk through a stream, a few hundred KiB at a time, so the test
 * process never holds it. Returns how many NextSong lines it has and whether the long line went in.
 */
export async function writeBigLog(file: string, bytes: number, shape: BigLogShape = {}): Promise<{ plays: number; longLines: number }> {
  const out = createWriteStream(file);
  let written = 0;
  let plays = 0;
  let longLines = 0;
  const write = async (data: string | Buffer) => {
    written += Buffer.byteLength(data);
    if (!out.write(data)) await once(out, 'drain');
  };
  while (written < bytes) {
    let block = '';
    while (block.length < 256 * 1024) block += `${bigLogLine(plays++)}\n`;
    await write(block);
    if (shape.longLineAt !== undefined && longLines === 0 && written >= shape.longLineAt) {
      // Written a MiB at a time, like everything else here: the line is as long as the test wants, the process is not.
      const filler = Buffer.alloc(1024 * 1024, 'x');
      await write('{"junk": "');
      for (let left = shape.longLineBytes ?? 0; left > 0; left -= filler.length) await write(filler.subarray(0, Math.min(left, filler.length)));
      await write('"}\n');
      longLines++;
    }
  }
  out.end();
  await once(out, 'close');
  return { plays, longLines };
}

/** Runs `fn` while sampling the process's resident set size; returns its result and the highest RSS seen. */
export async function withPeakRss<T>(fn: () => Promise<T>, everyMs = 10): Promise<{ result: T; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), everyMs);
  try {
    const result = await fn();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { result, peakRss };
  } finally {
    clearInterval(sampler);
  }
}
