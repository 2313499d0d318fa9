import { GatewayError } from '../../src/errors';
import { backoffCeiling, fullJitterDelay, retryDelay, waitFloor } from '../../src/cdn/backoff';
import { classifyFailure, isUpstreamThrottle } from '../../src/cdn/classify';
import { RETRY_DEFAULTS } from '../../src/cdn/options';
import { createRetryBudget, depositCall, initialBudget, refill, retryAllowance, spendRetry, type RetryBudgetOptions } from '../../src/cdn/retry-budget';
import { attemptBound, attemptsNeeded, callFailureOdds, expectedRetriesPerCall, requestSuccessOdds } from '../../src/cdn/retry-odds';
import { mulberry32 } from '../../src/simulator/prng';
import { shouldRetry, waitPassesDeadline } from '../../src/cdn/stages/retry';

const BACKOFF = { baseDelayMs: 100, maxDelayMs: 2000 };

describe('backoff arithmetic', () => {
  it('doubles the ceiling per retry from the base, capped at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffCeiling(n, BACKOFF))).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
    expect(backoffCeiling(10_000, BACKOFF)).toBe(2000);
  });

  it('draws full jitter uniformly below the ceiling', () => {
    expect(fullJitterDelay(3, BACKOFF, () => 0)).toBe(0);
    expect(fullJitterDelay(3, BACKOFF, () => 0.5)).toBe(200);
    expect(fullJitterDelay(3, BACKOFF, () => 0.999999)).toBe(399);
  });

  it('waits at least Retry-After, with the jitter on top', () => {
    expect(retryDelay(1, BACKOFF, () => 0, 1000)).toBe(1000);
    expect(retryDelay(1, BACKOFF, () => 0.5, 1000)).toBe(1050);
    expect(retryDelay(2, BACKOFF, () => 0.5)).toBe(100);
  });

  it('waits at least Retry-After, else a window after a throttle, else nothing beyond the backoff', () => {
    expect(waitFloor(3000, true, 1200)).toBe(3000);
    expect(waitFloor(0, true, 1200)).toBe(0);
    expect(waitFloor(undefined, true, 1200)).toBe(1200);
    expect(waitFloor(undefined, false, 1200)).toBeUndefined();
  });

  it('tells an upstream throttle (429 or APIGW.0308) from the limiter\'s own refusal and other failures', () => {
    expect(isUpstreamThrottle(new GatewayError('UPSTREAM_RATE_LIMITED', 'x', { retryable: true, upstream: { status: 429 } }))).toBe(true);
    expect(isUpstreamThrottle(new GatewayError('UPSTREAM_ERROR', 'x', { upstream: { status: 400, code: 'APIGW.0308' } }))).toBe(true);
    // The gateway's limiter refuses without asking the upstream: no upstream info.
    expect(isUpstreamThrottle(new GatewayError('UPSTREAM_RATE_LIMITED', 'x', { retryAfterMs: 500 }))).toBe(false);
    expect(isUpstreamThrottle(new GatewayError('UPSTREAM_UNAVAILABLE', 'x', { retryable: true, upstream: { status: 503 } }))).toBe(false);
    expect(isUpstreamThrottle(new Error('429'))).toBe(false);
  });

  it('fails now when the wait would reach the deadline', () => {
    expect(waitPassesDeadline(1000, 499, 1500)).toBe(false);
    expect(waitPassesDeadline(1000, 500, 1500)).toBe(true);
    expect(waitPassesDeadline(1000, 0, 900)).toBe(true);
  });
});

describe('retry budget (token bucket)', () => {
  const opts: RetryBudgetOptions = { ratio: 0.2, minPerSecond: 1, capacity: 10 };

  it('starts full and refuses the retry after the capacity is spent', () => {
    let state = initialBudget(opts, 0);
    let allowed = 0;
    for (let i = 0; i < 15; i++) {
      const r = spendRetry(state, opts, 0);
      state = r.state;
      if (r.allowed) allowed++;
    }
    expect(allowed).toBe(10);
  });

  it('earns one retry per five calls (ratio 0.2)', () => {
    let state = { tokens: 0, atMs: 0 };
    for (let i = 0; i < 4; i++) state = depositCall(state, opts, 0);
    expect(spendRetry(state, opts, 0).allowed).toBe(false);
    state = depositCall(state, opts, 0);
    expect(state.tokens).toBeCloseTo(1);
    const spent = spendRetry(state, opts, 0);
    expect(spent.allowed).toBe(true);
    expect(spent.state.tokens).toBeCloseTo(0);
  });

  it('trickles the floor back over time, never above capacity', () => {
    expect(refill({ tokens: 0, atMs: 0 }, opts, 500).tokens).toBeCloseTo(0.5);
    expect(refill({ tokens: 0, atMs: 0 }, opts, 3000).tokens).toBeCloseTo(3);
    expect(refill({ tokens: 9.5, atMs: 0 }, opts, 60_000).tokens).toBe(10);
    // A clock going backwards adds nothing.
    expect(refill({ tokens: 2, atMs: 1000 }, opts, 0).tokens).toBe(2);
  });

  it('keeps retries of a failing client under ratio × calls + floor × seconds', () => {
    let t = 0;
    const budget = createRetryBudget({ ratio: 0.2, minPerSecond: 1, capacity: 5 }, () => t);
    let retries = 0;
    // 1000 calls over 10 s, each wanting two retries.
    for (let i = 0; i < 1000; i++) {
      t = i * 10;
      budget.recordCall();
      for (let r = 0; r < 2; r++) if (budget.tryRetry()) retries++;
    }
    expect(retries).toBeLessThanOrEqual(0.2 * 1000 + 10 + 5);
    expect(retries).toBeGreaterThanOrEqual(0.2 * 1000);
  });
});

