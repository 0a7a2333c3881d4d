import { createHash, hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

// Node's one-shot `hash` skips the Hash object a `createHash` chain builds: a third of the cost of hashing a short
// input, which the facts do once per songplay and write and audit once per songs file.

/** SHA-256 of `data` (a string as UTF-8). */
export function sha256(data: string | Uint8Array): Buffer {
  return hash('sha256', data, 'buffer');
}

/** The content hash the lake records of each file it publishes (`_state/files/`), as hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

/** The same of a local file, read a chunk at a time: a month's songplays file need not fit in memory. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * FNV-1a of a string's UTF-16 code units, from `basis`: cheap, and stable across runs and processes, for spreading
 * keys over shards and for compact fingerprints; not a content hash.
 */
export function fnv1a(text: string, basis = 0x811c9dc5): number {
  let hash = basis;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
