import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
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
  temporal: TemporalSettings;
  activityConcurrency: number;
  /** What a `sparkify worker` process logs and where it serves its Prometheus metrics. */
  telemetry: TelemetrySettings;
  /** The worker's identity in Temporal (who ran an activity); the SDK's `pid@hostname` when unset. */
  workerIdentity?: string;
  /** The worker deployment version the worker declares (Temporal worker versioning); unversioned when unset. */
  deployment?: WorkerDeployment;
  /** Where the settings came from, for messages; never the values of secrets. */
  source: string;
}

/**
 * Where the Temporal frontend is and how to prove who we are to it. Secrets (the API key, a private key given inline)
 * live only here and in the connection built from it: never printed (redactConfig), never in workflow inputs.
 */
export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** The Web UI, when known, for links to a run's history. */
  uiUrl?: string;
  /** undefined: plain TCP, unless an API key is set (then TLS with the system's roots). */
  tls?: TemporalTls;
  apiKey?: string;
  /** Extra gRPC headers, from a Temporal client configuration profile only. */
  grpcMeta?: Record<string, string>;
}

export interface TemporalTls {
  /** false: TLS explicitly off ([TEMPORAL] TLS = false), even with certificates configured elsewhere. */
  enabled: boolean;
  serverCa?: PemSource;
  clientCert?: PemSource;
  clientKey?: PemSource;
  serverName?: string;
}

/**
 * A worker of a deployment version polls for the runs of that version only. PINNED: a run stays on the build it
 * started on until it closes, so workers of the old build drain while new runs go to the new one (no replay across
 * builds). AUTO_UPGRADE: open runs move to the current version at their next workflow task (replay must pass).
 */
export interface WorkerDeployment {
  name: string;
  buildId: string;
  defaultBehavior: 'PINNED' | 'AUTO_UPGRADE';
}

/** A PEM file or PEM text, and the setting it came from, so a read error can name the setting and not the content. */
export type PemSource = { setting: string } & ({ path: string } | { data: string });

/**
 * The lowest layer of Temporal settings: a profile of Temporal's client configuration file (temporal.toml), read by
 * the caller (the engine does not import Temporal); dl.cfg and the environment override each of its values.
 */
export interface TemporalProfileLayer {
  address?: string;
  namespace?: string;
  apiKey?: string;
  tls?: { disabled?: boolean; serverCa?: PemSource; clientCert?: PemSource; clientKey?: PemSource; serverName?: string };
  grpcMeta?: Record<string, string>;
}

