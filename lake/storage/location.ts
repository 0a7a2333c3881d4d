import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { InvalidUriError } from '../errors';
import { LocalStore } from './local-store';
import type { ObjectStore } from './object-store';
import { S3Store, createS3Client, type S3Settings } from './s3-store';

export type ParsedUri =
  | { kind: 's3'; bucket: string; prefix: string }
  | { kind: 'local'; directory: string };


/** `s3://bucket/prefix` (also s3a:// and s3n://, as Spark jobs write them), `file:///dir` or a plain path. */
export function parseUri(uri: string, baseDir = process.cwd()): ParsedUri {
  const s3 = /^s3[an]?:\/\/([^/]*)\/?(.*)$/.exec(uri);
  if (s3) {
    const [, authority, rest] = s3;
    if (authority.includes('@') || authority.includes(':')) {
      throw new InvalidUriError('S3 URIs must not carry credentials; set them in dl.cfg or the environment');
    }
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(authority)) {
      throw new InvalidUriError(`Not a valid S3 bucket name in URI: "${authority}"`);
    }
    const prefix = rest === '' || rest.endsWith('/') ? rest : `${rest}/`;
    return { kind: 's3', bucket: authority, prefix };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
    throw new InvalidUriError(`Unsupported URI scheme: ${uri.split('://')[0]}:// (use s3://bucket/prefix or a local path)`);
  }
  const local = uri.startsWith('file://') ? filePath(uri) : uri;
  if (local.trim() === '') throw new InvalidUriError('Empty location');
  return { kind: 'local', directory: path.resolve(baseDir, local) };
}

/** The local path of a file:// URI, percent-escapes decoded. */
function filePath(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidUriError('Not a valid file:// URI');
  }
  // The URL parser already turns file://localhost/ into an empty host; any other host is another machine's path,
  // which fileURLToPath would only reject on POSIX.
  if (url.hostname !== '') {
    throw new InvalidUriError(`file:// URIs must not name a host ("${url.hostname}"); use file:///absolute/path`);
  }
  try {
    return fileURLToPath(url);
  } catch (err) {
    throw new InvalidUriError(`Not a usable file:// URI: ${(err as Error).message}`);
  }
}

/** Opens stores for URIs, sharing one S3 client (and its socket pool) per process. */
export class StoreFactory {
  private client?: S3Client;

  constructor(private readonly s3: S3Settings) {}

  open(uri: string): ObjectStore {
    const parsed = parseUri(uri);
    if (parsed.kind === 'local') return new LocalStore(parsed.directory);
    this.client ??= createS3Client(this.s3);
    return new S3Store(this.client, parsed.bucket, parsed.prefix);
  }
}

/** A root that allows every location: for development and tests, never a default. */
export const ANY_LOCATION = '*';

/**
 * Whether `uri` is one of `roots` or inside one: the same bucket under the root's prefix, or the same local folder
 * or one below it. Compared on parsed locations, so `s3a://b/x` is inside `s3://b/` and `./lake/../lake` is `./lake`.
 */
export function isWithinRoots(uri: string, roots: readonly string[]): boolean {
  const target = parseUri(uri);
  return roots.some((root) => {
    if (root === ANY_LOCATION) return true;
    const allowed = parseUri(root);
    if (allowed.kind === 's3' || target.kind === 's3') {
      return allowed.kind === 's3' && target.kind === 's3' && allowed.bucket === target.bucket && target.prefix.startsWith(allowed.prefix);
    }
    return target.directory === allowed.directory || target.directory.startsWith(allowed.directory.endsWith(path.sep) ? allowed.directory : allowed.directory + path.sep);
  });
}
