import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lake/config';
import { createS3Client } from '../../lake/storage/s3-store';

/** The variables the AWS SDK reads for region, profile and retries; each test sets its own. */
const AWS_VARIABLES = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_MAX_ATTEMPTS', 'AWS_RETRY_MODE', 'AWS_EC2_METADATA_DISABLED', 'AWS_REQUEST_CHECKSUM_CALCULATION', 'AWS_RESPONSE_CHECKSUM_VALIDATION'];

let dir: string;
let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sparkify-aws-profile-'));
  saved = { ...process.env };
  for (const name of AWS_VARIABLES) delete process.env[name];
  // No profile file of the machine's, and no instance metadata lookup from a laptop or CI runner.
  process.env.AWS_CONFIG_FILE = path.join(dir, 'none');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'none');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});
afterEach(() => {
  for (const name of AWS_VARIABLES) delete process.env[name];
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
});

/** A client setting as resolved: the SDK keeps some as values, some as providers. */
async function resolved<T>(setting: T | (() => Promise<T>)): Promise<T> {
  return typeof setting === 'function' ? (setting as () => Promise<T>)() : setting;
}

/** The S3 client the workers would build from the configuration this environment gives. */
function workerClient() {
  return createS3Client(loadConfig({ env: process.env, cwd: dir }).s3);
}

describe('the S3 client follows the AWS SDK settings', () => {
  it('computes and checks checksums only where an operation requires one, unless the environment or profile says', async () => {
    const client = () => workerClient().config;
    expect(await resolved(client().requestChecksumCalculation)).toBe('WHEN_REQUIRED');
    expect(await resolved(client().responseChecksumValidation)).toBe('WHEN_REQUIRED');
    const configFile = path.join(dir, 'config');
    writeFileSync(configFile, '[default]\nresponse_checksum_validation = when_supported\n');
    Object.assign(process.env, { AWS_CONFIG_FILE: configFile, AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_SUPPORTED' });
    expect(await resolved(client().requestChecksumCalculation)).toBe('WHEN_SUPPORTED');
    expect(await resolved(client().responseChecksumValidation)).toBe('WHEN_SUPPORTED');
    process.env.AWS_REQUEST_CHECKSUM_CALCULATION = 'sometimes';
    expect(() => client()).toThrow("AWS_REQUEST_CHECKSUM_CALCULATION must be WHEN_SUPPORTED or WHEN_REQUIRED, not 'sometimes'");
  });

  it("takes the region of AWS_PROFILE's profile when no setting names one", async () => {
    const configFile = path.join(dir, 'config');
    writeFileSync(configFile, '[default]\nregion = us-west-1\n\n[profile lake-eu]\nregion = eu-west-3\n');
    process.env.AWS_CONFIG_FILE = configFile;
    process.env.AWS_PROFILE = 'lake-eu';
    expect(await workerClient().config.region()).toBe('eu-west-3');
  });

  it('lets AWS_REGION win over the profile', async () => {
    const configFile = path.join(dir, 'config');
    writeFileSync(configFile, '[profile lake-eu]\nregion = eu-west-3\n');
    Object.assign(process.env, { AWS_CONFIG_FILE: configFile, AWS_PROFILE: 'lake-eu', AWS_REGION: 'ap-south-1' });
    expect(await workerClient().config.region()).toBe('ap-south-1');
  });

  it('falls back to us-east-1 when no setting, profile or instance names a region', async () => {
    expect(await workerClient().config.region()).toBe('us-east-1');
  });

  it('respects AWS_MAX_ATTEMPTS and AWS_RETRY_MODE, and tries 6 times when neither is set', async () => {
    const byDefault = workerClient();
    expect(await byDefault.config.maxAttempts()).toBe(6);
    expect(await resolved(byDefault.config.retryMode)).toBe('standard');

    Object.assign(process.env, { AWS_MAX_ATTEMPTS: '2', AWS_RETRY_MODE: 'adaptive' });
    const configured = workerClient();
    expect(await configured.config.maxAttempts()).toBe(2);
    expect(await resolved(configured.config.retryMode)).toBe('adaptive');
  });

  it("takes max_attempts from the profile, as the SDK does", async () => {
    const configFile = path.join(dir, 'config');
    writeFileSync(configFile, '[profile flaky]\nmax_attempts = 9\n');
    Object.assign(process.env, { AWS_CONFIG_FILE: configFile, AWS_PROFILE: 'flaky' });
    expect(await workerClient().config.maxAttempts()).toBe(9);
  });
});
