import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../lake/errors';
import { DEFAULT_INPUT, DEFAULT_OUTPUT, DEFAULT_TASK_QUEUE, loadConfig, redactConfig, type LoadOptions } from '../../lake/config';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETzKEY';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sparkify-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeCfg(text: string, name = 'dl.cfg'): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Always an explicit env, so the machine's environment cannot leak into the tests. */
const load = (env: NodeJS.ProcessEnv = {}, extra: Omit<LoadOptions, 'env'> = {}) => loadConfig({ cwd: dir, env, ...extra });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).name).toBe('ConfigError');
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('loadConfig', () => {
  it('uses defaults without dl.cfg or environment', () => {
    const config = load();
    expect(config).toEqual({
      s3: { region: undefined, endpoint: undefined },
      input: path.join(dir, DEFAULT_INPUT),
      output: path.join(dir, DEFAULT_OUTPUT),
      allowedInputs: [path.join(dir, DEFAULT_INPUT)],
      allowedOutputs: [path.join(dir, DEFAULT_OUTPUT)],
      stagingGcMinutes: 60,
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: DEFAULT_TASK_QUEUE },
      activityConcurrency: 2 * os.availableParallelism(),
      telemetry: { logLevel: 'INFO', metrics: undefined },
      source: 'defaults and environment',
    });
  });

  it('reads ./dl.cfg from the working directory', () => {
    const file = writeCfg(
      [
        '[AWS]',
        `AWS_ACCESS_KEY_ID = ${KEY_ID}`,
        `AWS_SECRET_ACCESS_KEY = ${SECRET}`,
        'AWS_REGION = eu-west-1',
        'S3_ENDPOINT = http://127.0.0.1:9000',
        '[LAKE]',
        'INPUT = s3://udacity-dend/',
        'OUTPUT = s3a://my-lake/prefix',
        '[TEMPORAL]',
        'ADDRESS = temporal.internal:7233',
        'NAMESPACE = sparkify',
        'TASK_QUEUE = lake',
        '[WORKER]',
        'ACTIVITY_CONCURRENCY = 32',
        'LOG_LEVEL = debug',
        'METRICS_PORT = 9464',
        'METRICS_HOST = 0.0.0.0',
      ].join('\n'),
    );
    expect(load()).toEqual({
      s3: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000', accessKeyId: KEY_ID, secretAccessKey: SECRET },
      input: 's3://udacity-dend/',
      output: 's3a://my-lake/prefix',
      allowedInputs: ['s3://udacity-dend/'],
      allowedOutputs: ['s3a://my-lake/prefix'],
      stagingGcMinutes: 60,
      temporal: { address: 'temporal.internal:7233', namespace: 'sparkify', taskQueue: 'lake' },
      activityConcurrency: 32,
      telemetry: { logLevel: 'DEBUG', metrics: { host: '0.0.0.0', port: 9464 } },
      source: file,
    });
  });

  it('reads the shipped dl.cfg.example, inline comments and empty values included', () => {
    writeCfg(readFileSync(path.resolve(__dirname, '..', '..', 'dl.cfg.example'), 'utf8'));
    const config = load();
    expect(config.s3).toEqual({ region: 'us-west-2', endpoint: undefined });
    expect(config.input).toBe('s3://udacity-dend/');
    expect(config.output).toBe('s3://my-sparkify-lake/');
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'sparkify-etl' });
    expect(config.activityConcurrency).toBe(2 * os.availableParallelism());
  });

  it('lets environment variables win over the file, ignoring blank ones', () => {
    writeCfg('[AWS]\nAWS_REGION = eu-west-1\n[LAKE]\nINPUT = s3://from-file/\nOUTPUT = s3://out-file/\n[TEMPORAL]\nNAMESPACE = file-ns\n[WORKER]\nACTIVITY_CONCURRENCY = 4\n');
    const config = load({
      AWS_REGION: 'ap-south-1',
      SPARKIFY_INPUT: 's3://from-env/x',
      SPARKIFY_OUTPUT: '   ',
      TEMPORAL_NAMESPACE: ' env-ns ',
      SPARKIFY_ACTIVITY_CONCURRENCY: '16',
      TEMPORAL_ADDRESS: 'temporal:7233',
      SPARKIFY_TASK_QUEUE: 'q',
    });
    expect(config.s3.region).toBe('ap-south-1');
    expect(config.input).toBe('s3://from-env/x');
    expect(config.output).toBe('s3://out-file/');
    expect(config.temporal).toEqual({ address: 'temporal:7233', namespace: 'env-ns', taskQueue: 'q' });
    expect(config.activityConcurrency).toBe(16);
  });

  it('takes AWS_DEFAULT_REGION when AWS_REGION is not set, AWS_REGION first', () => {
    expect(load({ AWS_DEFAULT_REGION: 'ca-central-1' }).s3.region).toBe('ca-central-1');
    expect(load({ AWS_DEFAULT_REGION: 'ca-central-1', AWS_REGION: 'us-west-1' }).s3.region).toBe('us-west-1');
  });

  it('reads an explicit file relative to cwd, or $SPARKIFY_CONFIG, instead of ./dl.cfg', () => {
    writeCfg('[TEMPORAL]\nNAMESPACE = from-dl-cfg\n');
    const other = writeCfg('[TEMPORAL]\nNAMESPACE = from-other\n', 'other.cfg');
    expect(load({}, { file: 'other.cfg' })).toMatchObject({ temporal: { namespace: 'from-other' }, source: other });
    expect(load({ SPARKIFY_CONFIG: other })).toMatchObject({ temporal: { namespace: 'from-other' }, source: other });
    expect(load({ SPARKIFY_CONFIG: '' }).temporal.namespace).toBe('from-dl-cfg');
  });

  it('fails when the file named by $SPARKIFY_CONFIG or by `file` does not exist', () => {
    writeCfg('[TEMPORAL]\nNAMESPACE = ignored\n');
    const missing = path.join(dir, 'nope', 'dl.cfg');
    expect(configError(() => load({ SPARKIFY_CONFIG: missing })).message).toContain(missing);
    expect(configError(() => load({}, { file: 'missing.cfg' })).message).toContain(path.join(dir, 'missing.cfg'));
  });

  describe('AWS credentials', () => {
    it('leaves keys in the environment to the AWS SDK, which reads them with their session token', () => {
      writeCfg(`[AWS]\nAWS_ACCESS_KEY_ID = file-key\nAWS_SECRET_ACCESS_KEY = file-secret\n`);
      const config = load({ AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: 'token' });
      // Neither the file's keys (the environment wins) nor the environment's (the SDK's default chain reads those).
      expect(config.s3).toEqual({ region: undefined, endpoint: undefined });
    });

    it('takes keys and an optional session token from dl.cfg as explicit credentials, trimmed', () => {
      writeCfg(`[AWS]\nAWS_ACCESS_KEY_ID = ${KEY_ID} \nAWS_SECRET_ACCESS_KEY = ${SECRET}\n`);
      expect(load().s3).toEqual({ region: undefined, endpoint: undefined, accessKeyId: KEY_ID, secretAccessKey: SECRET });
      writeCfg(`[AWS]\nAWS_ACCESS_KEY_ID = ${KEY_ID}\nAWS_SECRET_ACCESS_KEY = ${SECRET}\nAWS_SESSION_TOKEN = tok\n`);
      expect(load().s3).toMatchObject({ accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: 'tok' });
    });

    it('refuses a session token in dl.cfg without keys', () => {
      writeCfg(`[AWS]\nAWS_SESSION_TOKEN = tok\n`);
      const err = configError(() => load());
      expect(err.message).toContain('[AWS] AWS_SESSION_TOKEN in dl.cfg');
      expect(err.message).not.toContain('tok\n');
    });

    it('leaves the region to the SDK chain when nothing sets it', () => {
      expect(load().s3.region).toBeUndefined();
    });

    it('rejects only the key id, naming the missing secret setting', () => {
      writeCfg(`[AWS]\nAWS_ACCESS_KEY_ID = ${KEY_ID}\n`);
      const err = configError(() => load());
      expect(err.message).toContain('AWS_SECRET_ACCESS_KEY');
      expect(err.message).toContain('missing');
    });

    it('rejects only the secret, naming the missing key id and not showing the secret', () => {
      const err = configError(() => load({ AWS_SECRET_ACCESS_KEY: SECRET }));
      expect(err.message).toContain('AWS_ACCESS_KEY_ID');
      expect(err.message).not.toContain(SECRET);
      writeCfg(`[AWS]\nAWS_SECRET_ACCESS_KEY = ${SECRET}\nAWS_ACCESS_KEY_ID =\n`);
      const fromFile = configError(() => load());
      expect(fromFile.message).toContain('AWS_ACCESS_KEY_ID');
      expect(fromFile.message).not.toContain(SECRET);
    });

    it('rejects a secret given as a list in the file without showing it', () => {
      writeCfg(`[AWS]\nAWS_ACCESS_KEY_ID = ${KEY_ID}\nAWS_SECRET_ACCESS_KEY[] = ${SECRET}\n`);
      const err = configError(() => load());
      expect(err.message).toContain('AWS_SECRET_ACCESS_KEY');
      expect(err.message).toContain('malformed');
      expect(err.message).not.toContain(SECRET);
    });
  });

  describe.each<[string, string, string[], string[]]>([
    [
      'S3_ENDPOINT',
      'S3_ENDPOINT',
      [
        '127.0.0.1:9000',
        'minio',
        'ftp://minio:21',
        'http://minio:9000/bucket',
        'http://',
        'http://mi nio:9000',
        `http://${KEY_ID}:${SECRET}@minio:9000`,
        `http://${KEY_ID}@minio:9000`,
        'http://@minio:9000',
      ],
      ['http://127.0.0.1:9000', 'https://s3.example.com/', 'http://minio:9000'],
    ],
    [
      'ACTIVITY_CONCURRENCY',
      'SPARKIFY_ACTIVITY_CONCURRENCY',
      ['0', '-1', '1025', '2.5', 'eight', 'NaN', 'Infinity', '0x10', '1e1', '2.0', '+8', '0b101', '1_0', '99999999999999999999'],
      ['1', '1024', ' 16 ', '08'],
    ],
    ['METRICS_PORT', 'SPARKIFY_METRICS_PORT', ['0', '65536', 'http', '9464x', '-1', '127.0.0.1:9464'], ['9464', '1', '65535']],
    ['LOG_LEVEL', 'SPARKIFY_LOG_LEVEL', ['verbose', 'INFO,WARN', 'fatal'], ['info', 'WARN', 'trace']],
    [
      'ADDRESS',
      'TEMPORAL_ADDRESS',
      ['localhost', 'localhost:', ':7233', 'http://localhost:7233', 'localhost:port', 'local host:7233', 'localhost:123456', 'localhost:0', 'localhost:00000', 'localhost:65536', 'localhost:99999'],
      ['localhost:7233', '10.0.0.5:7233', 'temporal-frontend.svc.cluster.local:443', 'localhost:1', 'localhost:65535'],
    ],
    [
      'INPUT',
      'SPARKIFY_INPUT',
      ['ftp://host/x', 'gs://bucket/x', 's3://Upper/x', 's3://ab/x', `s3://${KEY_ID}:${SECRET}@bucket/x`],
      ['s3://udacity-dend/', 's3n://bucket.name/a/b', 'relative/dir', 'file:///tmp/in'],
    ],
  ])('%s', (setting, variable, bad, good) => {
    it.each(bad)(`rejects ${variable}=%p with a ConfigError naming ${setting}, not showing the secret`, (value) => {
      const err = configError(() => load({ [variable]: value, AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET }));
      expect(err.message).toContain(setting);
      expect(err.message).toContain('malformed');
      expect(err.message).not.toContain(SECRET);
    });

    it.each(bad)(`rejects %p in dl.cfg too`, (value) => {
      const section = { S3_ENDPOINT: 'AWS', ACTIVITY_CONCURRENCY: 'WORKER', METRICS_PORT: 'WORKER', LOG_LEVEL: 'WORKER', ADDRESS: 'TEMPORAL', INPUT: 'LAKE' }[setting];
      writeCfg(`[AWS]\nAWS_ACCESS_KEY_ID = ${KEY_ID}\nAWS_SECRET_ACCESS_KEY = ${SECRET}\n[${section}]\n${setting} = "${value}"\n`);
      const err = configError(() => load());
      expect(err.message).toContain(setting);
      expect(err.message).not.toContain(SECRET);
    });

    it.each(good)(`accepts ${variable}=%p`, (value) => {
      expect(() => load({ [variable]: value })).not.toThrow();
    });
  });

  it('does not mistake a later setting for an earlier one in messages', () => {
    expect(configError(() => load({ TEMPORAL_ADDRESS: 'nope' })).message).toMatch(/^\[TEMPORAL\] ADDRESS \(or \$TEMPORAL_ADDRESS\) is malformed/);
    expect(configError(() => load({ SPARKIFY_ACTIVITY_CONCURRENCY: '0' })).message).toMatch(
      /^\[WORKER\] ACTIVITY_CONCURRENCY \(or \$SPARKIFY_ACTIVITY_CONCURRENCY\) is malformed/,
    );
  });
});

