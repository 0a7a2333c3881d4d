import { ConfigError, StorageError, isPermanentError, type PermanentError } from './errors';

/**
 * Which failures of a step no retry can fix, for the activity glue to fail at once rather than retry ten times over
 * five minutes. Everything not named here (throttling, connection resets, a refused connection while a server
 * restarts, timeouts) stays retryable with the DAG's backoff. Kept in the engine, free of Temporal, so it is tested
 * on plain errors.
 */

export interface AttemptInfo {
  /** 1 for the first attempt of the step. */
  attempt: number;
  /** Milliseconds since the step's first attempt was scheduled. */
  sinceFirstScheduledMs: number;
}

export interface FailureContext extends AttemptInfo {
  /** S3_ENDPOINT as configured, if any: named when its host does not resolve. */
  s3Endpoint?: string;
}

/**
 * A host that does not resolve is taken as a wrong S3_ENDPOINT from the third attempt on, or once the first was
 * scheduled 20 s ago. Each attempt already carries the S3 client's own tries (6 unless AWS_MAX_ATTEMPTS or the
 * profile says otherwise; about 3 s of backoff), and the DAG waits 2 s then 4 s between attempts, so the third
 * attempt comes some 6–15 s after the first: well past a resolver's blip, and the run still fails inside 30 s.
 */
export const DNS_PERMANENT_AFTER = { attempts: 3, ms: 20_000 } as const;

/**
 * S3 answers that mean wrong credentials, bucket or permissions: retrying only delays the clear error. A session token
 * that is malformed, unknown (MinIO: InvalidTokenId) or expired is one too: credentials that refresh themselves (a
 * profile's role, SSO, web identity, instance metadata) are renewed by the SDK before they expire, so only fixed keys
 * ever meet ExpiredToken, and no retry renews those.
 */
const PERMANENT_S3_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'NoSuchBucket',
  'AccessDenied',
  'InvalidBucketName',
  'InvalidToken',
  'InvalidTokenId',
  'ExpiredToken',
]);

/** DNS answers that a name has no address (ENOTFOUND) or that the resolver could not say now (EAI_AGAIN). */
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN']);

type SystemError = Error & { code?: unknown; path?: unknown; dest?: unknown; hostname?: unknown; syscall?: unknown };

/** The permanent error `err` amounts to, its message naming the object and the fix; undefined if a retry may help. */
export function permanentFailure(err: unknown, ctx: FailureContext): PermanentError | undefined {
  for (const e of causes(err)) {
    if (isPermanentError(e)) return e;
    const found = storageFailure(e) ?? credentialsFailure(e, ctx) ?? s3Refusal(e) ?? dnsFailure(e, ctx);
    if (found) return found;
  }
  return undefined;
}

/**
 * The error and what it wraps: a failure deep in a stream or the SDK may reach the glue as the cause of another.
 * Not `instanceof Error`: an error made in another realm (Node's internals seen from a vm context, as under Jest) is
 * not one, yet carries the same code.
 */
function causes(err: unknown): SystemError[] {
  const out: SystemError[] = [];
  for (let e = err; typeof e === 'object' && e !== null && out.length < 8; e = (e as Error).cause) out.push(e as SystemError);
  return out;
}

/**
 * The S3 client keeps a network error as it is, unless it does not take it for an Error (one from another realm):
 * then it passes on only "AWS SDK error wrapper for Error: getaddrinfo ENOTFOUND host", whose text still says it.
 */
function dnsCode(e: SystemError): { code: string; hostname?: string } | undefined {
  if (typeof e.code === 'string') return DNS_CODES.has(e.code) ? { code: e.code, hostname: typeof e.hostname === 'string' ? e.hostname : undefined } : undefined;
  const match = /getaddrinfo (ENOTFOUND|EAI_AGAIN) (\S+)/.exec(typeof e.message === 'string' ? e.message : '');
  return match ? { code: match[1], hostname: match[2] } : undefined;
}

function storageFailure(e: SystemError): StorageError | undefined {
  const code = typeof e.code === 'string' ? e.code : '';
  // A copy names its source as path and what it wrote as dest; the write is what failed.
  const named = typeof e.dest === 'string' ? e.dest : typeof e.path === 'string' ? e.path : undefined;
  const where = named ?? 'the disk being written (the lake OUTPUT, or TMPDIR for spill files)';
  switch (code) {
    case 'ENOSPC':
      return new StorageError(`The disk holding ${where} is full (ENOSPC): free space there, or point [LAKE] OUTPUT (or TMPDIR, for spill files) at a disk with room`);
    case 'EDQUOT':
      return new StorageError(`The disk quota for ${where} is used up (EDQUOT): raise the quota or free space, or point [LAKE] OUTPUT elsewhere`);
    case 'EROFS':
      return new StorageError(`${where} is on a read-only file system (EROFS): remount it read-write, or point [LAKE] OUTPUT elsewhere`);
  }
  // Sockets raise these codes too; only a file-system error names a path.
  if (named === undefined) return undefined;
  switch (code) {
    case 'ENAMETOOLONG':
      return new StorageError(
        `A name in ${where} is longer than its file system allows (ENAMETOOLONG, usually 255 bytes per folder or file name): shorten [LAKE] OUTPUT or the input's names`,
      );
    case 'EACCES':
    case 'EPERM':
      return new StorageError(`No permission to ${typeof e.syscall === 'string' ? e.syscall : 'write'} ${where} (${code}): give the workers' user access to it, or point [LAKE] OUTPUT elsewhere`);
  }
  return undefined;
}

/** The AWS SDK found no credentials anywhere in its chain; the message names where to set them and no values. */
function credentialsFailure(e: SystemError, ctx: FailureContext): ConfigError | undefined {
  if (e.name !== 'CredentialsProviderError') return undefined;
  return new ConfigError(
    `No AWS credentials were found for object storage${ctx.s3Endpoint ? ` at ${ctx.s3Endpoint}` : ''}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the [AWS] section of dl.cfg or in the workers' environment, or give the workers an AWS profile or instance role`,
  );
}

function s3Refusal(e: SystemError): ConfigError | undefined {
  if (!PERMANENT_S3_ERRORS.has(e.name)) return undefined;
  return new ConfigError(`Object storage refused the request (${e.name}): check the bucket and credentials`);
}

function dnsFailure(e: SystemError, ctx: FailureContext): ConfigError | undefined {
  const dns = dnsCode(e);
  if (!dns) return undefined;
  if (ctx.attempt < DNS_PERMANENT_AFTER.attempts && ctx.sinceFirstScheduledMs < DNS_PERMANENT_AFTER.ms) return undefined;
  const host = dns.hostname ?? endpointHost(ctx.s3Endpoint) ?? 'the object storage host';
  const tried = `${dns.code} on ${ctx.attempt} attempts over ${Math.round(ctx.sinceFirstScheduledMs / 1000)} s`;
  const fix = ctx.s3Endpoint
    ? `check S3_ENDPOINT (now ${ctx.s3Endpoint}) in the [AWS] section of dl.cfg or the workers' environment`
    : "check AWS_REGION and the workers' DNS";
  return new ConfigError(`The object storage host ${host} does not resolve (${tried}): ${fix}`);
}

function endpointHost(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  try {
    return new URL(endpoint).hostname;
  } catch {
    return undefined;
  }
}
