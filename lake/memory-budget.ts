/**
 * A worker process's allowance of input bytes held in memory at once, shared by every activity it runs. A caller
 * waits for its share before loading a batch and gives it back after; batches are admitted in arrival order, and a
 * batch larger than the whole allowance runs alone rather than never. Memory then depends on this figure, not on how
 * many activities the worker runs or how large a month is.
 */
export class ByteBudget {
  private held = 0;
  private readonly waiting: { bytes: number; admit: () => void }[] = [];

  constructor(readonly limit: number) {}

  async use<T>(bytes: number, fn: () => Promise<T>): Promise<T> {
    await this.acquire(bytes);
    try {
      return await fn();
    } finally {
      this.release(bytes);
    }
  }

  private acquire(bytes: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.held += bytes;
      return Promise.resolve();
    }
    return new Promise((admit) => this.waiting.push({ bytes, admit }));
  }

  private release(bytes: number): void {
    this.held -= bytes;
    while (this.waiting.length > 0 && this.fits(this.waiting[0].bytes)) {
      const next = this.waiting.shift()!;
      this.held += next.bytes;
      next.admit();
    }
  }

  private fits(bytes: number): boolean {
    return this.held === 0 || this.held + bytes <= this.limit;
  }
}

/**
 * Raw input bytes one worker stages at once. A day of a busy app's log is ~75 MB and takes about four times that
 * while it is parsed and re-serialised, so this admits one or two such days at a time per worker.
 */
export const stagingBudget = new ByteBudget(128 * 1024 * 1024);

/**
 * What staging one streamed event log is admitted at against stagingBudget, or its size when smaller: a read chunk,
 * the lines it completes and the staged chunk being filled (STAGED_CHUNK_BYTES), which is about twice that chunk
 * while it is written out. A line near the 64 MiB line limit holds more, but only while that one line is read.
 */
export const STREAMED_OBJECT_BYTES = 32 * 1024 * 1024;
