import { GatewayError } from '../../src/errors';
import { backoffCeiling, fullJitterDelay, retryDelay } from '../../src/cdn/backoff';
import { classifyFailure } from '../../src/cdn/classify';
import { createRetryBudget, depositCall, initialBudget, refill, spendRetry, type RetryBudgetOptions } from '../../src/cdn/retry-budget';
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
