import { closeSync, openSync, writeSync } from 'node:fs';
import { ByteWriter } from 'hyparquet-writer';

/** Bytes kept before they go to the file: big enough for few write calls, small against a month's file. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * A hyparquet-writer output that writes to a local file as it goes instead of growing one buffer for the whole file.
 * Writes are synchronous because the encoder that calls it is; each is one chunk, a few milliseconds at most.
 */
export class SpillFileWriter extends ByteWriter {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    super(chunkBytes + 64 * 1024);
    this.fd = openSync(path, 'w');
  }

  /** Bytes of the file so far, written or still held. */
  get size(): number {
    return this.offset;
  }

  override ensure(size: number): void {
    if (this.index + size > this.chunkBytes) this.drain();
    super.ensure(size);
  }

  override finish(): void {
    this.drain();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Closes the file without finishing it, when the step gives up; the spill folder's removal deletes it. */
  abandon(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  override getBuffer(): ArrayBuffer {
    throw new Error(`${this.path} is written to disk; read the file instead`);
  }

  override getBytes(): Uint8Array<ArrayBuffer> {
    throw new Error(`${this.path} is written to disk; read the file instead`);
  }

  private drain(): void {
    if (this.fd === undefined) throw new Error(`${this.path} is already finished`);
    let done = 0;
    while (done < this.index) done += writeSync(this.fd, new Uint8Array(this.buffer, done, this.index - done));
    this.index = 0;
  }
}
