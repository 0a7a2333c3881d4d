import { promises as fs } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS, loadConfig } from '@smithy/core/config';
import { NODE_MAX_ATTEMPT_CONFIG_OPTIONS } from '@smithy/core/retry';
import { mapLimit } from '../concurrency';
import { listAll, type ObjectInfo, type ObjectStore } from './object-store';
import { SignedRequests } from './s3-signed-requests';

export interface S3Settings {
  /** Absent: the AWS SDK's region chain (AWS_REGION, the profile's region, instance metadata), else us-east-1. */
  region?: string;
  endpoint?: string;
  /** Explicit keys (from dl.cfg); absent: the AWS SDK's default credential chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Sockets per worker process; many small GETs in parallel need more than Node's default. */
  maxSockets?: number;
}

/** Bodies above this go up as a multipart upload, which S3 makes visible only when complete. */
const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;

/** Tries per request when neither AWS_MAX_ATTEMPTS nor the profile's max_attempts says (the SDK's own default is 3). */
const DEFAULT_MAX_ATTEMPTS = 6;
/** The region when no setting, profile or instance names one: S3 answers for every region there. */
const FALLBACK_REGION = 'us-east-1';

/**
 * The SDK's own region chain, as a client without a region uses it, except that finding nothing means us-east-1
 * rather than a "Region is missing" error on the first request: a MinIO endpoint needs some region to sign with.
 */
function regionFromChain(): () => Promise<string> {
  const chainDefault = NODE_REGION_CONFIG_OPTIONS.default as () => Promise<string>;
  return loadConfig({ ...NODE_REGION_CONFIG_OPTIONS, default: () => chainDefault().catch(() => FALLBACK_REGION) }, NODE_REGION_CONFIG_FILE_OPTIONS);
}

type ChecksumSetting = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';

/**
 * The SDK's flexible checksums (a CRC32 computed for every PUT and checked on every GET since early 2025) only when
 * an operation requires one, unless AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION (or the
 * profile's request_checksum_calculation / response_checksum_validation) say WHEN_SUPPORTED. The pipeline makes
 * one request per song file and per songs partition, and the checksum was a seventh of each PUT's CPU here (MinIO
 * computes and stores it too); S3-compatible stores that predate the headers refuse them. Integrity does not rest
 * on it: a PUT's SigV4 signature covers its payload's SHA-256 (or TLS carries it), and the audit checks every
 * staged file's SHA-256 against what the write step recorded before anything is published.
 */
function checksumSetting(env: string, profileKey: string): () => Promise<ChecksumSetting> {
  // The chain passes over a value its selector refuses; a mistyped variable must stop the worker instead.
  checksumValue(process.env[env], env);
  return loadConfig<ChecksumSetting>({
    environmentVariableSelector: (vars) => checksumValue(vars[env], env),
    configFileSelector: (profile) => checksumValue(profile[profileKey], profileKey),
    default: 'WHEN_REQUIRED',
  });
}

function checksumValue(value: string | undefined, name: string): ChecksumSetting | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (upper !== 'WHEN_SUPPORTED' && upper !== 'WHEN_REQUIRED') throw new Error(`${name} must be WHEN_SUPPORTED or WHEN_REQUIRED, not '${value}'`);
  return upper;
}

/**
 * A client that behaves as AWS users expect: explicit credentials only when dl.cfg gives keys, otherwise the SDK's
 * default chain (environment with AWS_SESSION_TOKEN, AWS_PROFILE, SSO, web identity, container and instance
 * metadata); the region from the settings or that chain; AWS_MAX_ATTEMPTS and AWS_RETRY_MODE (or the profile's
 * max_attempts and retry_mode) as the SDK reads them, 6 attempts when nothing says; checksums as above.
 */
export function createS3Client(settings: S3Settings): S3Client {
  const maxSockets = settings.maxSockets ?? 128;
  return new S3Client({
    region: settings.region ?? regionFromChain(),
    endpoint: settings.endpoint,
    // MinIO and Ceph serve buckets under the path, not as virtual hosts.
    forcePathStyle: settings.endpoint !== undefined,
    maxAttempts: loadConfig({ ...NODE_MAX_ATTEMPT_CONFIG_OPTIONS, default: DEFAULT_MAX_ATTEMPTS }),
    requestChecksumCalculation: checksumSetting('AWS_REQUEST_CHECKSUM_CALCULATION', 'request_checksum_calculation'),
    responseChecksumValidation: checksumSetting('AWS_RESPONSE_CHECKSUM_VALIDATION', 'response_checksum_validation'),
    credentials:
      settings.accessKeyId && settings.secretAccessKey
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, sessionToken: settings.sessionToken }
        : undefined,
    requestHandler: {
      httpAgent: new http.Agent({ keepAlive: true, maxSockets }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets }),
    },
  });
}