/** Reads the profile (default: $TEMPORAL_PROFILE, else `default`) of the file (default: $TEMPORAL_CONFIG_FILE, else Temporal's). */
export type TemporalProfileReader = (which: { file?: string; profile?: string; env: NodeJS.ProcessEnv; cwd: string }) => TemporalProfileLayer;

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
  // The Temporal CLI's names first (TEMPORAL_TLS_CA…), then those of Temporal's environment configuration (the SDKs').
  tls: { section: 'TEMPORAL', key: 'TLS', env: ['TEMPORAL_TLS'] },
  tlsCa: { section: 'TEMPORAL', key: 'TLS_CA', env: ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'] },
  tlsCaData: { section: 'TEMPORAL', key: 'TLS_CA_DATA', env: ['TEMPORAL_TLS_CA_DATA', 'TEMPORAL_TLS_SERVER_CA_CERT_DATA'] },
  tlsCert: { section: 'TEMPORAL', key: 'TLS_CERT', env: ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_CLIENT_CERT_PATH'] },
  tlsCertData: { section: 'TEMPORAL', key: 'TLS_CERT_DATA', env: ['TEMPORAL_TLS_CERT_DATA', 'TEMPORAL_TLS_CLIENT_CERT_DATA'] },
  tlsKey: { section: 'TEMPORAL', key: 'TLS_KEY', env: ['TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CLIENT_KEY_PATH'] },
  tlsKeyData: { section: 'TEMPORAL', key: 'TLS_KEY_DATA', env: ['TEMPORAL_TLS_KEY_DATA', 'TEMPORAL_TLS_CLIENT_KEY_DATA'] },
  tlsServerName: { section: 'TEMPORAL', key: 'TLS_SERVER_NAME', env: ['TEMPORAL_TLS_SERVER_NAME'] },
  apiKey: { section: 'TEMPORAL', key: 'API_KEY', env: ['TEMPORAL_API_KEY'] },
  profile: { section: 'TEMPORAL', key: 'PROFILE', env: ['TEMPORAL_PROFILE'] },
  configFile: { section: 'TEMPORAL', key: 'CONFIG_FILE', env: ['TEMPORAL_CONFIG_FILE'] },
  activityConcurrency: { section: 'WORKER', key: 'ACTIVITY_CONCURRENCY', env: ['SPARKIFY_ACTIVITY_CONCURRENCY'] },
  logLevel: { section: 'WORKER', key: 'LOG_LEVEL', env: ['SPARKIFY_LOG_LEVEL'] },
  metricsPort: { section: 'WORKER', key: 'METRICS_PORT', env: ['SPARKIFY_METRICS_PORT'] },
  metricsHost: { section: 'WORKER', key: 'METRICS_HOST', env: ['SPARKIFY_METRICS_HOST'] },
  workerIdentity: { section: 'WORKER', key: 'IDENTITY', env: ['SPARKIFY_WORKER_IDENTITY'] },
  deploymentName: { section: 'WORKER', key: 'DEPLOYMENT_NAME', env: ['SPARKIFY_DEPLOYMENT_NAME'] },
  buildId: { section: 'WORKER', key: 'BUILD_ID', env: ['SPARKIFY_BUILD_ID'] },
  versioningBehavior: { section: 'WORKER', key: 'VERSIONING_BEHAVIOR', env: ['SPARKIFY_VERSIONING_BEHAVIOR'] },
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
  /** Reads Temporal's client configuration file; without it that file is not read (client/temporal-connection.ts has one). */
  temporalProfile?: TemporalProfileReader;
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

  const concurrencyText = read('activityConcurrency') ?? String(defaultActivityConcurrency());
  const activityConcurrency = Number(concurrencyText);
  // Number() alone would also take '0x10', '1e1' or '2.0'.
  if (!/^\d+$/.test(concurrencyText) || activityConcurrency < 1 || activityConcurrency > 1024) {
    throw malformed('activityConcurrency', 'a whole number from 1 to 1024');
  }

  const temporal = readTemporal(read, options.temporalProfile, env, cwd);
  const address = temporal.address;
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
    temporal: { ...temporal, taskQueue: read('taskQueue') ?? DEFAULT_TASK_QUEUE, uiUrl },
    activityConcurrency,
    telemetry: {
      logLevel: logLevel as LogLevel,
      metrics: metricsPortText === undefined ? undefined : { host: metricsHost, port: Number(metricsPortText) },
    },
    workerIdentity: read('workerIdentity'),
    ...readDeployment(read),
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

/**
 * A configuration loaded from an environment other than this process's (a cluster's printed settings, a test's):
 * the AWS SDK's default chain reads only `process.env`, so that environment's keys are given to the client here.
 */
export function withCredentialsOf(config: LakeConfig, env: NodeJS.ProcessEnv): LakeConfig {
  const key = env.AWS_ACCESS_KEY_ID?.trim();
  const secret = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!key || !secret) return config;
  const token = env.AWS_SESSION_TOKEN?.trim();
  return { ...config, s3: { ...config.s3, accessKeyId: key, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) } };
}

type Read = (name: SettingName) => string | undefined;

function readDeployment(read: Read): { deployment?: WorkerDeployment } {
  const name = read('deploymentName');
  const buildId = read('buildId');
  const behavior = (read('versioningBehavior') ?? 'PINNED').toUpperCase();
  if (name === undefined && buildId === undefined) return {};
  if (name === undefined || buildId === undefined) {
    throw new ConfigError(`${describe(name === undefined ? 'deploymentName' : 'buildId')} is missing: a deployment version is a deployment name and a build id`);
  }
  // Temporal joins them as name.buildId in its canonical form; a '.' in the name would make that ambiguous.
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(name)) throw malformed('deploymentName', 'letters, digits, - and _ (at most 100)');
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(buildId)) throw malformed('buildId', 'letters, digits, ., - and _ (at most 100)');
  if (behavior !== 'PINNED' && behavior !== 'AUTO_UPGRADE') throw malformed('versioningBehavior', 'PINNED or AUTO_UPGRADE');
  return { deployment: { name, buildId, defaultBehavior: behavior } };
}

/**
 * Temporal's settings, each from the environment, else dl.cfg, else the client configuration profile, else the
 * default, so one value set anywhere higher wins whatever the layers below say. Relative file paths mean what they
 * meant where they were read.
 */
