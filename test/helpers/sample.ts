import { existsSync } from 'node:fs';
import path from 'node:path';

/** The real Udacity sample beside the checkout; never copied into the repository. */
export const SAMPLE_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'udacity');
export const hasSample = existsSync(path.join(SAMPLE_DIR, 'song_data'));

/** `describe` when the sample is present; otherwise a skipped block that says why. */
export const describeWithSample: jest.Describe = hasSample
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(`Skipping "${name}": the shared sample is not at ${SAMPLE_DIR}`);
      return describe.skip(name, fn);
    }) as jest.Describe);
