import path from 'node:path';
import { LocalStore } from '../../lake/storage/local-store';
import { InvalidUriError } from '../../lake/errors';
import { isWithinRoots, StoreFactory, parseUri } from '../../lake/storage/location';

const BASE = '/srv/sparkify';

function invalid(uri: string): InvalidUriError {
  try {
    parseUri(uri, BASE);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidUriError);
    expect((err as Error).name).toBe('InvalidUriError');
    return err as InvalidUriError;
  }
  throw new Error(`expected ${uri} to be rejected`);
}

describe('parseUri', () => {
  it.each([
    ['s3://udacity-dend', 'udacity-dend', ''],
    ['s3://udacity-dend/', 'udacity-dend', ''],
    ['s3://udacity-dend/song_data', 'udacity-dend', 'song_data/'],
    ['s3://udacity-dend/song_data/', 'udacity-dend', 'song_data/'],
    ['s3://my.lake-01/a/b/c', 'my.lake-01', 'a/b/c/'],
    ['s3a://lake/out', 'lake', 'out/'],
    ['s3n://lake/out/', 'lake', 'out/'],
    ['s3://abc/x', 'abc', 'x/'],
  ])('reads %s as bucket %s and a prefix ending in "/"', (uri, bucket, prefix) => {
    expect(parseUri(uri, BASE)).toEqual({ kind: 's3', bucket, prefix });
  });

  it('accepts bucket names from 3 to 63 characters', () => {
    expect(parseUri(`s3://${'a'.repeat(63)}/`, BASE)).toMatchObject({ bucket: 'a'.repeat(63) });
    invalid(`s3://${'a'.repeat(64)}/`);
    invalid('s3://ab/');
  });

  it.each(['s3://', 's3:///prefix', 's3://UpperCase/x', 's3://under_score/x', 's3://-leading/x', 's3://trailing-/x', 's3://sp ace/x', 's3://.dot/x'])(
    'rejects the bad bucket name in %s',
    (uri) => {
      expect(invalid(uri).message).toMatch(/bucket/i);
    },
  );

  it.each(['s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI@bucket/x', 's3://user@bucket/x', 's3a://key:secret@lake/', 's3://bucket:443/x'])(
    'rejects credentials (or a port) in %s without echoing them',
    (uri) => {
      const err = invalid(uri);
      expect(err.message).toMatch(/credentials/);
      expect(err.message).not.toContain('wJalrXUtnFEMI');
      expect(err.message).not.toContain('secret');
    },
  );

  it.each(['http://bucket/x', 'https://s3.amazonaws.com/bucket', 'gs://bucket/x', 'hdfs://namenode/x', 'S3://bucket/x', 'ftp://host/x', 'abfss://c@a.dfs.core.windows.net/'])(
    'rejects the unsupported scheme of %s',
    (uri) => {
      expect(invalid(uri).message).toMatch(/Unsupported URI scheme/);
    },
  );

  it('names only the scheme of an unsupported URI, not credentials it may hold', () => {
    const err = invalid('https://user:topsecret@example.com/x');
    expect(err.message).toContain('https://');
    expect(err.message).not.toContain('topsecret');
  });

  it.each([
    ['/data/lake', '/data/lake'],
    ['/data/lake/', '/data/lake'],
    ['relative/lake', path.join(BASE, 'relative/lake')],
    ['./lake', path.join(BASE, 'lake')],
    ['../lake', '/srv/lake'],
    ['.', BASE],
    ['file:///data/lake', '/data/lake'],
    ['file:///data/lake/', '/data/lake'],
    ['c:lake', path.join(BASE, 'c:lake')], // not a scheme: no "//"
  ])('reads %s as the local directory %s', (uri, directory) => {
    expect(parseUri(uri, BASE)).toEqual({ kind: 'local', directory });
  });

  it('resolves relative paths against the process cwd by default', () => {
    expect(parseUri('lake')).toEqual({ kind: 'local', directory: path.resolve('lake') });
  });

  it.each(['', '   '])('rejects the empty location %p', (uri) => {
    expect(invalid(uri).message).toMatch(/Empty location/);
  });

  // Regression: file:// URIs used `new URL(uri).pathname`, which leaves percent-escapes encoded, so
  // file:///tmp/my%20lake became the directory "/tmp/my%20lake" instead of "/tmp/my lake".
  it('decodes percent-escapes in file:// URIs', () => {
    expect(parseUri('file:///tmp/my%20lake', BASE)).toEqual({ kind: 'local', directory: '/tmp/my lake' });
    expect(parseUri('file:///tmp/caf%C3%A9', BASE)).toEqual({ kind: 'local', directory: '/tmp/café' });
  });

  it('accepts localhost as the host of a file:// URI', () => {
    expect(parseUri('file://localhost/data/lake', BASE)).toEqual({ kind: 'local', directory: '/data/lake' });
  });

  // Regression: in file://data/lake the host "data" was silently dropped and the lake went to "/lake".
  it.each(['file://data/lake', 'file://other-host/tmp/x'])('does not silently drop the host of %s', (uri) => {
    expect(invalid(uri).message).toMatch(/must not name a host/);
  });

  it.each(['file:///tmp/a%2Fb', 'file://[bad/x'])('rejects the unusable file:// URI %s with an InvalidUriError', (uri) => {
    invalid(uri);
  });
});

describe('StoreFactory', () => {
  it('opens a local path as a LocalStore rooted at the resolved directory', () => {
    const store = new StoreFactory({ region: 'us-east-1' }).open('/tmp/sparkify-store-factory');
    expect(store).toBeInstanceOf(LocalStore);
    expect(store.description).toBe('/tmp/sparkify-store-factory');
  });

  it('refuses a bad URI before creating any client', () => {
    expect(() => new StoreFactory({ region: 'us-east-1' }).open('gs://bucket/x')).toThrow(InvalidUriError);
  });
});

describe('isWithinRoots', () => {
  it('allows a root itself and what is below it, on S3 and on local disk', () => {
    expect(isWithinRoots('s3://lake/prefix/', ['s3://lake/prefix'])).toBe(true);
    expect(isWithinRoots('s3a://lake/prefix/2018', ['s3://lake/prefix/'])).toBe(true);
    expect(isWithinRoots('s3://lake/', ['s3://lake'])).toBe(true);
    expect(isWithinRoots('/data/lake', ['/data/lake'])).toBe(true);
    expect(isWithinRoots('/data/lake/../lake/x', ['/data/lake/'])).toBe(true);
    expect(isWithinRoots('file:///data/lake/x', ['/data'])).toBe(true);
    expect(isWithinRoots('anything/at/all', ['*'])).toBe(true);
  });

  it('refuses another bucket, a sibling prefix or folder, and a way out by ..', () => {
    expect(isWithinRoots('s3://other/prefix/', ['s3://lake/prefix/'])).toBe(false);
    expect(isWithinRoots('s3://lake/prefix-2/', ['s3://lake/prefix'])).toBe(false);
    expect(isWithinRoots('s3://lake/', ['s3://lake/prefix/'])).toBe(false);
    expect(isWithinRoots('/data/lake-2', ['/data/lake'])).toBe(false);
    expect(isWithinRoots('/data/lake/../secrets', ['/data/lake'])).toBe(false);
    expect(isWithinRoots('/data/lake', ['s3://data/lake'])).toBe(false);
    expect(isWithinRoots('s3://data/lake', ['/data/lake'])).toBe(false);
    expect(isWithinRoots('/data/lake', [])).toBe(false);
  });
});
