import { mapLimit } from '../concurrency';
import type { StepContext } from './context';
import type { WrittenFile } from './write-partitions';

/** A written file whose new content waits in staging (alone, or as a range of a pack). */
export type StagedFile = WrittenFile & { staged: string };

export function isStaged(file: WrittenFile): file is StagedFile {
  return file.staged !== undefined;
}

/** Packs held in memory at once by one call: each is at most PACK_BYTES while its files are handled. */
const PACKS_IN_FLIGHT = 2;

/**
 * Calls `fn` with every staged file's bytes: a file staged alone is a get of its own, a pack one get for every file
 * in it, sliced here, so reading back 48,000 one-song files through S3 costs a request per pack, not per file.
 */
export async function withStagedBytes(ctx: StepContext, files: StagedFile[], fn: (file: StagedFile, bytes: Buffer) => Promise<void>): Promise<void> {
  const packs = new Map<string, StagedFile[]>();
  for (const file of files) {
    if (!file.range) continue;
    const inPack = packs.get(file.staged);
    if (inPack) inPack.push(file);
    else packs.set(file.staged, [file]);
  }
  await Promise.all([
    mapLimit(files.filter((f) => !f.range), ctx.ioConcurrency, async (file) => fn(file, await ctx.output.get(file.staged))),
    mapLimit([...packs.values()], PACKS_IN_FLIGHT, async (inPack) => {
      const pack = await ctx.output.get(inPack[0].staged);
      await mapLimit(inPack, ctx.ioConcurrency, (file) => fn(file, sliceOf(pack, file)));
    }),
  ]);
}

/** One staged file's bytes (a pack is read whole for it: for the few big files a step reads one at a time). */
export async function stagedBytes(ctx: StepContext, file: StagedFile): Promise<Buffer> {
  const stored = await ctx.output.get(file.staged);
  return file.range ? sliceOf(stored, file) : stored;
}

function sliceOf(pack: Buffer, file: StagedFile): Buffer {
  const { offset, length } = file.range!;
  if (offset + length > pack.length) throw new Error(`Staged pack ${file.staged} holds ${pack.length} bytes, too few for ${file.key} at ${offset}+${length}`);
  return pack.subarray(offset, offset + length);
}
