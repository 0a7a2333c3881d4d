import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Every run is tagged with the month it loads, so `SparkifyYear = 2018 AND SparkifyMonth = 11` finds it in the CLI and
 * the Web UI. A cluster must have them registered (the dev server the project starts does; see infra/README.md).
 */
export const SPARKIFY_YEAR = defineSearchAttributeKey('SparkifyYear', 'INT');
export const SPARKIFY_MONTH = defineSearchAttributeKey('SparkifyMonth', 'INT');
export const SPARKIFY_SEARCH_ATTRIBUTES = [SPARKIFY_YEAR, SPARKIFY_MONTH];

/** Set by Temporal Schedules on the workflows they start: the time the action was scheduled for. */
export const TEMPORAL_SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');
