/** What `sparkify` exits with; the usage text lists them, scripts rely on them. */
export const EXIT = {
  ok: 0,
  /** The run failed (for a backfill: at least one month failed). */
  runFailed: 1,
  /** Bad usage or settings. */
  usage: 2,
  /** The month is already running with another input or output. */
  alreadyRunning: 3,
  /** Temporal could not be reached for the whole reconnect window; the run may still be going on. */
  unreachable: 4,
} as const;
