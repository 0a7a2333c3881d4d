import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSettings, temporalConnectionOptions } from '../../client/temporal-connection';
import { loadConfig, redactConfig } from '../../lake/config';
import { ConfigError } from '../../lake/errors';

const API_KEY = 'tmprl-api-key-SECRET-0123456789';
const KEY_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC-SECRET-KEY-BODY';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sparkify-temporal-'));
  for (const [name, text] of Object.entries({ 'ca.pem': CERT, 'client.pem': CERT, 'client.key': KEY })) writeFileSync(path.join(dir, name), text);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};
/** An explicit environment whose HOME has no Temporal configuration, so the machine's own cannot leak in. */
const load = (env: NodeJS.ProcessEnv = {}) => loadSettings({ cwd: dir, env: { HOME: dir, XDG_CONFIG_HOME: dir, ...env } });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const TOML = `
[profile.default]
address = "toml-default:7233"
namespace = "toml-ns"

[profile.prod]
address = "prod.tmprl.cloud:7233"
namespace = "prod.acct"
api_key = "${API_KEY}"

[profile.mtls]
address = "mtls:7233"
[profile.mtls.tls]
server_ca_cert_path = "${'CA_PATH'}"
client_cert_path = "${'CERT_PATH'}"
client_key_data = """${KEY}"""
server_name = "frontend.internal"
`;

