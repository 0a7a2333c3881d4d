import { fnv1a } from '../hash';

/** A failed check's count and the first few rows that failed it: what an audit message shows. */
export interface Failures {
  count: number;
  examples: unknown[];
}

/** Example rows a failed check shows: enough to find the problem, few enough for a message. */
export const EXAMPLES = 5;

/** Failures gathered part by part: counted, and the first EXAMPLES kept. */
export class FailureList implements Failures {
  count = 0;
  examples: unknown[] = [];

  /** The failures in hand, as one list. */
  static of(items: Iterable<unknown>): FailureList {
    const list = new FailureList();
    list.add(items);
    return list;
  }

  add(items: Iterable<unknown>): void {
    for (const item of items) this.push(item);
  }

  push(item: unknown): void {
    this.count++;
    if (this.examples.length < EXAMPLES) this.examples.push(item);
  }
}

/**
 * One key column's values across every audit part, kept compactly so a table of millions of rows is checked for
 * nulls and duplicates without holding its keys as strings: int64 and number keys as typed arrays (sorted and
 * scanned), other keys as a 53-bit hash of their text. Hashes that repeat are only candidates: `duplicates` reads the
 * parts again for the keys behind them and compares those exactly, so a collision never reports a duplicate.
 */
export class KeyColumnAudit {
  readonly nulls = new FailureList();
  private readonly bigints: BigInt64Array[] = [];
  private readonly numbers: Float64Array[] = [];
  private readonly hashes: Float64Array[] = [];

  constructor(readonly column: string) {}

  add(keys: readonly unknown[]): void {
    const present = keys.filter((k) => k !== null && k !== undefined);
    this.nulls.add(keys.filter((k) => k === null || k === undefined).map((k) => ({ [this.column]: k })));
    if (present.length === 0) return;
    if (present.every((k) => typeof k === 'bigint')) this.bigints.push(BigInt64Array.from(present as bigint[]));
    else if (present.every((k) => typeof k === 'number' && !Number.isNaN(k))) this.numbers.push(Float64Array.from(present as number[]));
    else this.hashes.push(Float64Array.from(present, (k) => textHash(keyText(k))));
  }

  /** Values that occur more than once, as rows of the column; `again` gives every part's keys once more, in any order. */
  async duplicates(again: () => AsyncIterable<readonly unknown[]>): Promise<Failures> {
    const found = new FailureList();
    found.add(repeatedInSorted(ascending(concat(BigInt64Array, this.bigints)), String).map((k) => ({ [this.column]: k })));
    found.add(repeatedInSorted(ascending(concat(Float64Array, this.numbers)), Number).map((k) => ({ [this.column]: k })));
    const candidates = new Set(repeatedInSorted(ascending(concat(Float64Array, this.hashes)), Number));
    if (candidates.size === 0) return found;
    const seen = new Map<string, number>();
    for await (const keys of again()) {
      for (const k of keys) {
        if (k === null || k === undefined || typeof k === 'bigint' || typeof k === 'number') continue;
        const text = keyText(k);
        if (candidates.has(textHash(text))) seen.set(text, (seen.get(text) ?? 0) + 1);
      }
    }
    found.add([...seen].filter(([, n]) => n > 1).map(([text]) => ({ [this.column]: text })));
    return found;
  }
}

function keyText(key: unknown): string {
  return typeof key === 'string' ? key : JSON.stringify(key);
}

/** Two FNV-1a hashes (of two bases) folded into 53 bits, exact in a double: collisions are rare, and checked anyway. */
function textHash(text: string): number {
  return fnv1a(text) * 0x200000 + (fnv1a(text, 0x01000193) & 0x1fffff);
}

function concat<T extends Float64Array | BigInt64Array>(Kind: { new (length: number): T }, arrays: T[]): T {
  if (arrays.length === 1) return arrays[0];
  const out = new Kind(arrays.reduce((sum, a) => sum + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    (out as Float64Array).set(a as Float64Array, at);
    at += a.length;
  }
  return out;
}

/** Sorted in place, unless it already is: a time partition is written in start_time order, so its keys are. */
export function ascending<T extends Float64Array | BigInt64Array>(values: T): T {
  for (let i = 1; i < values.length; i++) if (!(values[i - 1] <= values[i])) return values.sort() as T;
  return values;
}

function repeatedInSorted<T extends bigint | number>(sorted: ArrayLike<T>, show: (v: T) => unknown): unknown[] {
  const out: unknown[] = [];
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1] && (i === 1 || sorted[i - 1] !== sorted[i - 2])) out.push(show(sorted[i]));
  }
  return out;
}
