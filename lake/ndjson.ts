import { LineSplitter, lineText } from './input/lines';

/** Newline-delimited JSON: how rows travel between steps through the staging area. */
export function toNdjson(rows: Iterable<unknown>): string {
  let out = '';
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}

export function fromNdjson<T>(data: Buffer | string): T[] {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  const rows: T[] = [];
  for (const line of text.split('\n')) if (line !== '') rows.push(JSON.parse(line) as T);
  return rows;
}

/** The rows of an NDJSON stream a line at a time: neither the whole body nor an array of every row is held. */
export async function* ndjsonStreamRows<T>(stream: AsyncIterable<Buffer>): AsyncGenerator<T> {
  const splitter = new LineSplitter(Infinity, 0);
  for await (const chunk of stream) {
    for (const line of splitter.push(chunk)) for (const text of lineText(line)) yield JSON.parse(text) as T;
  }
  const last = splitter.end();
  if (last) for (const text of lineText(last)) yield JSON.parse(text) as T;
}
