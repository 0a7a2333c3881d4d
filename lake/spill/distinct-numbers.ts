import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import type { SpillDir } from './spill-dir';

/** Values held before a sorted run goes to disk: 8 MB. */
const RUN_VALUES = 1 << 20;
/** Values read from each run at a time while merging. */
const READ_VALUES = 1 << 14;

/**
 * The distinct values of a stream of numbers, in ascending order, in bounded memory: an external merge sort. Values
 * are sorted and de-duplicated a run at a time, runs are spilled to disk, and `sorted()` merges them.
 */
export class DistinctNumbers {
  private readonly run: Float64Array;
  private held = 0;
  private readonly runs: string[] = [];

  constructor(
    private readonly spill: SpillDir,
    private readonly name: string,
    runValues = RUN_VALUES,
  ) {
    this.run = new Float64Array(runValues);
  }

  add(value: number): void {
    this.run[this.held++] = value;
    if (this.held === this.run.length) this.spillRun();
  }

  /** Every distinct value added, ascending; reads the spilled runs a block at a time. */
  *sorted(): Generator<number> {
    if (this.runs.length === 0) {
      yield* this.sortedHeld();
      return;
    }
    if (this.held > 0) this.spillRun();
    yield* mergeRuns(this.runs);
  }

  private *sortedHeld(): Generator<number> {
    const values = this.run.subarray(0, distinctInPlace(this.run.subarray(0, this.held)));
    for (const value of values) yield value;
  }

  private spillRun(): void {
    const n = distinctInPlace(this.run.subarray(0, this.held));
    const file = this.spill.fileSync(`${this.name}-run-${this.runs.length}.f64`);
    writeFileSync(file, new Uint8Array(this.run.buffer, 0, n * 8));
    this.runs.push(file);
    this.held = 0;
  }
}

/** Sorts `values` and moves its distinct values to the front; returns how many there are. */
function distinctInPlace(values: Float64Array): number {
  values.sort();
  let n = 0;
  for (let i = 0; i < values.length; i++) if (n === 0 || values[i] !== values[n - 1]) values[n++] = values[i];
  return n;
}

/** One spilled run, read forward a block at a time. */
class RunReader {
  private readonly block = new Float64Array(READ_VALUES);
  private readonly bytes = new Uint8Array(this.block.buffer);
  private filled = 0;
  private at = 0;
  private position = 0;
  private fd: number | undefined;

  constructor(file: string) {
    this.fd = openSync(file, 'r');
    this.refill();
  }

  get done(): boolean {
    return this.at >= this.filled;
  }

  get head(): number {
    return this.block[this.at];
  }

  next(): void {
    if (++this.at >= this.filled) this.refill();
  }

  private refill(): void {
    if (this.fd === undefined) return;
    const read = readSync(this.fd, this.bytes, 0, this.bytes.length, this.position);
    this.filled = Math.floor(read / 8);
    this.position += this.filled * 8;
    this.at = 0;
    if (this.filled === 0) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

function* mergeRuns(files: string[]): Generator<number> {
  // A binary min-heap of readers by their head value; runs are few (one per 8 MB of values), so this stays small.
  const heap = files.map((file) => new RunReader(file)).filter((r) => !r.done);
  const less = (a: number, b: number) => heap[a].head < heap[b].head;
  const swap = (a: number, b: number) => ([heap[a], heap[b]] = [heap[b], heap[a]]);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  let last: number | undefined;
  while (heap.length > 0) {
    const top = heap[0];
    if (top.head !== last) yield (last = top.head);
    top.next();
    if (top.done) {
      heap[0] = heap[heap.length - 1];
      heap.pop();
    }
    down(0);
  }
}
