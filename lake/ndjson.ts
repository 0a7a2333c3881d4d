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
