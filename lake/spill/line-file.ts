import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** Bytes buffered before a write, and read per call: large enough that system calls cost little. */
const BLOCK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/** Lines appended to a local file through a buffer; synchronous, like the encoders that spill. */
export class LineFileWriter {
  private readonly fd: number;
  private pending = '';
  lines = 0;

  constructor(readonly path: string) {
    // Created at once, so a writer given no lines still leaves an (empty) file to read or upload.
    this.fd = openSync(path, 'w');
  }

  add(line: string): void {
    this.pending += `${line}\n`;
    this.lines++;
    if (this.pending.length >= BLOCK_BYTES) this.flush();
  }

  /** Writes what is buffered and closes the file; returns its path. */
  close(): string {
    this.flush();
    closeSync(this.fd);
    return this.path;
  }

  private flush(): void {
    if (this.pending === '') return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }
}

/**
 * The non-empty lines of a local file, read a block at a time: split on the newline byte, so a multi-byte character
 * that straddles two blocks is decoded whole.
 */
export function* readLines(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const block = Buffer.allocUnsafe(BLOCK_BYTES);
    let rest: Buffer = Buffer.alloc(0);
    for (let read = readSync(fd, block); read > 0; read = readSync(fd, block)) {
      const bytes = rest.length > 0 ? Buffer.concat([rest, block.subarray(0, read)]) : block.subarray(0, read);
      let start = 0;
      for (let nl = bytes.indexOf(NEWLINE); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
        if (nl > start) yield bytes.toString('utf8', start, nl);
        start = nl + 1;
      }
      // Copied: the block is reused by the next read.
      rest = Buffer.from(bytes.subarray(start));
    }
    if (rest.length > 0) yield rest.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The rows of an NDJSON file on local disk, one line at a time. */
export function* readRows<T>(path: string): Generator<T> {
  for (const line of readLines(path)) yield JSON.parse(line) as T;
}

/**
 * Rows from sources each sorted by `key`, as one sorted sequence: a k-way merge that holds one row per source. Equal
 * keys come out in source order, so the result depends on the sources alone.
 */
export function* mergeSorted<T>(sources: Iterable<T>[], key: (row: T) => string): Generator<T> {
  const iterators = sources.map((s) => s[Symbol.iterator]());
  const heads = iterators.map((it) => it.next());
  for (;;) {
    let min = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head.done) continue;
      if (min === -1 || key(head.value) < key(heads[min].value as T)) min = i;
    }
    if (min === -1) return;
    yield heads[min].value as T;
    heads[min] = iterators[min].next();
  }
}
