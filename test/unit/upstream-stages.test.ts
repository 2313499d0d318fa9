/**
 * The assembled stages around a scripted terminal handler (no HTTP): ordering, re-signing,
 * retry limits against deadlines and budgets. Over-the-wire behaviour is in
 * test/integration/cdn-client.test.ts against the simulator.
 */
import { GatewayError } from '../../src/errors';
import { createEconomy } from '../../src/cdn/economy';
import { normalizeOptions, type CdnClientOptions, type UpstreamEvent } from '../../src/cdn/options';
import type { RawHandler, RawResponse, UpstreamRequest } from '../../src/cdn/pipeline';
import { composeUpstream, upstreamStages } from '../../src/cdn/upstream';
import { createRedactor } from '../../src/cdn/redact';
import { parseAuthorization } from '../../src/simulator/verify';
import { failure } from '../support/failure';

const AUTH = { kind: 'aksk', ak: 'AK-UNIT-0001', sk: 'SK-UNIT-SECRET-0001' } as const;
const OK: RawResponse = { status: 200, headers: {}, body: '{"total":0,"count":0,"result":[]}' };

type Step = RawResponse | Error;

// Builds the real stage list around a terminal that replays `steps` and records what it received.
function pipeline(steps: Step[], options: Partial<CdnClientOptions> = {}) {
  const seen: UpstreamRequest[] = [];
  const terminal: RawHandler = async (req) => {
    seen.push(req);
    const step = steps.shift();
    if (!step) throw new Error('script exhausted');
    if (step instanceof Error) throw step;
    return step;
  };
  const o = normalizeOptions({ endpoint: 'http://127.0.0.1:9100', auth: AUTH, random: () => 0, ...options });
  const handler = composeUpstream({ options: o, redact: createRedactor([AUTH.ak, AUTH.sk]) }, terminal);
  return { handler, seen };
}

function request(overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return { operation: 'url-tasks', method: 'GET', path: '/v1.0/cdn/contentgateway/url-tasks', query: { limit: 10 }, deadline: Date.now() + 5000, ...overrides };
}

const status = (code: number, headers: Record<string, string> = {}, body = '{"error_code":"X.1","error_msg":"m"}'): RawResponse => ({
  status: code,
  headers,
  body,
  requestId: headers['x-request-id'],
});
const netError = (code: string) => Object.assign(new Error(`socket ${code}`), { code });

// Tells whether `promise` has settled yet, without waiting for it.
function track<T>(promise: Promise<T>): { promise: Promise<T>; readonly settled: boolean } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return {
    promise,
    get settled() {
      return settled;
    },
  };
}

afterEach(() => {
  jest.useRealTimers();
});

