/** `sparkify gc` and `sparkify generate`: commands on a lake or a data set rather than on runs. */
import { withTemporalClient } from '../../client/connect';
import { temporalRunStates } from '../../activities/run-states';
import { generateDataset } from '../../lake/generate/generate';
import { parseMonth } from '../../lake/month';
import { StoreFactory } from '../../lake/storage/location';
import { collectStaging } from '../../lake/steps/collect-staging';
import { absoluteUri, configFrom } from '../common';
import { keyValueText, printReport } from '../report-text';

export interface GcOptions {
  config?: string;
  output?: string;
  olderThan?: number;
  dryRun?: boolean;
  json?: boolean;
}

export async function gcCommand(options: GcOptions): Promise<number> {
  const config = configFrom(options);
  const output = new StoreFactory(config.s3).open(absoluteUri(options.output) ?? config.output);
  const minutes = options.olderThan ?? config.stagingGcMinutes;
  const dryRun = options.dryRun === true;
  return withTemporalClient(config, async (client) => {
    const result = await collectStaging(output, temporalRunStates(client), { minAgeMs: minutes * 60_000, now: Date.now(), dryRun });
    printReport({ output: output.description, dryRun, ...result }, options.json, (r) =>
      [
        `${r.dryRun ? 'Would remove' : 'Removed'} ${r.removed.length} staging area(s) of closed runs from ${r.output}; kept ${r.kept.length}.`,
        ...r.removed.map((s) => `  ${r.dryRun ? 'would remove' : 'removed'} ${s.prefix} (${s.objects} objects)`),
        ...r.kept.map((s) => `  kept ${s.prefix} (${s.objects} objects)`),
      ].join('\n'),
    );
    return 0;
  });
}

export interface GenerateOptions {
  config?: string;
  output?: string;
  songs: number;
  users: number;
  events: number;
  from: string;
  months: number;
  seed: number;
  json?: boolean;
}

export async function generateCommand(options: GenerateOptions): Promise<number> {
  const config = configFrom(options);
  const store = new StoreFactory(config.s3).open(absoluteUri(options.output) ?? config.input);
  const summary = await generateDataset(store, {
    songs: options.songs,
    users: options.users,
    events: options.events,
    from: parseMonth(options.from)!,
    months: options.months,
    seed: options.seed,
    onProgress: (m) => console.error(m),
  });
  printReport({ output: store.description, ...summary }, options.json, keyValueText);
  return 0;
}
