import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, type ClientConfigTLS, type ConfigDataSource } from '@temporalio/envconfig';
import { loadConfig, type LakeConfig, type LoadOptions, type PemSource, type TemporalProfileLayer, type TemporalProfileReader, type TemporalSettings } from '../lake/config';
import { ConfigError } from '../lake/errors';

/**
 * What both a client's `Connection` and a worker's `NativeConnection` take: one place turns the settings into a
 * connection, so `run`, `backfill`, `schedule`, `gc` and `worker` reach the same cluster the same way.
 */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | false;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/**
 * The settings with Temporal's client configuration file (temporal.toml, as the Temporal CLI reads it) as their
 * lowest layer. What starts a connection loads its settings with this; `loadConfig` alone ignores that file.
 */
export function loadSettings(options: Omit<LoadOptions, 'temporalProfile'> = {}): LakeConfig {
  return loadConfig({ ...options, temporalProfile: readTemporalProfile });
}

/**
 * A profile of Temporal's client configuration file, by `@temporalio/envconfig`. Its own environment layer is off:
 * loadConfig reads the environment itself, above dl.cfg, with the Temporal CLI's names as well as the SDKs'.
 */
export const readTemporalProfile: TemporalProfileReader = ({ file, profile, env }) => {
  const overrideEnvVars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  // An explicit file that does not exist is a mistake; the default file is optional (envconfig skips it when missing).
  if (file !== undefined) readable(file, '[TEMPORAL] CONFIG_FILE (or $TEMPORAL_CONFIG_FILE)');
  let loaded;
  try {
    loaded = loadClientConfigProfile({ profile, configSource: file === undefined ? undefined : { path: file }, disableEnv: true, overrideEnvVars });
  } catch (err) {
    const message = (err as Error).message;
    // "Profile 'x' not found" names only the profile; a TOML parse error may quote a line holding a key.
    if (/^Profile '.*' not found/.test(message)) throw new ConfigError(`[TEMPORAL] PROFILE (or $TEMPORAL_PROFILE): ${message} (${file ?? 'the default client configuration file'})`);
    throw new ConfigError(`Temporal's client configuration file ${file ?? '(the default one)'} is not valid TOML or not a client configuration`);
  }
  const where = `profile ${profile ?? 'default'} of ${file ?? "Temporal's client configuration file"}`;
  return {
    address: loaded.address,
    namespace: loaded.namespace,
    apiKey: loaded.apiKey,
    tls: loaded.tls === undefined ? undefined : profileTls(loaded.tls, where),
    grpcMeta: loaded.grpcMeta,
  };
};

function profileTls(tls: ClientConfigTLS, where: string): TemporalProfileLayer['tls'] {
  const source = (key: string, data?: ConfigDataSource): PemSource | undefined => {
    if (data === undefined) return undefined;
    const setting = `${key} in ${where}`;
    return 'path' in data ? { setting, path: data.path } : { setting, data: typeof data.data === 'string' ? data.data : Buffer.from(data.data).toString('utf8') };
  };
  return {
    disabled: tls.disabled,
    serverName: tls.serverName,
    serverCa: source('tls.server_ca_cert', tls.serverCACert),
    clientCert: source('tls.client_cert', tls.clientCert),
    clientKey: source('tls.client_key', tls.clientKey),
  };
}

/**
 * Connection options for the settings. Files are read now, so a missing or unreadable certificate stops the command
 * at once with the setting's name (and path), never with the file's content.
 */
export function temporalConnectionOptions(temporal: TemporalSettings): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: temporal.address };
  if (temporal.apiKey !== undefined) options.apiKey = temporal.apiKey;
  if (temporal.grpcMeta !== undefined) options.metadata = temporal.grpcMeta;
  const tls = temporal.tls;
  if (tls === undefined) return options;
  if (!tls.enabled) {
    // The SDK turns TLS on by itself for an API key; sending one in the clear is what TLS = false then asks for.
    options.tls = false;
    return options;
  }
  const config: TLSConfig = {};
  if (tls.serverName !== undefined) config.serverNameOverride = tls.serverName;
  if (tls.serverCa !== undefined) config.serverRootCACertificate = pem(tls.serverCa, 'CERTIFICATE');
  if (tls.clientCert !== undefined && tls.clientKey !== undefined) {
    config.clientCertPair = { crt: pem(tls.clientCert, 'CERTIFICATE'), key: pem(tls.clientKey, 'PRIVATE KEY') };
  }
  options.tls = config;
  return options;
}

/** The PEM's bytes, checked to hold the kind of block expected (a key given as the certificate fails here, named). */
function pem(source: PemSource, kind: 'CERTIFICATE' | 'PRIVATE KEY'): Buffer {
  const bytes = 'path' in source ? readable(source.path, source.setting) : Buffer.from(source.data, 'utf8');
  const label = kind === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;
  if (!label.test(bytes.toString('latin1'))) {
    const what = 'path' in source ? `the file ${source.path}` : 'its value';
    throw new ConfigError(`${source.setting}: ${what} holds no PEM ${kind.toLowerCase()} block`);
  }
  return bytes;
}

function readable(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    // The OS's code only (ENOENT, EACCES): its message is no more than that and the path, which we print ourselves.
    throw new ConfigError(`${setting}: cannot read ${path.resolve(file)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Why a connection that failed "before the deadline" failed, when the cause is the settings and not an outage: the
 * gRPC client says the same for a server that is down and for a TLS handshake the server refused (no client
 * certificate, another CA, another server name, TLS on one side only). A frontend whose port accepts TCP is up, so
 * the fault is in what we sent: a ConfigError naming the settings to check, instead of minutes of waiting for an
 * outage to end. undefined when the port does not answer (an outage, or a wrong address: the caller waits).
 */
export async function diagnoseConnectFailure(options: TemporalConnectionOptions, timeoutMs = 3000): Promise<ConfigError | undefined> {
  const match = /^(.*):(\d+)$/.exec(options.address);
  if (!match) return undefined;
  const listening = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: match[1], port: Number(match[2]), timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
  if (!listening) return undefined;
  const tls = options.tls === undefined || options.tls === false ? 'TLS is off' : `TLS is on${options.tls.clientCertPair ? ' with a client certificate' : ', without a client certificate'}`;
  return new ConfigError(
    `Temporal at ${options.address} accepts connections but refuses ours (${tls}): check [TEMPORAL] TLS, TLS_CA, TLS_CERT, TLS_KEY ` +
      `and TLS_SERVER_NAME (or $TEMPORAL_TLS, $TEMPORAL_TLS_CA, $TEMPORAL_TLS_CERT, $TEMPORAL_TLS_KEY, $TEMPORAL_TLS_SERVER_NAME) against what the server asks for`,
  );
}
