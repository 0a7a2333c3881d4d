import { lakeKeys } from '../../lake/layout';
import { readPublishedFiles, readPublishedInputs, writePublishedFiles, type PublishedFile } from '../../lake/steps/published-files';
import { NOV_2018 } from '../helpers/builders';
import { tempDir } from '../helpers/temp';

describe("the lake's record of published files", () => {
  const tmp = tempDir('published-files');
  const files: [string, PublishedFile][] = Array.from({ length: 5_000 }, (_, i) => [
    `songs/year=${1990 + (i % 30)}/artist_id=AR${i}"é\\/part-00000.snappy.parquet`,
    { rows: i, bytes: i * 10, sha256: i.toString(16).padStart(64, '0') },
  ]);

  it('is written in chunks as the very bytes JSON.stringify gives, with and without inputs', async () => {
    const store = tmp.store('lake');
    await writePublishedFiles(store, 'songs', NOV_2018, files, 'ab'.repeat(32));
    expect((await store.get(lakeKeys.publishedFiles('songs', NOV_2018))).toString()).toBe(JSON.stringify({ files: Object.fromEntries(files), inputs: 'ab'.repeat(32) }));
    await writePublishedFiles(store, 'users', NOV_2018, files.slice(0, 1));
    expect((await store.get(lakeKeys.publishedFiles('users', NOV_2018))).toString()).toBe(JSON.stringify({ files: Object.fromEntries(files.slice(0, 1)) }));
    expect(await readPublishedFiles(store, 'users', NOV_2018)).toEqual({ files: Object.fromEntries(files.slice(0, 1)) });
  });

  it("gives its inputs from the record's end, and from any other valid record by parsing it", async () => {
    const store = tmp.store('inputs');
    expect(await readPublishedInputs(store, 'songs', NOV_2018)).toBeUndefined();
    await writePublishedFiles(store, 'songs', NOV_2018, files, 'cd'.repeat(32));
    expect(await readPublishedInputs(store, 'songs', NOV_2018)).toBe('cd'.repeat(32));
    await writePublishedFiles(store, 'songs', NOV_2018, files);
    expect(await readPublishedInputs(store, 'songs', NOV_2018)).toBeUndefined();
    // Written by someone else, pretty-printed and in another order.
    await store.put(lakeKeys.publishedFiles('songs', NOV_2018), JSON.stringify({ inputs: 'ef'.repeat(32), files: Object.fromEntries(files.slice(0, 3)) }, null, 2));
    expect(await readPublishedInputs(store, 'songs', NOV_2018)).toBe('ef'.repeat(32));
  });
});
