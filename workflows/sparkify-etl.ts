import { ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RunRef, SparkifyActivities } from '../activities/contract';
import { INVALID_RUN_INPUT } from '../lake/errors';
import type { Month } from '../lake/month';
import type { RunReport } from '../lake/steps/publish';
import { runDag } from './dag';
import { SPARKIFY_DAG } from './sparkify-dag';
import { SPARKIFY_MONTH, SPARKIFY_YEAR } from './search-attributes';

export interface SparkifyEtlInput extends Month {
  /** Overrides the workers' configured input, e.g. s3://bucket/prefix. Never carries credentials. */
  input?: string;
  /** Overrides the workers' configured output. */
  output?: string;
}

/** Loads one month of Sparkify events (and the song catalogue) into the lake; returns the run report. */
export async function sparkifyEtl(input: SparkifyEtlInput): Promise<RunReport> {
  const request = validate(input);
  upsertSearchAttributes([
    { key: SPARKIFY_YEAR, value: request.year },
    { key: SPARKIFY_MONTH, value: request.month },
  ]);
  const { workflowId, runId } = workflowInfo();
  const run: RunRef = { workflowId, runId, ...request };
  const { output } = await runDag<SparkifyActivities, RunRef, typeof SPARKIFY_DAG>(SPARKIFY_DAG, run, (options) =>
    proxyActivities<SparkifyActivities>(options),
  );
  return output;
}

function validate(input: SparkifyEtlInput): SparkifyEtlInput {
  const fail = (message: string) => ApplicationFailure.nonRetryable(message, INVALID_RUN_INPUT);
  if (input === null || typeof input !== 'object') throw fail('sparkifyEtl expects an input like {"year":2018,"month":11}');
  const { year, month } = input;
  if (!Number.isInteger(year) || year < 1900 || year > 9999) throw fail(`year must be a whole number from 1900 to 9999, got ${JSON.stringify(year)}`);
  if (!Number.isInteger(month) || month < 1 || month > 12) throw fail(`month must be a whole number from 1 to 12, got ${JSON.stringify(month)}`);
  for (const key of ['input', 'output'] as const) {
    const value = input[key];
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw fail(`${key} must be a non-empty URI string`);
    if (typeof value === 'string' && /^[a-z0-9+.-]+:\/\/[^/]*@/i.test(value)) throw fail(`${key} must not carry credentials`);
  }
  return { year, month, input: input.input, output: input.output };
}