describe('Temporal connection settings', () => {
  it('connects in the clear to 127.0.0.1:7233, namespace default, with nothing configured', () => {
    const config = load();
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'sparkify-etl', uiUrl: undefined });
    expect(temporalConnectionOptions(config.temporal)).toEqual({ address: '127.0.0.1:7233' });
  });

  it("reads a profile of Temporal's client configuration file, named by $TEMPORAL_PROFILE or [TEMPORAL] PROFILE", () => {
    const toml = file('temporal.toml', TOML.replace('CA_PATH', path.join(dir, 'ca.pem')).replace('CERT_PATH', path.join(dir, 'client.pem')));
    expect(load({ TEMPORAL_CONFIG_FILE: toml }).temporal).toMatchObject({ address: 'toml-default:7233', namespace: 'toml-ns' });

    const prod = load({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' });
    expect(prod.temporal).toMatchObject({ address: 'prod.tmprl.cloud:7233', namespace: 'prod.acct', apiKey: API_KEY, tls: { enabled: true } });
    // An API key goes over TLS with the system's roots, as in Temporal's SDKs and CLI.
    expect(temporalConnectionOptions(prod.temporal)).toEqual({ address: 'prod.tmprl.cloud:7233', apiKey: API_KEY, tls: {} });

    file('dl.cfg', `[TEMPORAL]\nCONFIG_FILE = temporal.toml\nPROFILE = mtls\n`);
    const mtls = temporalConnectionOptions(load().temporal);
    expect(mtls.address).toBe('mtls:7233');
    expect(mtls.tls).toEqual({
      serverNameOverride: 'frontend.internal',
      serverRootCACertificate: Buffer.from(CERT),
      clientCertPair: { crt: Buffer.from(CERT), key: Buffer.from(KEY) },
    });
  });

  it('lets dl.cfg win over the profile and the environment over both, value by value', () => {
    const toml = file('temporal.toml', `[profile.default]\naddress = "toml:7233"\nnamespace = "toml-ns"\napi_key = "${API_KEY}"\n`);
    file('dl.cfg', `[TEMPORAL]\nCONFIG_FILE = ${toml}\nNAMESPACE = cfg-ns\n`);
    expect(load().temporal).toMatchObject({ address: 'toml:7233', namespace: 'cfg-ns', apiKey: API_KEY });
    expect(load({ TEMPORAL_NAMESPACE: 'env-ns', TEMPORAL_API_KEY: 'other' }).temporal).toMatchObject({ address: 'toml:7233', namespace: 'env-ns', apiKey: 'other' });
  });

  it("takes the Temporal CLI's TLS variables and those of Temporal's environment configuration", () => {
    const cli = load({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CA: 'ca.pem', TEMPORAL_TLS_CERT: 'client.pem', TEMPORAL_TLS_KEY: 'client.key', TEMPORAL_TLS_SERVER_NAME: 'frontend' });
    const sdk = load({
      TEMPORAL_ADDRESS: 'h:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_DATA: KEY,
      TEMPORAL_TLS_SERVER_NAME: 'frontend',
    });
    for (const config of [cli, sdk]) {
      expect(temporalConnectionOptions(config.temporal).tls).toEqual({
        serverNameOverride: 'frontend',
        serverRootCACertificate: Buffer.from(CERT),
        clientCertPair: { crt: Buffer.from(CERT), key: Buffer.from(KEY) },
      });
    }
  });

  it('turns TLS off with TLS = false, on with TLS = true and the system roots', () => {
    expect(temporalConnectionOptions(load({ TEMPORAL_TLS: 'true' }).temporal)).toEqual({ address: '127.0.0.1:7233', tls: {} });
    expect(temporalConnectionOptions(load({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: API_KEY }).temporal)).toEqual({ address: '127.0.0.1:7233', apiKey: API_KEY, tls: false });
    expect(configError(() => load({ TEMPORAL_TLS: 'yes please' })).message).toContain('[TEMPORAL] TLS (or $TEMPORAL_TLS) is malformed');
  });

  it('names the setting, never the secret, when something is wrong', () => {
    const noKey = configError(() => load({ TEMPORAL_TLS_CERT: 'client.pem' }));
    expect(noKey.message).toContain('[TEMPORAL] TLS_KEY (or $TEMPORAL_TLS_KEY) is missing');

    const missing = configError(() => temporalConnectionOptions(load({ TEMPORAL_TLS_CA: 'nope.pem' }).temporal));
    expect(missing.message).toBe(`[TEMPORAL] TLS_CA (or $TEMPORAL_TLS_CA): cannot read ${path.join(dir, 'nope.pem')} (ENOENT)`);

    // A key given where the certificate belongs: the error names the setting and the file, and shows none of it.
    const swapped = configError(() => temporalConnectionOptions(load({ TEMPORAL_TLS_CERT: 'client.key', TEMPORAL_TLS_KEY: 'client.key' }).temporal));
    expect(swapped.message).toContain('[TEMPORAL] TLS_CERT (or $TEMPORAL_TLS_CERT)');
    expect(swapped.message).not.toContain(KEY_BODY);
    const inline = configError(() => temporalConnectionOptions(load({ TEMPORAL_TLS_CERT: 'client.pem', TEMPORAL_TLS_KEY_DATA: `not a key ${KEY_BODY}` }).temporal));
    expect(inline.message).toBe('[TEMPORAL] TLS_KEY_DATA (or $TEMPORAL_TLS_KEY_DATA): its value holds no PEM private key block');

    const badToml = file('bad.toml', `[profile.default]\napi_key = "${API_KEY}\n`);
    const parse = configError(() => load({ TEMPORAL_CONFIG_FILE: badToml }));
    expect(parse.message).toContain(badToml);
    expect(parse.message).not.toContain(API_KEY);

    expect(configError(() => load({ TEMPORAL_CONFIG_FILE: path.join(dir, 'none.toml') })).message).toContain('[TEMPORAL] CONFIG_FILE (or $TEMPORAL_CONFIG_FILE): cannot read');
    const toml = file('temporal.toml', '[profile.default]\naddress = "a:1"\n');
    expect(configError(() => load({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' })).message).toContain("[TEMPORAL] PROFILE (or $TEMPORAL_PROFILE): Profile 'staging' not found");
  });

  it('prints no API key, no inline key and no header value', () => {
    const toml = file('temporal.toml', `[profile.default]\naddress = "a:7233"\n[profile.default.grpc_meta]\nauthorization = "Bearer ${API_KEY}"\n`);
    const config = load({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS_CERT: 'client.pem', TEMPORAL_TLS_KEY_DATA: KEY, SPARKIFY_WORKER_IDENTITY: 'node1' });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain(API_KEY);
    expect(printed).not.toContain(KEY_BODY);
    expect(JSON.parse(printed)).toMatchObject({
      temporal: { address: 'a:7233', apiKey: 'set', grpcMeta: ['authorization'], tls: { serverCa: '(system roots)', clientCert: path.join(dir, 'client.pem'), clientKey: 'set' } },
      workerIdentity: 'node1',
    });
  });

  it('leaves the client configuration file to loadSettings: loadConfig alone reads dl.cfg and the environment', () => {
    const toml = file('temporal.toml', '[profile.default]\naddress = "toml:7233"\n');
    expect(loadConfig({ cwd: dir, env: { TEMPORAL_CONFIG_FILE: toml } }).temporal.address).toBe('127.0.0.1:7233');
  });
});
