/**
 * Failures that no retry can fix. Each is a subclass of PermanentError whose `name` must be one of
 * PERMANENT_ERROR_TYPES, so a new permanent error cannot be declared without joining the list the DAG's retry policy
 * marks non-retryable, and the activity glue fails every PermanentError at once instead of retrying it.
 * No Node or Temporal imports: workflow code reads the list from here.
 */
export const PERMANENT_ERROR_TYPES = [
  /** A missing or malformed setting, or storage refusing our credentials. */
  'ConfigError',
  /** An input or output location that is not a usable URI. */
  'InvalidUriError',
  /** The input cannot produce a run: nothing to read, wrong layout. */
  'InputError',
  /** A workflow started with arguments it cannot run with. */
  'InvalidRunInput',
  /** A data-quality check failed on the run's staged tables: the same input fails it again. */
  'AuditFailed',
  /** The output folder holds files but is not a lake: the run refuses to write, let alone delete, there. */
  'OutputNotALake',
  /** The run names an input or output outside the roots the workers allow. */
  'LocationNotAllowed',
  /** The disk the lake (or the spill folder) is on refuses the write: full, over quota, read-only, no permission. */
  'StorageError',
] as const;

export type PermanentErrorType = (typeof PERMANENT_ERROR_TYPES)[number];

export abstract class PermanentError extends Error {
  abstract override readonly name: PermanentErrorType;
}

/** A missing or malformed setting; the message names it and never contains a secret's value. */
export class ConfigError extends PermanentError {
  override readonly name = 'ConfigError';
}

export class InvalidUriError extends PermanentError {
  override readonly name = 'InvalidUriError';
}

/** The input cannot produce a run (nothing to read, wrong layout); retrying will not help. */
export class InputError extends PermanentError {
  override readonly name = 'InputError';
}

/** A data-quality check failed; the message names the check, the table and example rows. */
export class AuditFailed extends PermanentError {
  override readonly name = 'AuditFailed';
}

export class OutputNotALake extends PermanentError {
  override readonly name = 'OutputNotALake';
}

export class LocationNotAllowed extends PermanentError {
  override readonly name = 'LocationNotAllowed';
}

/** A write the storage refuses for good until someone acts; the message names the path and the fix. */
export class StorageError extends PermanentError {
  override readonly name = 'StorageError';
}

/** A workflow's arguments are invalid; raised in workflow code as a non-retryable failure of this type. */
export const INVALID_RUN_INPUT: PermanentErrorType = 'InvalidRunInput';

export function isPermanentError(err: unknown): err is PermanentError {
  return err instanceof PermanentError || (err instanceof Error && (PERMANENT_ERROR_TYPES as readonly string[]).includes(err.name));
}
