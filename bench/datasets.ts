import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateDataset, type GenerateOptions, type GeneratedSummary } from '../lake/generate/generate';
import { LocalStore } from '../lake/storage/local-store';
import { listAll } from '../lake/storage/object-store';

export type DatasetOptions = Omit<GenerateOptions, 'onProgress'>;
export type DatasetSummary = GeneratedSummary & { bytes: number };

/**
 * Generates a data set into `input` once; a later call with the same options reuses it (`<folder>.dataset.json` records
 * what it holds), so every system and every run of a benchmark reads the same files.
 */
export async function ensureDataset(input: string, options: DatasetOptions, log: (message: string) => void): Promise<DatasetSummary> {
  const marker = `${input}.dataset.json`;
  if (existsSync(marker)) {
    const saved = JSON.parse(readFileSync(marker, 'utf8'));
    if (JSON.stringify(saved.options) === JSON.stringify(options)) return saved.summary;
  }
  rmSync(input, { recursive: true, force: true });
  log(`generating ${input}…`);
  const started = Date.now();
  const store = new LocalStore(input);
  const summary = await generateDataset(store, { ...options, onProgress: log });
  const bytes = (await listAll(store, '')).reduce((sum, o) => sum + o.size, 0);
  log(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  mkdirSync(path.dirname(marker), { recursive: true });
  writeFileSync(marker, JSON.stringify({ input, options, summary: { ...summary, bytes } }, null, 2));
  return { ...summary, bytes };
}
