import { loadConfig, DEFAULT_SIMULATOR_AK } from '../../src/config';
import { fixedSecret, problemsOf } from '../support/config-problems';

const secret = fixedSecret;

describe('loadConfig', () => {
  it('defaults to the embedded simulator with the documented settings', () => {
    const config = loadConfig({}, secret);
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      upstream: { mode: 'embedded', simulatorPort: 9100, auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK } },
      defaultPageSize: 20,
      maxPageSize: 100,
      maxRangeDays: 31,
      explorer: 'graphiql',
      cursorSecret: 'fixed-secret',
      cursorSecretGenerated: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('uses Huawei Cloud when AK/SK are set', () => {
    const config = loadConfig({ HUAWEICLOUD_SDK_AK: 'AK123', HUAWEICLOUD_SDK_SK: 'SK456', HUAWEICLOUD_SDK_DOMAIN_ID: 'd1' }, secret);
    expect(config.upstream).toEqual({
      mode: 'remote',
      endpoint: 'https://cdn.myhuaweicloud.com',
      auth: { kind: 'aksk', ak: 'AK123', sk: 'SK456', securityToken: undefined, domainId: 'd1' },
    });
  });

  it('uses token mode with an IAM token', () => {
    const config = loadConfig({ HUAWEICLOUD_IAM_TOKEN: 'tok', CDN_ENDPOINT: 'https://cdn.myhuaweicloud.eu' }, secret);
    expect(config.upstream).toEqual({ mode: 'remote', endpoint: 'https://cdn.myhuaweicloud.eu', auth: { kind: 'token', token: 'tok' } });
  });

  it('lists every invalid and contradictory setting at once', () => {
    expect(
      problemsOf({ PORT: 'abc', EXPLORER: 'nope', MAX_PAGE_SIZE: '10', DEFAULT_PAGE_SIZE: '50', HUAWEICLOUD_SDK_AK: 'only-ak', CACHE_TTL_MS: '-1' }),
    ).toEqual([
      'PORT: must be a whole number from 0 to 65535 (got "abc")',
      'CACHE_TTL_MS: must be a whole number from 0 to 3600000 (got "-1")',
      'EXPLORER: Invalid option: expected one of "graphiql"|"sandbox"|"off" (got "nope")',
      'HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK must be set together (only one is set)',
      'DEFAULT_PAGE_SIZE (50) must not exceed MAX_PAGE_SIZE (10)',
    ]);
  });

  it('never echoes secret values in its messages', () => {
    const problems = problemsOf({ CURSOR_SECRET: 'short-secret', HUAWEICLOUD_SDK_SK: 'TOPSECRETSK', HUAWEICLOUD_IAM_TOKEN: 'x' });
    expect(problems.join('\n')).not.toMatch(/short-secret|TOPSECRETSK/);
    expect(problems).toContain('CURSOR_SECRET: must be at least 16 characters (got a value, not shown)');
  });

  it('reads CACHE_SETTLED_TTL_MS (10 minutes by default, at most an hour) and refuses one below CACHE_TTL_MS unless 0', () => {
    expect([loadConfig({}, secret).cacheSettledTtlMs, loadConfig({ CACHE_SETTLED_TTL_MS: '0' }, secret).cacheSettledTtlMs]).toEqual([600_000, 0]);
    expect(problemsOf({ CACHE_TTL_MS: '5000', CACHE_SETTLED_TTL_MS: '4000' })).toEqual([
      'CACHE_SETTLED_TTL_MS (4000) must be 0 (no longer freshness for settled history) or at least CACHE_TTL_MS (5000): settled answers change less than live ones',
    ]);
    expect(problemsOf({ CACHE_SETTLED_TTL_MS: '3600001' })).toEqual(['CACHE_SETTLED_TTL_MS: must be at most 3600000 (got "3600001")']);
  });

  it('refuses the same port for the gateway and the embedded simulator', () => {
    expect(problemsOf({ PORT: '9100' })).toEqual(['PORT and SIMULATOR_PORT are both 9100: the embedded simulator needs its own port']);
  });

  it('reads HUAWEICLOUD_ENTERPRISE_PROJECT_ID: 0, all or a UUID; unset sends none', () => {
    expect(loadConfig({}, secret).enterpriseProjectId).toBeUndefined();
    for (const id of ['0', 'all', '2f1e8a3c-5b7d-4e9f-a1c2-3d4e5f6a7b8c']) {
      expect(loadConfig({ HUAWEICLOUD_ENTERPRISE_PROJECT_ID: id }, secret).enterpriseProjectId).toBe(id);
    }
  });

  it('refuses an enterprise project id of another shape, stating the rule and the value, alongside other problems', () => {
    expect(problemsOf({ HUAWEICLOUD_ENTERPRISE_PROJECT_ID: 'my-project', PORT: 'x' })).toEqual([
      'PORT: must be a whole number from 0 to 65535 (got "x")',
      'HUAWEICLOUD_ENTERPRISE_PROJECT_ID: must be 0 (the default project), all (every project) or an enterprise project id (a UUID such as 2f1e8a3c-5b7d-4e9f-a1c2-3d4e5f6a7b8c) (got "my-project")',
    ]);
  });
});
