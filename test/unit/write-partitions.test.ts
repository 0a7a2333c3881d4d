import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDataset } from '../../lake/generate/generate';
import type { StepContext } from '../../lake/steps/context';
import { planStage, stagePart } from '../../lake/steps/stage';
import { transformDimensions } from '../../lake/steps/transform-dimensions';
import { transformFacts } from '../../lake/steps/transform-facts';
import { planWrite, writePart } from '../../lake/steps/write-partitions';
import { LocalStore } from '../../lake/storage/local-store';
import { listAll, type ObjectStore } from '../../lake/storage/object-store';
import { stepContext } from '../helpers/builders';
import { FailingStore } from '../helpers/failing-store';

function contextFor(input: ObjectStore, output: ObjectStore, progress: StepContext['progress']): StepContext {
  return stepContext(input, output, { progress });
}

/** The songs partitions a write left in staging for publish; nothing is at a published key before publish. */
async function dataFiles(store: ObjectStore): Promise<Map<string, Buffer>> {
  expect(await listAll(store, 'songs/')).toEqual([]);
  const files = new Map<string, Buffer>();
  for (const info of await listAll(store, '_staging/wf/run/tables/songs/encoded/')) files.set(info.key, await store.get(info.key));
  return files;
}

describe('writePart', () => {
  let root: string;
  let input: LocalStore;
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'sparkify-write-'));
    input = new LocalStore(path.join(root, 'input'));
    await generateDataset(input, { songs: 600, users: 20, events: 300, from: { year: 2018, month: 11 }, months: 1, seed: 5 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Stages and transforms into `dir`, so writePartitions has its staged tables to read. */
  async function prepared(dir: string): Promise<LocalStore> {
    const output = new LocalStore(path.join(root, dir));
    const ctx = contextFor(input, output, { report: () => undefined, resumeFrom: () => undefined });
    for (const source of ['songs', 'events'] as const) {
      const { parts } = await planStage(ctx, source);
      for (let part = 0; part < parts; part++) await stagePart(ctx, source, part);
    }
    await transformDimensions(ctx);
    await transformFacts(ctx);
    return output;
  }

  it('a part that crashed midway, resumed from its last checkpoint, stages the same files as one uninterrupted call', async () => {
    const clean = await prepared('clean');
    const { parts } = await planWrite(contextFor(input, clean, { report: () => undefined, resumeFrom: () => undefined }), 'dimensions');
    const cleanResults = [];
    for (let part = 0; part < parts; part++) cleanResults.push(await writePart(contextFor(input, clean, { report: () => undefined, resumeFrom: () => undefined }), 'dimensions', part));

    await prepared('crashed');
    const crashing = new FailingStore(path.join(root, 'crashed'), 150);
    let checkpoint: unknown;
    const recording = contextFor(input, crashing, { report: (d) => (checkpoint = structuredClone(d)), resumeFrom: () => undefined });
    await expect(writePart(recording, 'dimensions', 0)).rejects.toThrow('simulated crash');
    expect((checkpoint as { nextPartition: number }).nextPartition).toBeGreaterThan(0);

    const resumed = new LocalStore(path.join(root, 'crashed'));
    const result = await writePart(contextFor(input, resumed, { report: () => undefined, resumeFrom: <T>() => checkpoint as T }), 'dimensions', 0);
    for (let part = 1; part < parts; part++) await writePart(contextFor(input, resumed, { report: () => undefined, resumeFrom: () => undefined }), 'dimensions', part);

    const expected = await dataFiles(clean);
    expect(expected.size).toBeGreaterThan(200);
    expect(await dataFiles(resumed)).toEqual(expected);
    expect(result).toEqual(cleanResults[0]);
    expect(result.table).toBe('songs');
  });
});
