import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ini from 'ini';
import { ConfigError } from './errors';
import { ANY_LOCATION, parseUri } from './storage/location';
import type { S3Settings } from './storage/s3-store';

export interface LakeConfig {
  s3: S3Settings;
  input: string;
  output: string;
  /** Inputs a run may name (the configured input and what is below it by default); `*` allows any. */
  allowedInputs: string[];
  /** Outputs a run may name, likewise. */
  allowedOutputs: string[];
  /** A closed run's staging left behind is removed once nothing was written there for this many minutes. */
  stagingGcMinutes: number;
  /** uiUrl: the Temporal Web UI, when known, for links to a run's history. */
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl?: string };
  activityConcurrency: number;
  /** What a `sparkify worker` process logs and where it serves its Prometheus metrics. */
  telemetry: TelemetrySettings;
  /** Where the settings came from, for messages; never the values of secrets. */
  source: string;
}


/** Each setting: its INI section and key, and the environment variable that overrides it. */
const SETTINGS = {
  // Keys in the environment are the AWS SDK's to read (with AWS_SESSION_TOKEN, through its default chain): only
  // keys written in dl.cfg become explicit credentials (FILE_ONLY below; `env` is not read for these three).
  accessKeyId: { section: 'AWS', key: 'AWS_ACCESS_KEY_ID', env: ['AWS_ACCESS_KEY_ID'] },
  secretAccessKey: { section: 'AWS', key: 'AWS_SECRET_ACCESS_KEY', env: ['AWS_SECRET_ACCESS_KEY'] },
  sessionToken: { section: 'AWS', key: 'AWS_SESSION_TOKEN', env: ['AWS_SESSION_TOKEN'] },
  region: { section: 'AWS', key: 'AWS_REGION', env: ['AWS_REGION', 'AWS_DEFAULT_REGION'] },
  endpoint: { section: 'AWS', key: 'S3_ENDPOINT', env: ['S3_ENDPOINT'] },
  input: { section: 'LAKE', key: 'INPUT', env: ['SPARKIFY_INPUT'] },
  output: { section: 'LAKE', key: 'OUTPUT', env: ['SPARKIFY_OUTPUT'] },
  allowedInputs: { section: 'LAKE', key: 'ALLOWED_INPUTS', env: ['SPARKIFY_ALLOWED_INPUTS'] },
  allowedOutputs: { section: 'LAKE', key: 'ALLOWED_OUTPUTS', env: ['SPARKIFY_ALLOWED_OUTPUTS'] },
  stagingGcMinutes: { section: 'LAKE', key: 'STAGING_GC_MINUTES', env: ['SPARKIFY_STAGING_GC_MINUTES'] },
  address: { section: 'TEMPORAL', key: 'ADDRESS', env: ['TEMPORAL_ADDRESS'] },
  namespace: { section: 'TEMPORAL', key: 'NAMESPACE', env: ['TEMPORAL_NAMESPACE'] },
  taskQueue: { section: 'TEMPORAL', key: 'TASK_QUEUE', env: ['SPARKIFY_TASK_QUEUE'] },
  uiUrl: { section: 'TEMPORAL', key: 'UI_URL', env: ['TEMPORAL_UI_URL'] },
  activityConcurrency: { section: 'WORKER', key: 'ACTIVITY_CONCURRENCY', env: ['SPARKIFY_ACTIVITY_CONCURRENCY'] },
  logLevel: { section: 'WORKER', key: 'LOG_LEVEL', env: ['SPARKIFY_LOG_LEVEL'] },
  metricsPort: { section: 'WORKER', key: 'METRICS_PORT', env: ['SPARKIFY_METRICS_PORT'] },
  metricsHost: { section: 'WORKER', key: 'METRICS_HOST', env: ['SPARKIFY_METRICS_HOST'] },
} as const;

/** Settings only dl.cfg gives; the environment's variables of the same name are left to the AWS SDK. */
const FILE_ONLY: ReadonlySet<SettingName> = new Set(['accessKeyId', 'secretAccessKey', 'sessionToken']);

type SettingName = keyof typeof SETTINGS;

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface TelemetrySettings {
  logLevel: LogLevel;
  /** Absent: no metrics endpoint. */
  metrics?: { host: string; port: number };
}