function readTemporal(read: Read, readProfile: TemporalProfileReader | undefined, env: NodeJS.ProcessEnv, cwd: string): Omit<TemporalSettings, 'taskQueue' | 'uiUrl'> {
  const configFile = read('configFile');
  let profile: TemporalProfileLayer = {};
  if (readProfile) {
    try {
      profile = readProfile({ file: configFile === undefined ? undefined : path.resolve(cwd, configFile), profile: read('profile'), env, cwd });
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      // The file's own parser may quote the offending line, which may hold a key: name the settings, not the text.
      throw new ConfigError(`Temporal's client configuration file (${describe('configFile')}, profile ${describe('profile')}) cannot be read: ${(err as Error).name}`);
    }
  }

  const pem = (pathSetting: 'tlsCa' | 'tlsCert' | 'tlsKey', dataSetting: 'tlsCaData' | 'tlsCertData' | 'tlsKeyData', below?: PemSource): PemSource | undefined => {
    const file = read(pathSetting);
    const data = read(dataSetting);
    if (file !== undefined && data !== undefined) throw new ConfigError(`${describe(pathSetting)} and ${describe(dataSetting)} are both set: set one`);
    if (file !== undefined) return { setting: describe(pathSetting), path: path.resolve(cwd, file) };
    if (data !== undefined) return { setting: describe(dataSetting), data };
    return below;
  };
  const serverCa = pem('tlsCa', 'tlsCaData', profile.tls?.serverCa);
  const clientCert = pem('tlsCert', 'tlsCertData', profile.tls?.clientCert);
  const clientKey = pem('tlsKey', 'tlsKeyData', profile.tls?.clientKey);
  const serverName = read('tlsServerName') ?? profile.tls?.serverName;
  if ((clientCert === undefined) !== (clientKey === undefined)) {
    const missing = clientCert === undefined ? 'tlsCert' : 'tlsKey';
    throw new ConfigError(`${describe(missing)} is missing: a client certificate needs its key and a key its certificate`);
  }

  const tlsText = read('tls');
  if (tlsText !== undefined && !/^(true|false|1|0)$/i.test(tlsText)) throw malformed('tls', 'true or false');
  const apiKey = read('apiKey') ?? profile.apiKey;
  const anyTls = serverCa !== undefined || clientCert !== undefined || serverName !== undefined || profile.tls !== undefined;
  // As Temporal's CLI and SDKs do: TLS is on when asked for, when anything about it is configured, or with an API key
  // (which must never cross the network in the clear); TLS = false turns it off whatever else is set.
  const enabled = tlsText !== undefined ? /^(true|1)$/i.test(tlsText) : profile.tls?.disabled === true ? false : anyTls || apiKey !== undefined;
  const tls = enabled || tlsText !== undefined || anyTls ? { enabled, serverCa, clientCert, clientKey, serverName } : undefined;

  return {
    address: read('address') ?? profile.address ?? '127.0.0.1:7233',
    namespace: read('namespace') ?? profile.namespace ?? 'default',
    ...(tls === undefined ? {} : { tls }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(profile.grpcMeta === undefined ? {} : { grpcMeta: profile.grpcMeta }),
  };
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
    temporal: redactTemporal(config.temporal),
    activityConcurrency: config.activityConcurrency,
    telemetry: config.telemetry,
    ...(config.workerIdentity === undefined ? {} : { workerIdentity: config.workerIdentity }),
    ...(config.deployment === undefined ? {} : { deployment: config.deployment }),
  };
}

/** Temporal's settings as they may be printed: files by path, inline PEM, keys and headers only as set. */
export function redactTemporal(temporal: TemporalSettings): Record<string, unknown> {
  const { tls, apiKey, grpcMeta, ...plain } = temporal;
  const pem = (source?: PemSource) => (source === undefined ? undefined : 'path' in source ? source.path : '(inline)');
  return {
    ...plain,
    ...(tls === undefined
      ? {}
      : { tls: tls.enabled ? { serverCa: pem(tls.serverCa) ?? '(system roots)', clientCert: pem(tls.clientCert), clientKey: tls.clientKey && 'set', serverName: tls.serverName } : 'off' }),
    ...(apiKey === undefined ? {} : { apiKey: 'set' }),
    ...(grpcMeta === undefined ? {} : { grpcMeta: Object.keys(grpcMeta) }),
  };
}

/**
 * loadConfig refuses user info in the endpoint; this keeps a config built any other way from printing it.
 * Cut up to the last '@', not the first '/': AWS secrets may contain '/'.
 */
function withoutUserInfo(endpoint: string): string {
  return endpoint.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/is, '$1');
}

/**
 * Two activities per core this worker may run on (its CPU affinity, as `taskset` or a container's cpuset leaves it):
 * one computing while the other waits on storage. More slots let a worker take parts it has no core for while
 * another worker sits idle, since a worker takes tasks whenever it has free slots, not whenever it has free cores.
 */
export function defaultActivityConcurrency(): number {
  return 2 * os.availableParallelism();
}
