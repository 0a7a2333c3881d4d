import { defineSearchAttributeKey } from '@temporalio/common';

/** Registered on the dev server the project starts; a real cluster registers them once (see infra/README.md). */
export const SPARKIFY_YEAR = defineSearchAttributeKey('SparkifyYear', 'INT');
export const SPARKIFY_MONTH = defineSearchAttributeKey('SparkifyMonth', 'INT');
export const SEARCH_ATTRIBUTES = [SPARKIFY_YEAR, SPARKIFY_MONTH];