describe('assembled pipeline', () => {
  it('signs every attempt afresh', async () => {
    let t = Date.UTC(2024, 0, 1, 0, 0, 0);
    const clock = () => t;
    const { handler, seen } = pipeline([netError('ECONNRESET'), OK], {
      now: clock,
      random: () => {
        t += 2000; // the clock moves on between attempts
        return 0;
      },
    });
    await handler(request({ deadline: t + 60_000 }));
    expect(seen).toHaveLength(2);
    const [first, second] = seen.map((r) => r.headers ?? {});
    expect(first?.['x-sdk-date']).toBe('20240101T000000Z');
    expect(second?.['x-sdk-date']).toBe('20240101T000002Z');
    expect(parseAuthorization(first?.authorization)?.signature).not.toBe(parseAuthorization(second?.authorization)?.signature);
    expect(seen.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('sends the IAM token instead of a signature in token mode', async () => {
    const { handler, seen } = pipeline([OK], { auth: { kind: 'token', token: 'TOKEN-UNIT-0001' } });
    await handler(request());
    expect(seen[0]?.headers?.['x-auth-token']).toBe('TOKEN-UNIT-0001');
    expect(seen[0]?.headers?.authorization).toBeUndefined();
  });

  it('gives up after maxAttempts and says so', async () => {
    const { handler, seen } = pipeline([status(503), status(502), status(504), status(503), status(500), OK]);
    const error = await failure(handler(request()));
    expect(seen).toHaveLength(5);
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.upstream?.status).toBe(500);
    expect(error.message).toMatch(/\(gave up after 5 attempts\)$/);
  });

  it('fails at once with UPSTREAM_RATE_LIMITED when Retry-After would pass the deadline', async () => {
    jest.useFakeTimers();
    const { handler, seen } = pipeline([status(429, { 'retry-after': '30' }), OK]);
    const outcome = track(failure(handler(request({ deadline: Date.now() + 2000 }))));
    // At once: settled before any timer could fire (the clock stays short of the deadline).
    await jest.advanceTimersByTimeAsync(1999);
    expect(outcome.settled).toBe(true);
    const error = await outcome.promise;
    expect(seen).toHaveLength(1);
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.message).toMatch(/\(not retried: waiting 30000 ms would pass the deadline\)$/);
  });

  it('waits for Retry-After when the deadline allows it', async () => {
    jest.useFakeTimers();
    const { handler, seen } = pipeline([status(429, { 'retry-after': '0.2' }), OK]);
    const outcome = track(handler(request()));
    await jest.advanceTimersByTimeAsync(199);
    expect(seen).toHaveLength(1);
    expect(outcome.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    await expect(outcome.promise).resolves.toMatchObject({ status: 200 });
  });

  it('waits out a 429 without Retry-After until the upstream\'s next window, never repeating it within the same second', async () => {
    jest.useFakeTimers();
    const { handler, seen } = pipeline([status(429, {}, '{"error_code":"APIGW.0308","error_msg":"over ratelimit"}'), status(429), OK], { retry: { throttleWaitMs: 1200 } });
    const outcome = track(handler(request({ deadline: Date.now() + 10_000 })));
    await jest.advanceTimersByTimeAsync(1199);
    expect(seen).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    // The second throttle waits a whole window too (jitter is 0 here): not the 100 ms backoff of other faults.
    await jest.advanceTimersByTimeAsync(1199);
    expect(seen).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    await expect(outcome.promise).resolves.toMatchObject({ status: 200 });
    expect(seen).toHaveLength(3);
  });

  it('fails a 429 without Retry-After at once when the next window lies past the deadline, saying when to retry', async () => {
    jest.useFakeTimers();
    const { handler, seen } = pipeline([status(429), OK]);
    const outcome = track(failure(handler(request({ deadline: Date.now() + 800 }))));
    await jest.advanceTimersByTimeAsync(0);
    expect(outcome.settled).toBe(true);
    const error = await outcome.promise;
    expect(seen).toHaveLength(1);
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(1000);
    expect(error.message).toMatch(/\(not retried: waiting 1000 ms would pass the deadline; retry after 1000 ms\)$/);
  });

  it('never repeats a POST that may have been sent, but repeats one that was refused', async () => {
    const reset = pipeline([netError('ECONNRESET'), OK]);
    const post = request({ operation: 'refresh', method: 'POST', path: '/v1.0/cdn/content/refresh-tasks', body: '{}' });
    expect((await failure(reset.handler(post))).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(reset.seen).toHaveLength(1);
    const throttled = pipeline([status(429), OK]);
    expect((await failure(throttled.handler(post))).code).toBe('UPSTREAM_RATE_LIMITED');
    expect(throttled.seen).toHaveLength(1);
    const refused = pipeline([netError('ECONNREFUSED'), { status: 200, headers: {}, body: '{"refresh_task":"1"}' }]);
    await refused.handler(post);
    expect(refused.seen).toHaveLength(2);
  });

  it('stops retrying when the shared budget is spent', async () => {
    const steps: Step[] = Array.from({ length: 20 }, () => status(503));
    const { handler, seen } = pipeline(steps, { retry: { maxAttempts: 5, budgetCapacity: 2, budgetMinPerSecond: 0, budgetRatio: 0 } });
    await failure(handler(request()));
    const second = await failure(handler(request()));
    expect(second.message).toMatch(/\(not retried: the retry budget is spent, the upstream has been failing\)$/);
    // 2 tokens in the bucket: first call 1 + 2 retries, second call 1 attempt only.
    expect(seen).toHaveLength(4);
  });

  it('cuts a slow attempt off at the deadline with UPSTREAM_TIMEOUT', async () => {
    const slow: RawHandler = (req) =>
      new Promise((_resolve, reject) => req.signal?.addEventListener('abort', () => reject(req.signal?.reason), { once: true }));
    // Fake timers before the options: the pipeline's clock (Date.now by default) must be the fake one too.
    jest.useFakeTimers();
    const o = normalizeOptions({ endpoint: 'http://127.0.0.1:9100', auth: AUTH });
    const handler = composeUpstream({ options: o, redact: (s) => s }, slow);
    const outcome = track(failure(handler(request({ deadline: Date.now() + 150 }))));
    await jest.advanceTimersByTimeAsync(149);
    expect(outcome.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const error = await outcome.promise;
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.message).toContain('did not answer within the 150 ms deadline');
  });

  it('reports a caller abort promptly', async () => {
    const controller = new AbortController();
    let sent!: () => void;
    const inFlight = new Promise<void>((resolve) => (sent = resolve));
    const slow: RawHandler = (req) =>
      new Promise((_resolve, reject) => {
        req.signal?.addEventListener('abort', () => reject(req.signal?.reason), { once: true });
        sent();
      });
    const o = normalizeOptions({ endpoint: 'http://127.0.0.1:9100', auth: AUTH });
    const handler = composeUpstream({ options: o, redact: (s) => s }, slow);
    const outcome = failure(handler(request({ signal: controller.signal })));
    // Abort while the attempt is on the wire, not after a guessed delay.
    await inFlight;
    controller.abort();
    const error = await outcome;
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.message).toContain('cancelled by the caller');
  });

  it('puts the generation, coalesce and cache outermost, the limiter, throttle feedback, attempt clock and credentials inside retry, before signing', () => {
    const economy = createEconomy({ cacheTtlMs: 2000 });
    const o = normalizeOptions({ endpoint: 'http://127.0.0.1:9100', auth: AUTH, onEvent: () => undefined });
    const stages = upstreamStages({ options: o, redact: (s) => s, economy });
    // generation → coalesce → cache → deadline → retry → rate limit → throttle feedback → attempt clock → credentials → attempt timeout → observe → sign
    expect(stages).toHaveLength(12);
    // Outside coalescing, whose key it extends: a call made after a create must not join one from before it.
    expect(stages.indexOf(economy.generation!)).toBe(0);
    expect(stages.indexOf(economy.coalesce!)).toBe(1);
    expect(stages.indexOf(economy.cache!)).toBe(2);
    expect(stages.indexOf(economy.rateLimit)).toBe(5);
    // Right inside the limiter: the time it records is when the attempt left the queue.
    expect(stages.indexOf(economy.throttleFeedback!)).toBe(6);
    expect(stages.indexOf(economy.attemptClock)).toBe(7);
    // Per attempt and below the limiter: every classified outcome reaches it, a refused slot does not.
    expect(stages.indexOf(economy.credentials)).toBe(8);
    // Without adaptation there is no feedback to give.
    expect(upstreamStages({ options: o, redact: (s) => s, economy: createEconomy({ adaptiveRate: false }) })).toHaveLength(11);
    const bare = upstreamStages({ options: normalizeOptions({ endpoint: 'http://127.0.0.1:9100', auth: AUTH }), redact: (s) => s });
    expect(bare).toHaveLength(4); // deadline → retry → attempt timeout → sign; observe only with onEvent
  });

  it('reports each attempt to onEvent', async () => {
    const events: UpstreamEvent[] = [];
    const { handler } = pipeline([status(503, { 'x-request-id': 'up-1' }), { ...OK, requestId: 'up-2' }], {
      onEvent: (e) => events.push(e),
    });
    await handler(request({ requestId: 'gw-1' }));
    expect(events.map(({ durationMs: _d, ...e }) => e)).toEqual([
      { operation: 'url-tasks', method: 'GET', attempt: 1, requestId: 'gw-1', status: 503, outcome: 'UPSTREAM_UNAVAILABLE', upstreamRequestId: 'up-1', upstreamCode: 'UNRECOGNIZED' },
      { operation: 'url-tasks', method: 'GET', attempt: 2, requestId: 'gw-1', status: 200, outcome: 'ok', upstreamRequestId: 'up-2' },
    ]);
    expect(JSON.stringify(events)).not.toContain(AUTH.sk);
  });
});