describe('retry arithmetic under independent transient faults', () => {
  const DEFAULT_BUDGET: RetryBudgetOptions = { ratio: RETRY_DEFAULTS.budgetRatio, minPerSecond: RETRY_DEFAULTS.budgetMinPerSecond, capacity: RETRY_DEFAULTS.budgetCapacity };

  it('fails a call only when every attempt fails: 2.7 % with 3 attempts at 30 %, 0.81 % with 4, 0.243 % with 5', () => {
    expect(callFailureOdds(0.3, 3)).toBeCloseTo(0.027, 10);
    expect(callFailureOdds(0.3, 4)).toBeCloseTo(0.0081, 10);
    expect(callFailureOdds(0.3, 5)).toBeCloseTo(0.00243, 10);
  });

  it('fails a request of several calls more often: (1 − p^n)^calls', () => {
    expect(requestSuccessOdds(0.3, 3, 1)).toBeCloseTo(0.973, 10);
    expect(requestSuccessOdds(0.3, 3, 6)).toBeCloseTo(0.973 ** 6, 10);
    expect(requestSuccessOdds(0.3, 3, 6)).toBeLessThan(0.85);
    // The default reaches 99 % for requests of up to four upstream calls, not for six.
    expect(requestSuccessOdds(0.3, RETRY_DEFAULTS.maxAttempts, 4)).toBeGreaterThanOrEqual(0.99);
    expect(requestSuccessOdds(0.3, RETRY_DEFAULTS.maxAttempts, 6)).toBeLessThan(0.99);
  });

  it('finds the fewest attempts that reach a target', () => {
    expect(attemptsNeeded(0.3, 1, 0.99)).toBe(4);
    expect(attemptsNeeded(0.3, 4, 0.99)).toBe(5);
    expect(attemptsNeeded(0.3, 6, 0.99)).toBe(6);
    expect(attemptsNeeded(0, 10, 0.99)).toBe(1);
    expect(attemptsNeeded(1, 1, 0.99)).toBe(Infinity);
    for (const calls of [1, 2, 4, 8]) {
      const n = attemptsNeeded(0.3, calls, 0.99);
      expect(requestSuccessOdds(0.3, n, calls)).toBeGreaterThanOrEqual(0.99);
      expect(requestSuccessOdds(0.3, n - 1, calls)).toBeLessThan(0.99);
    }
  });

  it('costs p + p² + … retries per call, which the default budget ratio covers at 30 % (the old 0.2 did not)', () => {
    expect(expectedRetriesPerCall(0.3, 1)).toBe(0);
    expect(expectedRetriesPerCall(0.3, 2)).toBeCloseTo(0.3, 10);
    expect(expectedRetriesPerCall(0.3, 5)).toBeCloseTo(0.3 + 0.09 + 0.027 + 0.0081, 10);
    // Never more than p / (1 − p) ≈ 0.43, whatever the attempt limit.
    expect(expectedRetriesPerCall(0.3, 10)).toBeLessThan(0.3 / 0.7);
    expect(RETRY_DEFAULTS.budgetRatio).toBeGreaterThan(0.3 / 0.7);
  });

  it('bounds attempts by the attempt limit and by calls plus the budget', () => {
    expect(retryAllowance(DEFAULT_BUDGET, 200, 10)).toBe(20 + 0.5 * 200 + 10);
    expect(attemptBound(200, 10, 5, DEFAULT_BUDGET)).toBe(200 + 130);
    expect(attemptBound(4, 0, 5, DEFAULT_BUDGET)).toBe(20);
    expect(attemptBound(100, -5, 3, { ratio: 0.2, minPerSecond: 1, capacity: 10 })).toBe(130);
  });

  // Calls at 1 ms intervals, so the time floor adds almost nothing: the ratio and the capacity must carry the retries.
  function simulate(faultRate: number, maxAttempts: number, budgetOptions: RetryBudgetOptions, calls: number): { failed: number; attempts: number; seconds: number } {
    const random = mulberry32(13);
    let t = 0;
    const budget = createRetryBudget(budgetOptions, () => t);
    let failed = 0;
    let attempts = 0;
    const error = new GatewayError('UPSTREAM_UNAVAILABLE', 'x', { retryable: true, upstream: { status: 503 } });
    for (let i = 0; i < calls; i++) {
      t = i;
      budget.recordCall();
      for (let attempt = 1; ; attempt++) {
        attempts++;
        if (random() >= faultRate) break;
        if (!shouldRetry(error, 'GET', attempt, maxAttempts) || !budget.tryRetry()) {
          failed++;
          break;
        }
      }
    }
    return { failed, attempts, seconds: t / 1000 };
  }

  it('keeps ≥ 99 % of calls at 30 % faults with the defaults under sustained load, within the bound; the old defaults lost 16 %', () => {
    const calls = 20_000;
    const now = simulate(0.3, RETRY_DEFAULTS.maxAttempts, DEFAULT_BUDGET, calls);
    expect(now.failed / calls).toBeLessThan(0.005);
    expect(now.attempts).toBeLessThanOrEqual(attemptBound(calls, now.seconds, RETRY_DEFAULTS.maxAttempts, DEFAULT_BUDGET));
    const before = simulate(0.3, 3, { ratio: 0.2, minPerSecond: 1, capacity: 10 }, calls);
    expect(before.failed / calls).toBeGreaterThan(0.1);
  });

  it('still stops a retry storm when the upstream is down: attempts ≤ (1 + ratio) × calls + capacity + floor × seconds', () => {
    const calls = 20_000;
    const down = simulate(1, RETRY_DEFAULTS.maxAttempts, DEFAULT_BUDGET, calls);
    expect(down.failed).toBe(calls);
    expect(down.attempts).toBeLessThanOrEqual(attemptBound(calls, down.seconds, RETRY_DEFAULTS.maxAttempts, DEFAULT_BUDGET));
    // Far below the attempt limit's 5 × calls: the budget, not maxAttempts, is what bounds it.
    expect(down.attempts).toBeLessThan(1.6 * calls);
  });
});

