import { loadConfig } from '../../lake/config';
import { ConfigError } from '../../lake/errors';

const load = (env: NodeJS.ProcessEnv) => loadConfig({ cwd: '/nonexistent-sparkify', env });

describe('worker deployment version settings', () => {
  it('leaves the worker unversioned when neither name nor build id is set', () => {
    expect(load({}).deployment).toBeUndefined();
  });

  it('declares a version, PINNED by default, AUTO_UPGRADE when asked', () => {
    expect(load({ SPARKIFY_DEPLOYMENT_NAME: 'sparkify', SPARKIFY_BUILD_ID: '2026.12.02-abc123' }).deployment).toEqual({
      name: 'sparkify',
      buildId: '2026.12.02-abc123',
      defaultBehavior: 'PINNED',
    });
    expect(load({ SPARKIFY_DEPLOYMENT_NAME: 'sparkify', SPARKIFY_BUILD_ID: 'b', SPARKIFY_VERSIONING_BEHAVIOR: 'auto_upgrade' }).deployment?.defaultBehavior).toBe('AUTO_UPGRADE');
  });

  it.each<[NodeJS.ProcessEnv, string]>([
    [{ SPARKIFY_DEPLOYMENT_NAME: 'sparkify' }, '[WORKER] BUILD_ID (or $SPARKIFY_BUILD_ID) is missing'],
    [{ SPARKIFY_BUILD_ID: 'b1' }, '[WORKER] DEPLOYMENT_NAME (or $SPARKIFY_DEPLOYMENT_NAME) is missing'],
    [{ SPARKIFY_DEPLOYMENT_NAME: 'spark.ify', SPARKIFY_BUILD_ID: 'b1' }, '[WORKER] DEPLOYMENT_NAME (or $SPARKIFY_DEPLOYMENT_NAME) is malformed'],
    [{ SPARKIFY_DEPLOYMENT_NAME: 'sparkify', SPARKIFY_BUILD_ID: 'b 1' }, '[WORKER] BUILD_ID (or $SPARKIFY_BUILD_ID) is malformed'],
    [{ SPARKIFY_DEPLOYMENT_NAME: 'sparkify', SPARKIFY_BUILD_ID: 'b1', SPARKIFY_VERSIONING_BEHAVIOR: 'sticky' }, '[WORKER] VERSIONING_BEHAVIOR (or $SPARKIFY_VERSIONING_BEHAVIOR) is malformed'],
  ])('refuses %j, naming the setting', (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });
});
