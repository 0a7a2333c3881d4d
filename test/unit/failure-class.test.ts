import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { runStep } from '../../activities/run-step';
import type { TaskCall } from '../../activities/contract';
import { loadConfig } from '../../lake/config';
import { ConfigError, InputError, PERMANENT_ERROR_TYPES, StorageError } from '../../lake/errors';
import { DNS_PERMANENT_AFTER, permanentFailure, type FailureContext } from '../../lake/failure-class';
import { StoreFactory } from '../../lake/storage/location';
import { SPARKIFY_DAG } from '../../workflows/sparkify-dag';

const ENDPOINT = 'http://no-such-host.invalid:9000';
const first: FailureContext = { attempt: 1, sinceFirstScheduledMs: 0, s3Endpoint: ENDPOINT };
const sysError = (code: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(`${code}: x`), { code, ...fields });
const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe('permanentFailure', () => {
  it.each([
    ['ENOSPC', { syscall: 'write', path: '/lake/songs/x.parquet' }, /The disk holding \/lake\/songs\/x\.parquet is full \(ENOSPC\): free space there, or point \[LAKE\] OUTPUT/],
    ['EDQUOT', { syscall: 'write', path: '/lake/a' }, /disk quota for \/lake\/a is used up \(EDQUOT\)/],
    ['EROFS', { syscall: 'open', path: '/lake/a' }, /\/lake\/a is on a read-only file system \(EROFS\): remount it read-write/],
    ['ENAMETOOLONG', { syscall: 'mkdir', path: '/lake/artist_id=AAAA' }, /A name in \/lake\/artist_id=AAAA is longer than its file system allows/],
    ['EACCES', { syscall: 'open', path: '/lake/_state/lake.json' }, /No permission to open \/lake\/_state\/lake\.json \(EACCES\)/],
    ['EPERM', { syscall: 'rename', path: '/lake/a' }, /No permission to rename \/lake\/a \(EPERM\)/],
  ])('takes %s on a file for a StorageError naming it and the fix, on the first attempt', (code, fields, message) => {
    const found = permanentFailure(sysError(code, fields), first);
    expect(found).toBeInstanceOf(StorageError);
    expect(found?.message).toMatch(message);
  });

  it('names what a copy wrote, not what it read, and the disk when the error names no file', () => {
    const copy = sysError('ENOSPC', { syscall: 'copyfile', path: '/staging/in', dest: '/lake/out' });
    expect(permanentFailure(copy, first)?.message).toContain('The disk holding /lake/out is full');
    expect(permanentFailure(sysError('ENOSPC', { syscall: 'write' }), first)?.message).toContain('the disk being written (the lake OUTPUT, or TMPDIR');
  });

  it('leaves permission and name errors without a file (a socket) to the retries', () => {
    expect(permanentFailure(sysError('EACCES', { syscall: 'connect' }), first)).toBeUndefined();
    expect(permanentFailure(sysError('EPERM'), first)).toBeUndefined();
  });

  it('takes the SDK finding no credentials for a ConfigError saying where to set them, without any value', () => {
    const found = permanentFailure(named('CredentialsProviderError', 'Could not load credentials from any providers'), first);
    expect(found).toBeInstanceOf(ConfigError);
    expect(found?.message).toBe(
      `No AWS credentials were found for object storage at ${ENDPOINT}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the [AWS] section of dl.cfg or in the workers' environment, or give the workers an AWS profile or instance role`,
    );
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN'])('retries %s at first, then names the endpoint host after a bounded time', (code) => {
    const err = sysError(code, { syscall: 'getaddrinfo', hostname: 'no-such-host.invalid' });
    expect(permanentFailure(err, first)).toBeUndefined();
    expect(permanentFailure(err, { ...first, attempt: DNS_PERMANENT_AFTER.attempts - 1, sinceFirstScheduledMs: 8_000 })).toBeUndefined();
    const third = permanentFailure(err, { ...first, attempt: DNS_PERMANENT_AFTER.attempts, sinceFirstScheduledMs: 9_400 });
    expect(third).toBeInstanceOf(ConfigError);
    expect(third?.message).toBe(
      `The object storage host no-such-host.invalid does not resolve (${code} on 3 attempts over 9 s): check S3_ENDPOINT (now ${ENDPOINT}) in the [AWS] section of dl.cfg or the workers' environment`,
    );
    expect(permanentFailure(err, { ...first, attempt: 2, sinceFirstScheduledMs: DNS_PERMANENT_AFTER.ms })).toBeInstanceOf(ConfigError);
  });

  it('reads the code and host from the text the S3 client leaves of an error it did not take for an Error', () => {
    const wrapped = new Error('AWS SDK error wrapper for Error: getaddrinfo ENOTFOUND no-such-host.invalid');
    expect(permanentFailure(wrapped, first)).toBeUndefined();
    expect(permanentFailure(wrapped, { ...first, attempt: 3 })?.message).toMatch(/^The object storage host no-such-host\.invalid does not resolve \(ENOTFOUND on 3/);
  });

  it('classifies an error from another realm, which is not instanceof Error', () => {
    const foreign = { name: 'Error', message: 'ENOSPC: no space left on device, write', code: 'ENOSPC', syscall: 'write', path: '/lake/x' };
    expect(permanentFailure(foreign, first)).toBeInstanceOf(StorageError);
  });

  it('names the configured host when the error does not', () => {
    const found = permanentFailure(sysError('ENOTFOUND'), { ...first, attempt: 5 });
    expect(found?.message).toMatch(/^The object storage host no-such-host\.invalid does not resolve/);
  });

  it.each([
    sysError('ECONNREFUSED', { syscall: 'connect' }),
    sysError('ECONNRESET', { syscall: 'read' }),
    sysError('ETIMEDOUT', { syscall: 'connect' }),
    sysError('EPIPE', { syscall: 'write' }),
    named('SlowDown', 'Please reduce your request rate.'),
    named('ServiceUnavailable', '503'),
    named('TimeoutError'),
    new Error('socket hang up'),
  ])('leaves a transient failure (%p) to the retries, however late', (err) => {
    expect(permanentFailure(err, { ...first, attempt: 9, sinceFirstScheduledMs: 300_000 })).toBeUndefined();
  });

  it('finds a permanent cause wrapped in another error, and keeps a PermanentError as it is', () => {
    const wrapped = new Error('stream failed', { cause: sysError('ENOSPC', { path: '/lake/x' }) });
    expect(permanentFailure(wrapped, first)).toBeInstanceOf(StorageError);
    const input = new InputError('No song files');
    expect(permanentFailure(input, first)).toBe(input);
    expect(permanentFailure(named('AccessDenied'), first)?.message).toBe('Object storage refused the request (AccessDenied): check the bucket and credentials');
  });

  it.each(['InvalidToken', 'InvalidTokenId', 'ExpiredToken'])('takes a refused session token (%s) for a ConfigError at once', (name) => {
    expect(permanentFailure(named(name), first)?.message).toBe(`Object storage refused the request (${name}): check the bucket and credentials`);
  });

  it('declares StorageError permanent, so the DAG does not retry it', () => {
    expect(PERMANENT_ERROR_TYPES).toContain('StorageError');
    expect(SPARKIFY_DAG.tasks['stage-songs'].options?.retry?.nonRetryableErrorTypes).toContain('StorageError');
  });
});

describe('runStep', () => {
  const config = { ...loadConfig({ env: {} }), allowedInputs: ['*'], allowedOutputs: ['*'], s3: { region: 'us-east-1', endpoint: ENDPOINT } };
  const deps = { config, stores: new StoreFactory(config.s3) };
  const call: TaskCall<unknown> = { run: { year: 2018, month: 11, workflowId: 'wf', runId: 'r', output: '/tmp/x' }, task: 't', params: {}, taskSeconds: {} };
  const failWith = (err: Error, attempt: number) =>
    // The environment logs each failed activity; what it failed with is what the test checks.
    new MockActivityEnvironment({ attempt, scheduledTimestampMs: Date.now() }, { logger: new DefaultLogger('ERROR') })
      .run(() => runStep(call, deps, async () => Promise.reject(err)))
      .catch((e: unknown) => e);

  it('fails a full disk as a non-retryable StorageError on the first attempt', async () => {
    const failure = await failWith(sysError('ENOSPC', { syscall: 'write', path: '/lake/a' }), 1);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'StorageError', nonRetryable: true, message: expect.stringContaining('/lake/a is full') });
  });

  it('rethrows an unresolved host for a retry on the first attempts, and fails it as a ConfigError on the third', async () => {
    const dns = sysError('ENOTFOUND', { syscall: 'getaddrinfo', hostname: 'no-such-host.invalid' });
    expect(await failWith(dns, 1)).toBe(dns);
    expect(await failWith(dns, 3)).toMatchObject({ type: 'ConfigError', nonRetryable: true, message: expect.stringContaining('no-such-host.invalid') });
  });

  it('rethrows a refused connection for a retry, whatever the attempt', async () => {
    const refused = sysError('ECONNREFUSED', { syscall: 'connect' });
    expect(await failWith(refused, 9)).toBe(refused);
  });
});
