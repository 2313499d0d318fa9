/** The retry settings: the defaults sized for 30 % transient faults, the budget as a percentage, and their problems. */
import { loadConfig } from '../../src/config';
import { normalizeOptions, RETRY_DEFAULTS } from '../../src/cdn/options';
import { upstreamOptionsFromConfig } from '../../src/cdn/upstream';
import { fixedSecret, problemsOf } from '../support/config-problems';

describe('retry settings', () => {
  it('defaults to 5 attempts, 100 ms to 2 s backoff, and a budget of 0.5 per call, 1 per second, 20 saved', () => {
    const config = loadConfig({}, fixedSecret);
    expect(config.upstreamMaxAttempts).toBe(5);
    expect(config.upstreamRetry).toEqual({ baseDelayMs: 100, maxDelayMs: 2000, budgetRatio: 0.5, budgetMinPerSecond: 1, budgetCapacity: 20 });
    // The environment's defaults and the client's are the same numbers (the throttle wait is the rate-limit window's, below).
    const { throttleWaitMs: _fromWindow, ...defaults } = RETRY_DEFAULTS;
    expect({ maxAttempts: config.upstreamMaxAttempts, ...config.upstreamRetry }).toEqual(defaults);
  });

  it('hands every retry setting to the upstream client, the budget percentage as a ratio', () => {
    const config = loadConfig(
      {
        UPSTREAM_MAX_ATTEMPTS: '4',
        UPSTREAM_RETRY_BASE_DELAY_MS: '20',
        UPSTREAM_RETRY_MAX_DELAY_MS: '500',
        UPSTREAM_RETRY_BUDGET_PERCENT: '75',
        UPSTREAM_RETRY_BUDGET_PER_SECOND: '3',
        UPSTREAM_RETRY_BUDGET_CAPACITY: '40',
      },
      fixedSecret,
    );
    const options = normalizeOptions(upstreamOptionsFromConfig(config, 'http://127.0.0.1:9100'));
    // A 429 without Retry-After waits the rate-limit window: one second and RATE_LIMIT_MARGIN_MS (200).
    expect(options.retry).toEqual({ maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 500, budgetRatio: 0.75, budgetMinPerSecond: 3, budgetCapacity: 40, throttleWaitMs: 1200 });
  });

  it('lists each bad value and a first wait above the cap', () => {
    expect(problemsOf({ UPSTREAM_RETRY_BUDGET_PERCENT: '0.5', UPSTREAM_RETRY_BASE_DELAY_MS: '3000', UPSTREAM_RETRY_BUDGET_CAPACITY: '-1' })).toEqual([
      'UPSTREAM_RETRY_BUDGET_PERCENT: must be a whole number from 0 to 1000 (got "0.5")',
      'UPSTREAM_RETRY_BUDGET_CAPACITY: must be a whole number from 0 to 100000 (got "-1")',
      'UPSTREAM_RETRY_BASE_DELAY_MS (3000) must not exceed UPSTREAM_RETRY_MAX_DELAY_MS (2000): the first wait\'s ceiling is the smallest',
    ]);
  });
});
