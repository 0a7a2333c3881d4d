import type { ObjectStore } from '../storage/object-store';

const PENDING_CHARS = 64 * 1024;

/**
 * Staged rows of one batch written as NDJSON in objects of about `chunkBytes` each, so a batch of any size is never
 * held whole. Chunk keys are a function of the chunk's number and the rows are cut at the same places for the same
 * input, so a retried batch replaces what an earlier attempt wrote; `removeStale` deletes what it wrote beyond that.
 */
export class ChunkedNdjsonWriter {
  /**
   * Rows are serialised into a short string and moved into a Buffer every PENDING_CHARS: the strings then die young,
   * while a chunk's worth of them kept until the flush would outlive the young generation and pile up in the old one
   * as garbage V8 collects late (a 1 GiB log pushed the heap to several hundred MB that way).
   */
  private pending = '';
  private parts: Buffer[] = [];
  /** UTF-16 code units buffered: close enough to bytes to bound a chunk. */
  private size = 0;
  private readonly written: string[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly keyOf: (chunk: number) => string,
    private readonly chunkBytes: number,
    /** Write chunk 0 even with no rows, so a resumed call and a fresh one leave the same objects behind. */
    private readonly alwaysWriteFirst: boolean,
  ) {}

  add(row: unknown): void {
    const line = `${JSON.stringify(row)}\n`;
    this.pending += line;
    this.size += line.length;
    if (this.pending.length >= PENDING_CHARS) {
      this.parts.push(Buffer.from(this.pending));
      this.pending = '';
    }
  }

  get full(): boolean {
    return this.size >= this.chunkBytes;
  }

  /** Writes the rows buffered so far as the next chunk. */
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const key = this.keyOf(this.written.length);
    const body = Buffer.concat([...this.parts, Buffer.from(this.pending)]);
    this.parts = [];
    this.pending = '';
    this.size = 0;
    await this.store.put(key, body);
    this.written.push(key);
  }

  /** Flushes the rest; returns every key written. */
  async finish(): Promise<string[]> {
    await this.flush();
    if (this.written.length === 0 && this.alwaysWriteFirst) {
      await this.store.put(this.keyOf(0), '');
      this.written.push(this.keyOf(0));
    }
    return this.written;
  }

  /** Deletes objects under `prefix` that this writer did not write: chunks an earlier attempt wrote beyond these. */
  async removeStale(prefix: string): Promise<void> {
    const keep = new Set(this.written);
    const stale: string[] = [];
    for await (const o of this.store.list(prefix)) if (!keep.has(o.key)) stale.push(o.key);
    if (stale.length > 0) await this.store.deleteMany(stale);
  }
}
