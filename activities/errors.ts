import { ApplicationFailure } from '@temporalio/common';

/** Our own errors whose retry cannot succeed; their class name is the failure type the DAG marks non-retryable. */
const PERMANENT_ERRORS = new Set(['ConfigError', 'InvalidUriError', 'InputError']);
/** S3 answers that mean wrong credentials, bucket or permissions: retrying only delays the clear error. */
const PERMANENT_S3_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'NoSuchBucket', 'AccessDenied', 'InvalidBucketName']);

/** Runs an activity body and reports permanent failures as non-retryable, with a message and no secrets. */
export async function classifyFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const name = (err as Error)?.name ?? '';
    if (PERMANENT_ERRORS.has(name)) throw ApplicationFailure.nonRetryable((err as Error).message, name);
    if (PERMANENT_S3_ERRORS.has(name)) {
      throw ApplicationFailure.nonRetryable(`Object storage refused the request (${name}): check the bucket and credentials`, 'ConfigError');
    }
    throw err;
  }
}
