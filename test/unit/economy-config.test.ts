/** The economy's settings in the configuration, and how they reach the economy. */
import { ConfigError, loadConfig } from '../../src/config';
import { createEconomy, economyOptionsFromConfig, HUAWEI_RATE_LIMITS } from '../../src/cdn/economy';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env, () => 'x'.repeat(32));
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('economy configuration', () => {
  it("defaults to Huawei's limits, a 2 s staleness bound, a 32 MiB cache and a 200 ms window margin", () => {
    const config = loadConfig({}, () => 'x'.repeat(32));
    expect(config.rateLimits).toEqual(HUAWEI_RATE_LIMITS);
    expect(config).toMatchObject({ cacheTtlMs: 2000, cacheMaxBytes: 32 * 1024 * 1024, rateLimitMarginMs: 200, maxQueuedPerCallerShared: 1 });
    expect(config.redisUrl).toBeUndefined();
  });

  it('reads every setting, 0 meaning unlimited or off', () => {
    const config = loadConfig(
      {
        CACHE_TTL_MS: '0',
        CACHE_SETTLED_TTL_MS: '0',
        CACHE_MAX_BYTES: '4096',
        RATE_LIMIT_URL_TASKS: '4',
        RATE_LIMIT_DETAIL: '0',
        RATE_LIMIT_HISTORYTASKS: '9',
        RATE_LIMIT_REFRESH: '3',
        RATE_LIMIT_PREHEAT: '2',
        RATE_LIMIT_MARGIN_MS: '0',
        RATE_LIMIT_ADAPTIVE: 'false',
        RATE_LIMIT_RECOVERY_MS: '500',
        MAX_QUEUED_PER_REQUEST: '7',
        MAX_QUEUED_PER_CALLER: '9',
        MAX_QUEUED_PER_CALLER_SHARED: '0',
        REDIS_URL: 'redis://127.0.0.1:6379/2',
        IDEMPOTENCY_MAX_KEYS: '77',
      },
      () => 'x'.repeat(32),
    );
    expect(economyOptionsFromConfig(config, 'scope')).toEqual({
      cacheTtlMs: 0,
      cacheSettledTtlMs: 0,
      cacheMaxBytes: 4096,
      rateLimits: { 'url-tasks': 4, detail: 0, historytasks: 9, refresh: 3, preheat: 2 },
      rateLimitMarginMs: 0,
      adaptiveRate: false,
      rateRecoveryMs: 500,
      maxQueuedPerRequest: 7,
      maxQueuedPerCaller: 9,
      maxQueuedPerCallerShared: 0,
      redisUrl: 'redis://127.0.0.1:6379/2',
      idempotencyMaxKeys: 77,
      scope: 'scope',
    });
  });

  it('lists every invalid economy setting at once, never echoing REDIS_URL', () => {
    expect(
      problemsOf({ CACHE_MAX_BYTES: '100', RATE_LIMIT_URL_TASKS: '-1', RATE_LIMIT_MARGIN_MS: '5000', REDIS_URL: 'http://user:secret@host' }),
    ).toEqual([
      'CACHE_MAX_BYTES: must be at least 1024 (got "100")',
      'RATE_LIMIT_URL_TASKS: must be a whole number from 0 to 100000 (got "-1")',
      'RATE_LIMIT_MARGIN_MS: must be at most 1000 (got "5000")',
      'REDIS_URL: must start with redis:// or rediss:// (got a value, not shown)',
    ]);
  });

  it('adapts the rate limits by default, recovering a call per second every 2 s, and lists bad adaptation settings together', () => {
    const config = loadConfig({}, () => 'x'.repeat(32));
    expect(config).toMatchObject({ rateLimitAdaptive: true, rateLimitRecoveryMs: 2000 });
    expect(problemsOf({ RATE_LIMIT_ADAPTIVE: 'yes', RATE_LIMIT_RECOVERY_MS: '50' })).toEqual([
      'RATE_LIMIT_ADAPTIVE: Invalid option: expected one of "true"|"false" (got "yes")',
      'RATE_LIMIT_RECOVERY_MS: must be at least 100 (got "50")',
    ]);
  });

  it('builds a memory economy from the default configuration', () => {
    const economy = createEconomy(economyOptionsFromConfig(loadConfig({}, () => 'x'.repeat(32)), 'scope'));
    expect(economy.state.kind).toBe('memory');
    // Coalescing and the cache are on by default (CACHE_TTL_MS 2000); limiter and attempt clock always are.
    expect(typeof economy.coalesce).toBe('function');
    expect(typeof economy.cache).toBe('function');
    expect(typeof economy.rateLimit).toBe('function');
    expect(typeof economy.attemptClock).toBe('function');
    expect(typeof economy.throttleFeedback).toBe('function');
    expect(economy.metrics()).toMatchObject({ state: 'memory', cache: { hits: 0, misses: 0, entries: 0, bytes: 0 }, stateErrors: 0 });
    // Nothing throttled yet: every limit in force is the configured one (0 = unlimited).
    expect(economy.metrics().rateLimit.byOperation).toMatchObject({ 'url-tasks': { configured: 5, adapted: 5, effective: 5 }, detail: { configured: 30, adapted: 30, effective: 30 } });
  });
});