export const DEFAULT_INPUT = '.sparkify/sample-input';
export const DEFAULT_OUTPUT = '.sparkify/lake';
export const DEFAULT_TASK_QUEUE = 'sparkify-etl';

export interface LoadOptions {
  /** dl.cfg path; else $SPARKIFY_CONFIG; else ./dl.cfg when it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function loadConfig(options: LoadOptions = {}): LakeConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.SPARKIFY_CONFIG;
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, 'dl.cfg');
  if (explicit && !existsSync(file)) throw new ConfigError(`Configuration file not found: ${file}`);
  const parsed = existsSync(file) ? readIni(file) : {};

  const read = (name: SettingName): string | undefined => {
    const spec = SETTINGS[name];
    for (const variable of FILE_ONLY.has(name) ? [] : spec.env) {
      const value = env[variable];
      if (value !== undefined && value.trim() !== '') return value.trim();
    }
    const section = parsed[spec.section];
    const value = section && typeof section === 'object' ? (section as Record<string, unknown>)[spec.key] : undefined;
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw malformed(name, 'a single text value');
    return value.trim();
  };

  const credentials = explicitCredentials(read, env);
  const endpoint = read('endpoint');
  // No user info ('@'): credentials belong in the AWS settings, and the endpoint is printed.
  if (endpoint !== undefined && !/^https?:\/\/[^/\s@]+\/?$/.test(endpoint)) {
    throw malformed('endpoint', 'an http(s)://host:port URL without user info');
  }

  const input = read('input') ?? path.join(cwd, DEFAULT_INPUT);
  const output = read('output') ?? path.join(cwd, DEFAULT_OUTPUT);
  for (const name of ['input', 'output'] as const) {
    try {
      parseUri(name === 'input' ? input : output, cwd);
    } catch (err) {
      throw malformed(name, `a URI (s3://bucket/prefix or a local path): ${(err as Error).message}`);
    }
  }

  const roots = (name: 'allowedInputs' | 'allowedOutputs', fallback: string): string[] => {
    const list = (read(name) ?? fallback).split(',').map((r) => r.trim()).filter((r) => r !== '');
    for (const root of list) {
      if (root === ANY_LOCATION) continue;
      try {
        parseUri(root, cwd);
      } catch (err) {
        throw malformed(name, `a comma-separated list of URIs or ${ANY_LOCATION}: ${(err as Error).message}`);
      }
    }
    // Relative paths mean what they meant where the setting was read, as input and output do.
    return list.map((root) => (root === ANY_LOCATION || /^[a-z][a-z0-9+.-]*:\/\//i.test(root) ? root : path.resolve(cwd, root)));
  };
  const allowedInputs = roots('allowedInputs', input);
  const allowedOutputs = roots('allowedOutputs', output);

  const gcText = read('stagingGcMinutes') ?? '60';
  if (!/^\d+$/.test(gcText)) throw malformed('stagingGcMinutes', 'a whole number of minutes');
  const stagingGcMinutes = Number(gcText);

  const concurrencyText = read('activityConcurrency') ?? '8';
  const activityConcurrency = Number(concurrencyText);
  // Number() alone would also take '0x10', '1e1' or '2.0'.
  if (!/^\d+$/.test(concurrencyText) || activityConcurrency < 1 || activityConcurrency > 1024) {
    throw malformed('activityConcurrency', 'a whole number from 1 to 1024');
  }

  const address = read('address') ?? '127.0.0.1:7233';
  const port = /^[^\s:/]+:(\d{1,5})$/.exec(address)?.[1];
  if (port === undefined || Number(port) < 1 || Number(port) > 65535) throw malformed('address', 'host:port, port 1 to 65535');

  const uiUrl = read('uiUrl');
  // Printed in links: no user info, as for the S3 endpoint.
  if (uiUrl !== undefined && !/^https?:\/\/[^/\s@]+(\/\S*)?$/.test(uiUrl)) throw malformed('uiUrl', 'an http(s):// URL without user info');

  const logLevel = (read('logLevel') ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw malformed('logLevel', LOG_LEVELS.join(', '));
  const metricsPortText = read('metricsPort');
  if (metricsPortText !== undefined && (!/^\d{1,5}$/.test(metricsPortText) || Number(metricsPortText) < 1 || Number(metricsPortText) > 65535)) {
    throw malformed('metricsPort', 'a port, 1 to 65535');
  }
  // Loopback unless asked: whoever can reach the port reads the metrics, so exposing them is a choice (0.0.0.0 in a container).
  const metricsHost = read('metricsHost') ?? '127.0.0.1';
  if (!/^[^\s:/@]+$|^\[[0-9a-f:.]+\]$/i.test(metricsHost)) throw malformed('metricsHost', 'a host name or IP address to bind');

  return {
    // Region absent: the AWS SDK's own chain (the profile's region, then instance metadata) decides.
    s3: { region: read('region'), endpoint, ...credentials },
    input,
    output,
    allowedInputs,
    allowedOutputs,
    stagingGcMinutes,
    temporal: { address, namespace: read('namespace') ?? 'default', taskQueue: read('taskQueue') ?? DEFAULT_TASK_QUEUE, uiUrl },
    activityConcurrency,
    telemetry: {
      logLevel: logLevel as LogLevel,
      metrics: metricsPortText === undefined ? undefined : { host: metricsHost, port: Number(metricsPortText) },
    },
    source: existsSync(file) ? file : 'defaults and environment',
  };
}

/**
 * Keys from dl.cfg, both or neither (a session token optional beside them), unless the environment has keys of its
 * own: then those win, as every other setting's variable wins over the file, and the SDK reads them with their
 * session token. A lone key in the environment is refused here rather than skipped silently by the SDK's chain.
 */
function explicitCredentials(
  read: (name: SettingName) => string | undefined,
  env: NodeJS.ProcessEnv,
): Pick<S3Settings, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'> {
  const inEnv = (name: string) => (env[name] ?? '').trim() !== '';
  if (inEnv('AWS_ACCESS_KEY_ID') !== inEnv('AWS_SECRET_ACCESS_KEY')) {
    const missing = inEnv('AWS_ACCESS_KEY_ID') ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID';
    throw new ConfigError(`$${missing} is missing from the environment: set both AWS credentials there or neither`);
  }
  const accessKeyId = read('accessKeyId');
  const secretAccessKey = read('secretAccessKey');
  const sessionToken = read('sessionToken');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing = accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey';
    throw new ConfigError(`${describeInFile(missing)} is missing: set both AWS credentials or neither`);
  }
  if (sessionToken !== undefined && accessKeyId === undefined) {
    throw new ConfigError(`${describeInFile('sessionToken')} is set without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
  }
  if (accessKeyId === undefined || inEnv('AWS_ACCESS_KEY_ID')) return {};
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}

function readIni(file: string): Record<string, unknown> {
  try {
    return ini.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read configuration file ${file}: ${(err as Error).message}`);
  }
}

