/** A line of a byte stream: its bytes, or, past the line limit, only its first bytes and its length. */
export type Line =
  | { number: number; tooLong: false; bytes: Buffer }
  | { number: number; tooLong: true; head: Buffer; length: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into lines at `\n`, on the bytes, so a line may span any number of chunks and no text is
 * decoded before a whole line is there (a multi-byte character split across chunks stays whole). A `\r` before the
 * `\n` is dropped; a last line without `\n` is still a line. A line longer than `maxLineBytes` is never held whole:
 * once it outgrows the limit only its first `headBytes` are kept while the rest is counted and let go.
 */
export class LineSplitter {
  private pieces: Buffer[] = [];
  private held = 0;
  private length = 0;
  private head: Buffer | undefined;
  private number = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly headBytes: number,
  ) {
    if (!(maxLineBytes > 0)) throw new RangeError(`maxLineBytes must be positive, got ${maxLineBytes}`);
  }

  /** The lines this chunk completes, in order. */
  *push(chunk: Uint8Array): Generator<Line> {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = bytes.indexOf(NEWLINE, start); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
      this.take(bytes.subarray(start, nl));
      yield this.finish();
      start = nl + 1;
    }
    if (start < bytes.length) this.take(bytes.subarray(start));
  }

  /** The last line, when the stream does not end with `\n`. */
  end(): Line | undefined {
    return this.length > 0 ? this.finish() : undefined;
  }

  private take(segment: Buffer): void {
    this.length += segment.length;
    if (this.head) return;
    if (this.held + segment.length <= this.maxLineBytes) {
      this.pieces.push(segment);
      this.held += segment.length;
      return;
    }
    // Copied, so the chunks the line came in can be collected while the rest of it streams past.
    const keep = Math.min(this.headBytes, this.maxLineBytes);
    this.head = Buffer.concat([...this.pieces, segment.subarray(0, Math.max(0, keep - this.held))]).subarray(0, keep);
    this.pieces = [];
    this.held = 0;
  }

  private finish(): Line {
    this.number++;
    let line: Line;
    if (this.head) {
      line = { number: this.number, tooLong: true, head: this.head, length: this.length };
    } else {
      let bytes = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces, this.held);
      if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
      line = { number: this.number, tooLong: false, bytes };
    }
    this.pieces = [];
    this.held = 0;
    this.length = 0;
    this.head = undefined;
    return line;
  }
}

/** A line's text, unless it is empty or was cut: for readers of our own files, whose splitter has no limit. */
export function* lineText(line: Line): Generator<string> {
  if (!line.tooLong && line.bytes.length > 0) yield line.bytes.toString('utf8');
}