describe('allowed input and output roots', () => {
  it('default to the configured input and output, and take lists from dl.cfg or the environment', () => {
    const config = load({ SPARKIFY_ALLOWED_OUTPUTS: 's3://lake-a/, ./local-lake ,s3a://lake-b/x' });
    expect(config.allowedInputs).toEqual([path.join(dir, DEFAULT_INPUT)]);
    expect(config.allowedOutputs).toEqual(['s3://lake-a/', path.join(dir, 'local-lake'), 's3a://lake-b/x']);
    writeCfg(['[LAKE]', 'ALLOWED_INPUTS = s3://udacity-dend/,*'].join('\n'));
    expect(load().allowedInputs).toEqual(['s3://udacity-dend/', '*']);
  });

  it('refuses a malformed root, naming the setting', () => {
    const err = configError(() => load({ SPARKIFY_ALLOWED_INPUTS: 's3://user:pw@bucket/' }));
    expect(err.message).toContain('[LAKE] ALLOWED_INPUTS (or $SPARKIFY_ALLOWED_INPUTS) is malformed');
    expect(err.message).not.toContain('pw');
  });
});

describe('redactConfig', () => {
  it('shows whether credentials are set, never their values', () => {
    writeCfg(`[AWS]\nAWS_ACCESS_KEY_ID = ${KEY_ID}\nAWS_SECRET_ACCESS_KEY = ${SECRET}\n`);
    const config = load({ S3_ENDPOINT: 'http://minio:9000', AWS_REGION: 'us-east-1' });
    const printed = redactConfig(config);
    const text = JSON.stringify(printed);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY_ID);
    expect(printed).toEqual({
      source: config.source,
      input: config.input,
      output: config.output,
      allowedInputs: config.allowedInputs,
      allowedOutputs: config.allowedOutputs,
      stagingGcMinutes: 60,
      s3: { region: 'us-east-1', endpoint: 'http://minio:9000', credentials: 'set in dl.cfg' },
      temporal: config.temporal,
      activityConcurrency: 2 * os.availableParallelism(),
      telemetry: { logLevel: 'INFO' },
    });
  });

  it('says when the default provider chain is used', () => {
    expect(redactConfig(load()).s3).toEqual({ region: '(AWS default chain)', endpoint: '(AWS default)', credentials: '(AWS default chain)' });
  });

  // Regression: S3_ENDPOINT accepted userinfo (http://user:password@host:port) and redactConfig printed the endpoint
  // verbatim, so a secret pasted into the endpoint URL was printed.
  it('never prints a secret, even one pasted into S3_ENDPOINT', () => {
    // A MinIO-style secret without '/', which the endpoint pattern would otherwise stop at.
    const secret = 'minioSECRETpassword123';
    const env = { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: secret, S3_ENDPOINT: `http://${KEY_ID}:${secret}@minio:9000` };
    let printed: string;
    try {
      printed = JSON.stringify(redactConfig(load(env)));
    } catch (err) {
      printed = (err as Error).message;
    }
    expect(printed).not.toContain(secret);
  });

  it('drops user info from an endpoint in a config that did not come from loadConfig', () => {
    const config = load();
    for (const endpoint of [`http://${KEY_ID}:${SECRET}@minio:9000`, `https://${SECRET}@s3.example.com/`]) {
      const printed = redactConfig({ ...config, s3: { ...config.s3, endpoint } });
      expect(JSON.stringify(printed)).not.toContain(SECRET);
      expect(JSON.stringify(printed)).not.toContain(KEY_ID);
    }
    expect(redactConfig({ ...config, s3: { ...config.s3, endpoint: `http://${KEY_ID}:${SECRET}@minio:9000` } }).s3).toMatchObject({
      endpoint: 'http://minio:9000',
    });
  });
});