function describe(name: SettingName): string {
  const spec = SETTINGS[name];
  return FILE_ONLY.has(name) ? describeInFile(name) : `[${spec.section}] ${spec.key} (or $${spec.env[0]})`;
}

function describeInFile(name: SettingName): string {
  const spec = SETTINGS[name];
  return `[${spec.section}] ${spec.key} in dl.cfg`;
}

function malformed(name: SettingName, expected: string): ConfigError {
  return new ConfigError(`${describe(name)} is malformed: expected ${expected}`);
}

/** The configuration as it may be printed: credentials replaced by whether they are set. */
export function redactConfig(config: LakeConfig): Record<string, unknown> {
  return {
    source: config.source,
    input: config.input,
    output: config.output,
    allowedInputs: config.allowedInputs,
    allowedOutputs: config.allowedOutputs,
    stagingGcMinutes: config.stagingGcMinutes,
    s3: {
      region: config.s3.region ?? '(AWS default chain)',
      endpoint: config.s3.endpoint === undefined ? '(AWS default)' : withoutUserInfo(config.s3.endpoint),
      credentials: config.s3.accessKeyId ? 'set in dl.cfg' : '(AWS default chain)',
    },
    temporal: config.temporal,
    activityConcurrency: config.activityConcurrency,
    telemetry: config.telemetry,
  };
}

/**
 * loadConfig refuses user info in the endpoint; this keeps a config built any other way from printing it.
 * Cut up to the last '@', not the first '/': AWS secrets may contain '/'.
 */
function withoutUserInfo(endpoint: string): string {
  return endpoint.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/is, '$1');
}
