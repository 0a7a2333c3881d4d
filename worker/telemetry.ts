import { Runtime, makeTelemetryFilterString, type Logger } from '@temporalio/worker';
import type { TelemetrySettings } from '../lake/config';
import { jsonLogger } from './json-log';

/**
 * Buckets for the pipeline's step durations, in seconds: the SDK's default buckets (50 … 10,000) are meant for
 * milliseconds, and would put every step in the first.
 */
const STEP_SECONDS_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * Sets up what a worker process reports, once, before its first connection: JSON log lines on stdout (the SDK's own,
 * the SDK core's and every activity's) and, when a metrics port is set, the SDK's Prometheus endpoint, which also
 * serves the pipeline's metrics recorded on the activities' meter. Returns the logger for the process's own lines.
 */
export function installTelemetry(settings: TelemetrySettings): Logger {
  const logger = jsonLogger(settings.logLevel);
  // The SDK core's own lines come to the same logger (by default it prints them as coloured text on stderr), at WARN
  // unless a finer level was asked for: at INFO, core says little an operator needs.
  const coreLevel = settings.logLevel === 'TRACE' || settings.logLevel === 'DEBUG' ? settings.logLevel : 'WARN';
  Runtime.install({
    logger,
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: coreLevel, other: 'ERROR' }) },
      metrics: settings.metrics
        ? {
            prometheus: {
              bindAddress: `${settings.metrics.host}:${settings.metrics.port}`,
              histogramBucketOverrides: { sparkify_step_seconds: STEP_SECONDS_BUCKETS },
            },
          }
        : undefined,
    },
  });
  return logger;
}
