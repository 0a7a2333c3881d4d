import { generateDataset } from '../../lake/generate/generate';
import { audit } from '../../lake/steps/audit';
import { discardStaging } from '../../lake/steps/discard-staging';
import { readJsonUnder } from '../../lake/steps/staged-reader';
import type { WrittenSummary } from '../../lake/steps/write-partitions';
import { LocalStore } from '../../lake/storage/local-store';
import { listAll } from '../../lake/storage/object-store';
import { NOV_2018, stepContext } from '../helpers/builders';
import { contentHashes } from '../helpers/observe';
import { runStepsInProcess, stageAndWrite } from '../helpers/run-steps';
import { tempDir } from '../helpers/temp';

/** A local folder that stages as S3 does: promoting copies bytes, so small partitions travel in packs. */
class CopyingStore extends LocalStore {
  override readonly promoteCopies = true;
  gets = 0;
  override get(key: string): Promise<Buffer> {
    this.gets++;
    return super.get(key);
  }
}

/** What two runs of the same input differ in by design: each run's report and the marker's time of creation. */
const withoutRunReports = (hashes: Record<string, string>) => Object.fromEntries(Object.entries(hashes).filter(([key]) => !key.startsWith('_runs/') && key !== '_state/lake.json'));

describe('small partitions staged in packs where promoting copies (S3)', () => {
  const tmp = tempDir('packs');
  const input = tmp.store('input');
  beforeAll(() => generateDataset(input, { songs: 120, users: 12, events: 600, from: NOV_2018, months: 1, seed: 5 }));

  it('publishes the same lake, byte for byte, as a store that renames', async () => {
    const renamed = tmp.store('renamed');
    const copied = new CopyingStore(tmp.path('copied'));
    const a = await runStepsInProcess(input, renamed, 2018, 11);
    const b = await runStepsInProcess(input, copied, 2018, 11);
    expect(b.filesPublished).toEqual(a.filesPublished);
    expect(b.filesPublished.songs).toBeGreaterThan(50);
    expect(withoutRunReports(await contentHashes(copied))).toEqual(withoutRunReports(await contentHashes(renamed)));
    expect(await listAll(copied, '_staging/')).toEqual([]);
  });

  it('stages a write part as a few packs and reads each back once, not a file at a time', async () => {
    const lake = new CopyingStore(tmp.path('staged'));
    const ctx = stepContext(input, lake, { workflowId: 'wf', runId: 'packs' });
    await stageAndWrite(ctx);
    const staged = (await listAll(lake, '_staging/')).map((o) => o.key);
    const written = await readJsonUnder<WrittenSummary>(ctx, ctx.staging.writtenPrefix('dimensions'));
    const songs = written.filter((w) => w.table === 'songs').flatMap((w) => w.files);
    expect(staged.filter((k) => k.includes('/tables/songs/encoded/'))).toEqual([]);
    const packs = staged.filter((k) => k.includes('/tables/songs/packs/'));
    expect(packs.length).toBeGreaterThan(0);
    expect(packs.length).toBeLessThan(songs.length / 10);
    expect(new Set(songs.map((f) => f.staged))).toEqual(new Set(packs));

    lake.gets = 0;
    await expect(audit(ctx, 'dimensions')).resolves.toMatchObject({ filesRead: songs.length + 1 });
    expect(lake.gets).toBeLessThan(songs.length / 10);
    await discardStaging(ctx);
  });

  it('an altered byte in a pack fails the audit naming the file, and the lake stays as it was', async () => {
    const lake = new CopyingStore(tmp.path('altered'));
    await runStepsInProcess(input, lake, 2018, 11, 'r1');
    const before = await contentHashes(lake);
    const changed = tmp.store('input-changed');
    await generateDataset(changed, { songs: 130, users: 12, events: 600, from: NOV_2018, months: 1, seed: 6 });
    const ctx = stepContext(changed, lake, { workflowId: 'wf', runId: 'r2' });
    await stageAndWrite(ctx);
    const written = await readJsonUnder<WrittenSummary>(ctx, ctx.staging.writtenPrefix('dimensions'));
    const victim = written.flatMap((w) => w.files).find((f) => f.range && f.key.startsWith('songs/'))!;
    const pack = await lake.get(victim.staged!);
    pack[victim.range!.offset + Math.floor(victim.range!.length / 2)] ^= 0xff;
    await lake.put(victim.staged!, pack);

    const message = await audit(ctx, 'dimensions').then(() => '', (err: Error) => err.message);
    expect(message).toContain('songs: bytes read back hash to what the write step staged failed for 1 row(s)');
    expect(message).toContain(victim.key);
    await discardStaging(ctx);
    expect(await contentHashes(lake)).toEqual(before);
  });
});