describe('shouldRetry', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  const reset = classifyFailure({ operation: 'url-tasks', method: 'GET' }, withCode('ECONNRESET'));
  const refused = classifyFailure({ operation: 'refresh', method: 'POST' }, withCode('ECONNREFUSED'));
  const connectTimeout = classifyFailure({ operation: 'refresh', method: 'POST' }, withCode('UND_ERR_CONNECT_TIMEOUT'));
  const throttled = new GatewayError('UPSTREAM_RATE_LIMITED', 'x', { retryable: true, upstream: { status: 429 } });
  const unavailable = new GatewayError('UPSTREAM_UNAVAILABLE', 'x', { retryable: true, upstream: { status: 503 } });
  const badJson = new GatewayError('UPSTREAM_BAD_RESPONSE', 'x', { retryable: true, upstream: { status: 200 } });
  const unauthorized = new GatewayError('UPSTREAM_UNAUTHORIZED', 'x', { upstream: { status: 401 } });

  it('retries a GET on connection errors, 5xx and 429 while attempts remain', () => {
    expect(shouldRetry(reset, 'GET', 1, 3)).toBe(true);
    expect(shouldRetry(unavailable, 'GET', 2, 3)).toBe(true);
    expect(shouldRetry(throttled, 'GET', 1, 3)).toBe(true);
    expect(shouldRetry(throttled, 'GET', 3, 3)).toBe(false);
  });

  it('never retries errors that will repeat', () => {
    expect(shouldRetry(unauthorized, 'GET', 1, 3)).toBe(false);
  });

  it('retries a body that is not JSON once', () => {
    expect(shouldRetry(badJson, 'GET', 1, 5, 0)).toBe(true);
    expect(shouldRetry(badJson, 'GET', 2, 5, 1)).toBe(false);
  });

  it('retries a POST only when it never left (connection refused, connect timeout)', () => {
    expect(shouldRetry(refused, 'POST', 1, 3)).toBe(true);
    expect(shouldRetry(connectTimeout, 'POST', 1, 3)).toBe(true);
    expect(shouldRetry(reset, 'POST', 1, 3)).toBe(false);
    expect(shouldRetry(unavailable, 'POST', 1, 3)).toBe(false);
    expect(shouldRetry(throttled, 'POST', 1, 3)).toBe(false);
    expect(shouldRetry(badJson, 'POST', 1, 3)).toBe(false);
  });
});
