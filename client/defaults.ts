/**
 * Defaults the command line shows in its help. Kept apart from the modules that use them, which load the Temporal SDK:
 * `sparkify --help` and a bad option must answer without loading it.
 */
export const DEFAULT_RECONNECT_MS = 5 * 60_000;
export const DEFAULT_SCHEDULE_ID = 'sparkify-daily';
