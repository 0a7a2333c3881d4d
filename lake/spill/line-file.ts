import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { LineSplitter, lineText } from '../input/lines';

/** Bytes buffered before a write, and read per call: large enough that system calls cost little. */
const BLOCK_BYTES = 1 << 20;

/** Text appended to a local file through a buffer; synchronous, like the encoders that spill. */
export class TextFileWriter {
  private fd: number | undefined;
  private pending = '';

  constructor(readonly path: string) {
    // Created at once, so a writer given nothing still leaves an (empty) file to read or upload.
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    this.pending += text;
    if (this.pending.length >= BLOCK_BYTES) this.flush();
  }

  /** Writes what is buffered and closes the file, once; returns its path. */
  close(): string {
    if (this.fd !== undefined) {
      this.flush();
      closeSync(this.fd);
      this.fd = undefined;
    }
    return this.path;
  }

  private flush(): void {
    if (this.pending === '' || this.fd === undefined) return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }
}

/** Lines appended to a local file, counted. */
export class LineFileWriter extends TextFileWriter {
  lines = 0;

  add(line: string): void {
    this.write(`${line}\n`);
    this.lines++;
  }
}

/** The non-empty lines of a local file, read a block at a time (a character split between two blocks stays whole). */
export function* readLines(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const splitter = new LineSplitter(Infinity, 0);
    for (;;) {
      // A fresh block each time: the splitter keeps pieces of a line that is not finished yet.
      const block = Buffer.allocUnsafe(BLOCK_BYTES);
      const read = readSync(fd, block);
      if (read === 0) break;
      for (const line of splitter.push(block.subarray(0, read))) yield* lineText(line);
    }
    const last = splitter.end();
    if (last) yield* lineText(last);
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
