import type { IncomingMessage } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { sha256Hex } from '../hash';

/**
 * Whole-object GETs and single PUTs of small objects, sent without the SDK's middleware stack: the pipeline makes one
 * such request per song file staged and per songs partition published (a hundred thousand of each at medium scale),
 * and here the stack cost about 1 ms of CPU per request against 0.3 ms for the same request signed and sent as below,
 * on a machine where the object store shares the CPU. Everything that decides where and how a request goes is the
 * client's own: its credentials chain, region, endpoint rules (path or virtual-hosted style, FIPS, dual-stack), the
 * SigV4 signer, its HTTP handler with the worker's sockets, and AWS_MAX_ATTEMPTS. Where the endpoint rules ask for a
 * scheme other than plain SigV4 (S3 Express, multi-region access points), or the settings ask for flexible checksums,
 * `forBucket` answers undefined and the caller uses the SDK.
 */
export class SignedRequests {
  private constructor(
    private readonly client: S3Client,
    private readonly base: URL,
    /** The bucket's path on the endpoint, ending in '/': empty for virtual-hosted style, `/bucket/` for path style. */
    private readonly basePath: string,
    private readonly signer: SignatureV4,
    private readonly maxAttempts: number,
  ) {}

  static async forBucket(client: S3Client, bucket: string): Promise<SignedRequests | undefined> {
    const config = client.config;
    // Checksums asked for (AWS_REQUEST_CHECKSUM_CALCULATION or AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_SUPPORTED) are
    // the SDK's to compute and check.
    const checksums = [await config.requestChecksumCalculation(), await config.responseChecksumValidation()];
    if (checksums.includes('WHEN_SUPPORTED')) return undefined;
    const region = await config.region();
    const configured = config.endpoint ? await config.endpoint() : undefined;
    const endpoint = configured
      ? `${configured.protocol}//${configured.hostname}${configured.port ? `:${configured.port}` : ''}${configured.path}`
      : undefined;
    const resolved = config.endpointProvider({
      Bucket: bucket,
      Region: region,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      ForcePathStyle: config.forcePathStyle,
      Endpoint: endpoint,
    });
    const scheme = (resolved.properties?.authSchemes as { name?: string; signingName?: string; signingRegion?: string }[] | undefined)?.[0];
    if (!scheme || scheme.name !== 'sigv4') return undefined;
    const signer = new SignatureV4({
      credentials: config.credentials,
      region: scheme.signingRegion ?? region,
      service: scheme.signingName ?? 's3',
      sha256: config.sha256,
      // S3 signs the path as sent, escaped once (the endpoint rules' disableDoubleEncoding).
      uriEscapePath: false,
    });
    const base = new URL(resolved.url.href);
    const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return new SignedRequests(client, base, basePath, signer, await config.maxAttempts());
  }

  /** The object's bytes; a missing key throws an error named NoSuchKey, as the SDK's does. */
  async get(key: string): Promise<Buffer> {
    return this.send('GET', key);
  }

  async put(key: string, body: Buffer): Promise<void> {
    await this.send('PUT', key, body);
  }

  private async send(method: 'GET' | 'PUT', key: string, body?: Buffer): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, key, body);
      } catch (err) {
        if (attempt >= this.maxAttempts || !isRetryable(err)) throw err;
        // Full jitter over an exponential ceiling, as the SDK's standard retry mode waits.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20_000, 100 * 2 ** attempt)));
      }
    }
  }

  private async once(method: 'GET' | 'PUT', key: string, body?: Buffer): Promise<Buffer> {
    const headers: Record<string, string> = { host: this.base.host, 'x-amz-content-sha256': sha256Hex(body ?? EMPTY) };
    if (body) headers['content-length'] = String(body.length);
    const request = await this.signer.sign({
      method,
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      port: this.base.port ? Number(this.base.port) : undefined,
      path: this.basePath + escapeKey(key),
      query: {},
      headers,
      body,
    });
    const { response } = await this.client.config.requestHandler.handle(request as Parameters<S3Client['config']['requestHandler']['handle']>[0]);
    const bytes = await readBody(response.body as IncomingMessage);
    if (response.statusCode >= 200 && response.statusCode < 300) {
      const expected = response.headers['content-length'];
      if (method === 'GET' && expected !== undefined && Number(expected) !== bytes.length) {
        throw Object.assign(new Error(`GET ${key} ended after ${bytes.length} of ${expected} bytes`), { code: 'ECONNRESET' });
      }
      return bytes;
    }
    throw new S3ResponseError(response.statusCode, bytes.toString('utf8'), response.headers['x-amz-request-id']);
  }
}

/** An S3 error answer, named by its Code as the SDK names its errors, so callers and the failure classes treat both alike. */
export class S3ResponseError extends Error {
  readonly $metadata: { httpStatusCode: number; requestId?: string };
  readonly $fault: 'client' | 'server';

  constructor(status: number, xml: string, requestId: string | undefined) {
    const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1] ?? (status === 404 ? 'NotFound' : `HTTP${status}`);
    const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1] ?? `Object storage answered HTTP ${status}`;
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status, requestId };
    this.$fault = status >= 500 ? 'server' : 'client';
  }
}

const EMPTY = Buffer.alloc(0);

const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled']);
const TRANSIENT_CODES = new Set(['RequestTimeout', 'RequestTimeoutException', 'InternalError']);

/** What the SDK's standard mode retries: throttling, server errors, timeouts, and a connection that failed or broke. */
function isRetryable(err: unknown): boolean {
  if (err instanceof S3ResponseError) {
    const status = err.$metadata.httpStatusCode;
    return status === 429 || status >= 500 || THROTTLING.has(err.name) || TRANSIENT_CODES.has(err.name);
  }
  // No answer at all: a refused, reset or timed-out connection, or a name the resolver could not give now.
  const code = (err as { code?: unknown })?.code;
  return (typeof code === 'string' && NETWORK_CODES.has(code)) || (err as Error)?.name === 'TimeoutError';
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** RFC 3986 escaping of each path segment, as S3 signs it: encodeURIComponent leaves !'()* as they are. */
function escapeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

async function readBody(body: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