/** A bucket and key prefix seen as an object store. */
export class S3Store implements ObjectStore {
  readonly promoteCopies: boolean = true;
  /** Small GETs and PUTs without the SDK's middleware; undefined where the bucket needs what only the SDK signs. */
  private signed?: Promise<SignedRequests | undefined>;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  private direct(): Promise<SignedRequests | undefined> {
    this.signed ??= SignedRequests.forBucket(this.client, this.bucket);
    return this.signed;
  }

  get description(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        yield { key: item.Key.slice(this.prefix.length), size: item.Size ?? 0, etag: item.ETag ?? '', modified: item.LastModified?.getTime() };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async get(key: string): Promise<Buffer> {
    const direct = await this.direct();
    if (direct) return direct.get(this.prefix + key);
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    if (!res.Body) throw new Error(`Empty response body for ${this.description}${key}`);
    return Buffer.from(await res.Body.transformToByteArray());
  }

  async getStream(key: string): Promise<Readable> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    // In Node the SDK hands back the HTTP response itself: bytes arrive as the caller reads them, never all at once.
    if (!(res.Body instanceof Readable)) throw new Error(`No readable response body for ${this.description}${key}`);
    return res.Body;
  }

  async getIfExists(key: string): Promise<Buffer | undefined> {
    try {
      return await this.get(key);
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    if (bytes.length <= MULTIPART_THRESHOLD) {
      const direct = await this.direct();
      if (direct) await direct.put(this.prefix + key, bytes);
      else await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: bytes }));
      return;
    }
    await this.putMultipart(this.prefix + key, partsOfBuffer(bytes));
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const { size } = await fs.stat(localPath);
    if (size <= MULTIPART_THRESHOLD) {
      await this.put(key, await fs.readFile(localPath));
      return;
    }
    await this.putMultipart(this.prefix + key, partsOfFile(localPath, size));
  }

  /** A server-side copy; S3 caps one at 5 GB, far above a month's partition. */
  async copy(fromKey: string, toKey: string): Promise<void> {
    const source = encodeURIComponent(this.prefix + fromKey).replace(/%2F/g, '/');
    await this.client.send(
      new CopyObjectCommand({ Bucket: this.bucket, Key: this.prefix + toKey, CopySource: `${this.bucket}/${source}` }),
    );
  }

  /** S3 has no rename: a server-side copy, the staged object removed with the staging area. */
  promote(fromKey: string, toKey: string): Promise<void> {
    return this.copy(fromKey, toKey);
  }

  async promoteTree(fromPrefix: string, toPrefix: string, rels: string[], concurrency: number): Promise<void> {
    await mapLimit(rels, concurrency, (rel) => this.promote(fromPrefix + rel, toPrefix + rel));
  }

  /** S3 makes a multipart upload visible only once it is completed, so no reader sees a part of it. */
  private async putMultipart(fullKey: string, parts: AsyncIterable<Uint8Array>): Promise<void> {
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: fullKey }),
    );
    try {
      const uploaded: { ETag: string; PartNumber: number }[] = [];
      let n = 1;
      for await (const body of parts) {
        const res = await this.client.send(
          new UploadPartCommand({ Bucket: this.bucket, Key: fullKey, UploadId, PartNumber: n, Body: body }),
        );
        uploaded.push({ ETag: res.ETag ?? '', PartNumber: n++ });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: fullKey,
          UploadId,
          MultipartUpload: { Parts: uploaded },
        }),
      );
    } catch (err) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: fullKey, UploadId }))
        .catch(() => undefined);
      throw err;
    }
  }

  async deleteMany(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const res = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((key) => ({ Key: this.prefix + key })), Quiet: true },
        }),
      );
      if (res.Errors && res.Errors.length > 0) {
        const first = res.Errors[0];
        throw new Error(`Could not delete ${res.Errors.length} objects, first ${first.Key}: ${first.Code}`);
      }
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (!prefix.endsWith('/')) throw new Error(`Not a folder prefix: ${prefix}`);
    await this.deleteMany((await listAll(this, prefix)).map((o) => o.key));
  }
}

async function* partsOfBuffer(bytes: Buffer): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += PART_SIZE) yield bytes.subarray(offset, offset + PART_SIZE);
}

/** One part of the file in memory at a time. */
async function* partsOfFile(localPath: string, size: number): AsyncIterable<Uint8Array> {
  const file = await fs.open(localPath, 'r');
  try {
    for (let offset = 0; offset < size; offset += PART_SIZE) {
      const part = Buffer.alloc(Math.min(PART_SIZE, size - offset));
      const { bytesRead } = await file.read(part, 0, part.length, offset);
      if (bytesRead !== part.length) throw new Error(`${localPath} changed while it was uploaded`);
      yield part;
    }
  } finally {
    await file.close();
  }
}
