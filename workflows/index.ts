/** Every workflow type the Sparkify workers register. */
export { sparkifyEtl } from './sparkify-etl';
export { sparkifyBackfill } from './sparkify-backfill';
export { sparkifyScheduledRun } from './sparkify-scheduled-run';
