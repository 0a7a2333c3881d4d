import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { loadConfig } from '../../lake/config';
import { permanentFailure } from '../../lake/failure-class';
import { StoreFactory } from '../../lake/storage/location';
import { createBucket, describeWithServers, testConfig } from '../helpers/servers';
import { withEnv } from '../helpers/env';

interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Temporary keys with a session token from MinIO's STS (AssumeRole at the S3 endpoint), as AWS STS would give them. */
async function assumeRole(): Promise<TemporaryCredentials> {
  const sts = new STSClient({
    endpoint: process.env.S3_ENDPOINT,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY! },
  });
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:xxx:xxx:xxx:xxxx', RoleSessionName: 'sparkify-test', DurationSeconds: 900 }));
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('MinIO STS answered AssumeRole without temporary credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** Runs `fn` with the worker's environment holding only the given keys (as a role or `aws sso` would export them). */
function withEnvCredentials<T>(credentials: TemporaryCredentials, fn: () => Promise<T>): Promise<T> {
  return withEnv(
    { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken },
    fn,
  );
}

describeWithServers('AWS credentials from the environment, with a session token, against MinIO STS', () => {
  let bucket: string;
  let temporary: TemporaryCredentials;

  beforeAll(async () => {
    bucket = await createBucket(testConfig('aws-credentials'), 'sparkify-creds');
    temporary = await assumeRole();
  });

  it('reads and writes with temporary keys and their session token through the default chain', async () => {
    expect(temporary.accessKeyId).not.toBe(process.env.AWS_ACCESS_KEY_ID);
    await withEnvCredentials(temporary, async () => {
      const config = loadConfig({ env: process.env, cwd: '/nonexistent-sparkify-cwd' });
      // The environment's keys are the SDK's to read: none are passed explicitly, so the token is not lost.
      expect(config.s3).not.toHaveProperty('accessKeyId');
      const store = new StoreFactory(config.s3).open(`s3://${bucket}/lake/`);
      await store.put('songs/_SUCCESS', 'with a session token');
      expect((await store.get('songs/_SUCCESS')).toString()).toBe('with a session token');
    });
  });

  it('fails with a wrong session token, as a permanent error that shows no secret', async () => {
    const wrong = { ...temporary, sessionToken: `${temporary.sessionToken.slice(0, -8)}AAAAAAAA` };
    const err = await withEnvCredentials(wrong, async () => {
      const config = loadConfig({ env: process.env, cwd: '/nonexistent-sparkify-cwd' });
      return new StoreFactory(config.s3).open(`s3://${bucket}/lake/`).get('songs/_SUCCESS').then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    });
    expect(err).toBeDefined();
    const permanent = permanentFailure(err, { attempt: 1, sinceFirstScheduledMs: 0 });
    // MinIO answers InvalidTokenId; AWS S3 answers InvalidToken.
    expect({ error: err?.name, permanent: permanent?.name }).toEqual({ error: expect.stringMatching(/^InvalidToken(Id)?$/), permanent: 'ConfigError' });
    expect(permanent?.message).toMatch(/^Object storage refused the request \(\w+\): check the bucket and credentials/);
    for (const text of [String(err), JSON.stringify(err), permanent?.message ?? '']) {
      expect(text).not.toContain(temporary.secretAccessKey);
      expect(text).not.toContain(wrong.sessionToken);
    }
  });
});
