/**
 * The economy stages inside the real assembled pipeline, around a scripted terminal handler
 * (no HTTP; over the wire: test/integration/quota-and-cache.test.ts and quota-scenarios.test.ts):
 * coalescing, the cache's staleness bound, and the limiter's queueing, refusals and metrics.
 */
import { GatewayError } from '../../src/errors';
import { createEconomy, type EconomyEvent, type EconomyOptions } from '../../src/cdn/economy';
import { normalizeOptions } from '../../src/cdn/options';
import type { RawHandler, RawResponse, UpstreamRequest } from '../../src/cdn/pipeline';
import { createRedactor } from '../../src/cdn/redact';
import { requestKey } from '../../src/cdn/stages/request-key';
import { composeUpstream } from '../../src/cdn/upstream';
import { failure } from '../support/failure';

const AUTH = { kind: 'aksk', ak: 'AK-UNIT-0001', sk: 'SK-UNIT-SECRET-0001' } as const;
const page = (n: number): RawResponse => ({ status: 200, headers: {}, body: `{"total":${n},"count":0,"result":[]}` });

// A terminal whose answers the test controls; it records every attempt and when it arrived.
function scriptedTerminal(answer: (req: UpstreamRequest, n: number) => Promise<RawResponse> | RawResponse) {
  const seen: Array<{ req: UpstreamRequest; at: number }> = [];
  const handler: RawHandler = async (req) => {
    seen.push({ req, at: Date.now() });
    return answer(req, seen.length);
  };
  return { handler, seen };
}

function build(terminal: RawHandler, economyOptions: EconomyOptions = {}) {
  const events: EconomyEvent[] = [];
  const economy = createEconomy({ now: () => Date.now(), onEvent: (e) => events.push(e), rateLimitMarginMs: 50, ...economyOptions });
  const o = normalizeOptions({ endpoint: 'http://127.0.0.1:9100', auth: AUTH, random: () => 0, now: () => Date.now() });
  const handler = composeUpstream({ options: o, redact: createRedactor([AUTH.ak, AUTH.sk]), economy }, terminal);
  return { handler, economy, events };
}

function urlTasks(query: Record<string, string | number> = { limit: 10 }, overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return { operation: 'url-tasks', method: 'GET', path: '/v1.0/cdn/contentgateway/url-tasks', query, deadline: Date.now() + 5000, ...overrides };
}

// A promise the test resolves by hand.
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

// Rejects with the signal's reason when it aborts, as the transport does.
const aborted = (signal: AbortSignal | undefined): Promise<never> =>
  new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));

describe('coalescing', () => {
  it('sends identical concurrent GETs once and gives every caller the response', async () => {
    const gate = deferred<RawResponse>();
    const t = scriptedTerminal(() => gate.promise);
    const { handler, economy, events } = build(t.handler, { cacheTtlMs: 0 });
    const calls = Array.from({ length: 50 }, () => handler(urlTasks()));
    gate.resolve(page(7));
    const results = await Promise.all(calls);
    expect(t.seen).toHaveLength(1);
    expect(new Set(results.map((r) => r.body))).toEqual(new Set([page(7).body]));
    expect(economy.metrics().coalesce).toEqual({ shared: 1, coalesced: 49 });
    expect(events.filter((e) => e.type === 'coalesced')).toHaveLength(49);
  });

  it('treats the same parameters in another order as the same call', async () => {
    const gate = deferred<RawResponse>();
    const t = scriptedTerminal(() => gate.promise);
    const { handler } = build(t.handler, { cacheTtlMs: 0 });
    const a = handler(urlTasks({ limit: 10, offset: 20 }));
    const b = handler(urlTasks({ offset: 20, limit: 10 }));
    const c = handler(urlTasks({ offset: 30, limit: 10 }));
    gate.resolve(page(1));
    await Promise.all([a, b, c]);
    expect(t.seen).toHaveLength(2);
  });

  it('never merges POSTs', async () => {
    const t = scriptedTerminal(() => ({ status: 200, headers: {}, body: '{"refresh_task":"1"}' }));
    const { handler } = build(t.handler, { cacheTtlMs: 0 });
    const post = (): UpstreamRequest => ({ operation: 'refresh', method: 'POST', path: '/v1.0/cdn/content/refresh-tasks', body: '{}', deadline: Date.now() + 5000 });
    await Promise.all([handler(post()), handler(post())]);
    expect(t.seen).toHaveLength(2);
  });

  it('lets a caller that gives up stop waiting without cancelling the call for the others', async () => {
    const gate = deferred<RawResponse>();
    const t = scriptedTerminal(() => gate.promise);
    const { handler } = build(t.handler, { cacheTtlMs: 0 });
    const leaver = new AbortController();
    const first = handler(urlTasks(undefined, { signal: leaver.signal }));
    const second = handler(urlTasks());
    leaver.abort();
    const error = await failure(first);
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.message).toContain('cancelled by the caller');
    expect(t.seen[0]?.req.signal?.aborted).toBe(false);
    gate.resolve(page(3));
    expect((await second).body).toBe(page(3).body);
  });

  it('cancels the shared call once every caller has gone', async () => {
    const t = scriptedTerminal((req) => aborted(req.signal));
    const { handler } = build(t.handler, { cacheTtlMs: 0 });
    const a = new AbortController();
    const b = new AbortController();
    const calls = Promise.allSettled([handler(urlTasks(undefined, { signal: a.signal })), handler(urlTasks(undefined, { signal: b.signal }))]);
    await new Promise((r) => setImmediate(r));
    a.abort();
    await new Promise((r) => setImmediate(r));
    expect(t.seen[0]?.req.signal?.aborted).toBe(false);
    b.abort();
    expect((await calls).map((c) => c.status)).toEqual(['rejected', 'rejected']);
    expect(t.seen[0]?.req.signal?.aborted).toBe(true);
  });

  it('gives a caller its own deadline, and lets a much later caller re-run a call that ran out of time', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const t = scriptedTerminal((req, n) => (n === 1 ? aborted(req.signal) : page(2)));
      const { handler } = build(t.handler, { cacheTtlMs: 0 });
      const started = Date.now();
      let shortSettled = false;
      const short = failure(handler(urlTasks(undefined, { deadline: started + 80 }))).finally(() => (shortSettled = true));
      const long = handler(urlTasks(undefined, { deadline: started + 5000 }));
      // The short caller is out at its own deadline, however long the other may wait.
      await jest.advanceTimersByTimeAsync(79);
      expect(shortSettled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(shortSettled).toBe(true);
      expect((await short).code).toBe('UPSTREAM_TIMEOUT');
      expect((await long).body).toBe(page(2).body);
      expect(t.seen).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('hands a failure to every waiter and does not keep it', async () => {
    const t = scriptedTerminal((_req, n) => (n === 1 ? { status: 400, headers: {}, body: '{"error_code":"CDN.0001","error_msg":"bad"}' } : page(4)));
    const { handler } = build(t.handler, { cacheTtlMs: 0 });
    const errors = await Promise.all([failure(handler(urlTasks())), failure(handler(urlTasks()))]);
    expect(errors.map((e) => e.code)).toEqual(['UPSTREAM_ERROR', 'UPSTREAM_ERROR']);
    expect((await handler(urlTasks())).body).toBe(page(4).body);
    expect(t.seen).toHaveLength(2);
  });
});

describe('cache', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a repeated GET from the cache until the staleness bound, then asks again', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const t = scriptedTerminal((_req, n) => page(n));
    const { handler, economy } = build(t.handler, { cacheTtlMs: 2000 });
    expect((await handler(urlTasks())).body).toBe(page(1).body);
    jest.setSystemTime(1_001_999);
    expect((await handler(urlTasks())).body).toBe(page(1).body);
    jest.setSystemTime(1_002_000);
    expect((await handler(urlTasks())).body).toBe(page(2).body);
    expect(economy.metrics().cache).toMatchObject({ hits: 1, misses: 2, entries: 1 });
  });

  it('parses a stored page once: every hit on the same entry gets the same parsed response (a page polled by many clients)', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const t = scriptedTerminal((_req, n) => page(n));
    const { handler } = build(t.handler, { cacheTtlMs: 2000 });
    const missed = await handler(urlTasks());
    const hits = [await handler(urlTasks()), await handler(urlTasks())];
    expect(hits[0]?.json).toEqual({ total: 1, count: 0, result: [] });
    expect(hits[1]).toBe(hits[0]);
    expect(hits[0]).not.toBe(missed);
    // A new entry (after the bound) is parsed anew.
    jest.setSystemTime(1_002_000);
    await handler(urlTasks());
    const next = await handler(urlTasks());
    expect(next).not.toBe(hits[0]);
    expect(next.json).toEqual({ total: 2, count: 0, result: [] });
  });

  it('ages a response from when its attempt was sent, so a slow answer is kept only for what is left', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const t = scriptedTerminal((_req, n) => {
      if (n === 1) jest.setSystemTime(Date.now() + 1500); // the upstream took 1.5 s
      return page(n);
    });
    const { handler } = build(t.handler, { cacheTtlMs: 2000 });
    await handler(urlTasks());
    jest.setSystemTime(1_001_999);
    expect((await handler(urlTasks())).body).toBe(page(1).body);
    jest.setSystemTime(1_002_000);
    expect((await handler(urlTasks())).body).toBe(page(2).body);
  });

  it("ages a queued call's response from when it left the queue, not from when it was made", async () => {
    jest.useFakeTimers({ now: 0 });
    const t = scriptedTerminal((_req, n) => page(n));
    const { handler } = build(t.handler, { cacheTtlMs: 2000, rateLimits: { 'url-tasks': 1 } });
    const first = handler(urlTasks({ offset: 1 }, { deadline: 60_000 }));
    const queued = handler(urlTasks({ offset: 2 }, { deadline: 60_000 }));
    await jest.advanceTimersByTimeAsync(1100);
    await Promise.all([first, queued]);
    expect(t.seen.map((s) => s.at)).toEqual([0, 1050]);
    jest.setSystemTime(3049);
    expect((await handler(urlTasks({ offset: 2 }, { deadline: 60_000 }))).body).toBe(page(2).body);
    jest.setSystemTime(3050);
    const again = handler(urlTasks({ offset: 2 }, { deadline: 60_000 }));
    await jest.advanceTimersByTimeAsync(0);
    expect((await again).body).toBe(page(3).body);
  });

  it('keeps a settled past window for the settled bound and a live one for the staleness bound (the tiers of src/cdn/freshness.ts)', async () => {
    const NOW = 1_800_000_000_000;
    jest.useFakeTimers({ now: NOW });
    const done = (n: number): RawResponse => ({ status: 200, headers: {}, body: `{"total":${n},"count":1,"result":[{"id":1,"task_id":"7","create_time":1,"status":"SUCCEED"}]}` });
    const t = scriptedTerminal((_req, n) => done(n));
    const { handler } = build(t.handler, { cacheTtlMs: 2000, cacheSettledTtlMs: 600_000 });
    const yesterday = () => urlTasks({ start_time: NOW - 2 * 86_400_000, end_time: NOW - 86_400_000, offset: 0, limit: 1 });
    const today = () => urlTasks({ start_time: NOW - 86_400_000, end_time: NOW, offset: 0, limit: 1 });
    await handler(yesterday());
    await handler(today());
    jest.setSystemTime(NOW + 2000);
    expect((await handler(today())).body).toBe(done(3).body);
    jest.setSystemTime(NOW + 599_999);
    // A fresh success first: entries are served only while one proves the credentials (within a minute).
    expect((await handler(today())).body).toBe(done(4).body);
    expect((await handler(yesterday())).body).toBe(done(1).body);
    jest.setSystemTime(NOW + 600_000);
    expect((await handler(yesterday())).body).toBe(done(5).body);
    expect(t.seen).toHaveLength(5);
  });

  it('does not keep a response older than the bound at all', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const t = scriptedTerminal((_req, n) => {
      if (n === 1) jest.setSystemTime(Date.now() + 2500);
      return page(n);
    });
    const { handler, economy } = build(t.handler, { cacheTtlMs: 2000 });
    await handler(urlTasks());
    expect((await handler(urlTasks())).body).toBe(page(2).body);
    expect(economy.metrics().cache.entries).toBe(1);
  });

  it('never caches errors, including a 200 that holds an error', async () => {
    const answers: RawResponse[] = [
      { status: 500, headers: {}, body: '{"error_code":"CDN.0000","error_msg":"boom"}' },
      { status: 200, headers: {}, body: '{"error":{"error_code":"CDN.0108","error_msg":"no such task"}}' },
      page(9),
    ];
    const t = scriptedTerminal(() => answers.shift() as RawResponse);
    const { handler } = build(t.handler, { cacheTtlMs: 60_000 });
    const detail = (): UpstreamRequest => ({ operation: 'detail', method: 'GET', path: '/v1.0/cdn/historytasks/1/detail', deadline: Date.now() + 5000 });
    // One retryable 500 then the 200-with-error: both fail the first call (the retry sees the second).
    await failure(handler(detail()));
    expect((await handler(detail())).body).toBe(page(9).body);
    expect((await handler(detail())).body).toBe(page(9).body);
    expect(t.seen).toHaveLength(3);
  });

  it('hands on a hit parsed, as classification hands on a fresh success', async () => {
    const t = scriptedTerminal((_req, n) => page(n));
    const { handler, economy } = build(t.handler, { cacheTtlMs: 60_000 });
    const fresh = await handler(urlTasks());
    const hit = await handler(urlTasks());
    expect(economy.metrics().cache.hits).toBe(1);
    expect(fresh.json).toEqual({ total: 1, count: 0, result: [] });
    expect(hit.json).toEqual(fresh.json);
  });

  it('treats a stored entry that no longer parses as a miss', async () => {
    const t = scriptedTerminal((_req, n) => page(n));
    const { handler, economy } = build(t.handler, { cacheTtlMs: 60_000 });
    // A first success proves the credentials, so the damaged entry is really looked up.
    await handler(urlTasks({ limit: 1 }));
    await economy.state.cache.set(requestKey({ ...urlTasks(), generation: { value: '0', cacheable: true } }), { status: 200, headers: {}, body: '{"total":', producedAt: Date.now() }, 60_000);
    const res = await handler(urlTasks());
    expect(res.json).toEqual({ total: 2, count: 0, result: [] });
    expect(t.seen).toHaveLength(2);
    expect(economy.metrics().cache).toMatchObject({ hits: 0, misses: 2, unprovenMisses: 1 });
  });

  it('is off with a staleness bound of 0, and never serves POSTs', async () => {
    const t = scriptedTerminal((_req, n) => page(n));
    const off = build(t.handler, { cacheTtlMs: 0 });
    await off.handler(urlTasks());
    await off.handler(urlTasks());
    expect(t.seen).toHaveLength(2);
    const on = build(t.handler, { cacheTtlMs: 60_000 });
    const post = (): UpstreamRequest => ({ operation: 'preheat', method: 'POST', path: '/v1.0/cdn/content/preheating-tasks', body: '{}', deadline: Date.now() + 5000 });
    await on.handler(post());
    await on.handler(post());
    expect(t.seen).toHaveLength(4);
  });
});

describe('rate limiting', () => {
  afterEach(() => jest.useRealTimers());

  it('queues calls over the limit and starts at most `limit` per window', async () => {
    jest.useFakeTimers({ now: 0 });
    const t = scriptedTerminal((_req, n) => page(n));
    const { handler, economy } = build(t.handler, { cacheTtlMs: 0, rateLimits: { 'url-tasks': 2 } });
    const calls = [1, 2, 3, 4, 5].map((o) => handler(urlTasks({ offset: o }, { deadline: 60_000 })));
    await jest.advanceTimersByTimeAsync(0);
    expect(t.seen.map((s) => s.at)).toEqual([0, 0]);
    expect(economy.metrics().limiter).toMatchObject({ queueLength: 3, queued: 3, waitMsMax: 2100 });
    await jest.advanceTimersByTimeAsync(3000);
    await Promise.all(calls);
    expect(t.seen.map((s) => s.at)).toEqual([0, 0, 1050, 1050, 2100]);
    const m = economy.metrics().limiter;
    expect(m).toMatchObject({ queueLength: 0, queued: 3, rejected: 0, waitMsTotal: 1050 + 1050 + 2100 });
    expect(m.byOperation['url-tasks'].queued).toBe(3);
    expect(m.byOperation.detail.queued).toBe(0);
  });

  it('refuses at once, with the wait as retryAfterMs, a call whose slot lies past its deadline', async () => {
    jest.useFakeTimers({ now: 0 });
    const t = scriptedTerminal((_req, n) => page(n));
    const { handler, economy, events } = build(t.handler, { cacheTtlMs: 0, rateLimits: { 'url-tasks': 2 } });
    const calls = [1, 2, 3, 4, 5].map((o) => handler(urlTasks({ offset: o }, { deadline: 1500 })));
    const last = failure(calls[4] as Promise<unknown>);
    await jest.advanceTimersByTimeAsync(0);
    const error = await last;
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(2100);
    expect(error.upstream).toBeUndefined();
    expect(error.message).toMatch(/^Listing URL tasks \(GET \/v1\.0\/cdn\/contentgateway\/url-tasks\) was not sent: the tenant quota \(2 calls per 1050 ms\) is taken for the next 2100 ms, and the request has 1500 ms left/);
    await jest.advanceTimersByTimeAsync(1100);
    await Promise.all(calls.slice(0, 4));
    expect(t.seen).toHaveLength(4);
    expect(economy.metrics().limiter.rejected).toBe(1);
    expect(events).toContainEqual({ type: 'rejected', operation: 'url-tasks', waitMs: 2100 });
  });

  it('makes retries wait for quota too', async () => {
    jest.useFakeTimers({ now: 0 });
    const t = scriptedTerminal((_req, n) => (n === 1 ? { status: 429, headers: {}, body: '{"error_code":"APIGW.0308","error_msg":"throttled"}' } : page(n)));
    const { handler } = build(t.handler, { cacheTtlMs: 0, rateLimits: { 'url-tasks': 1 } });
    const call = handler(urlTasks(undefined, { deadline: 60_000 }));
    await jest.advanceTimersByTimeAsync(2000);
    expect((await call).body).toBe(page(2).body);
    expect(t.seen.map((s) => s.at)).toEqual([0, 1050]);
  });

  it('halves an operation\'s limit after an upstream 429 the limiter let through, books under it, and shows it in the metrics', async () => {
    jest.useFakeTimers({ now: 0 });
    const t = scriptedTerminal((_req, n) => (n === 1 ? { status: 429, headers: {}, body: '{"error_code":"APIGW.0308","error_msg":"throttled"}' } : page(n)));
    const { handler, economy } = build(t.handler, { cacheTtlMs: 0, rateLimits: { 'url-tasks': 4 }, rateRecoveryMs: 60_000 });
    const first = handler(urlTasks({ offset: 0 }, { deadline: 60_000 }));
    await jest.advanceTimersByTimeAsync(0);
    expect(economy.metrics().rateLimit.byOperation['url-tasks']).toEqual({ configured: 4, adapted: 2, effective: 2 });
    // Unlimited and untouched operations keep their limits.
    expect(economy.metrics().rateLimit.byOperation.detail).toEqual({ configured: 30, adapted: 30, effective: 30 });
    await jest.advanceTimersByTimeAsync(1050);
    await first;
    // The retry waited the upstream's window (1 s); now two starts in any window of 1050 ms where four went before.
    const more = [1, 2, 3].map((o) => handler(urlTasks({ offset: o }, { deadline: 60_000 })));
    await jest.advanceTimersByTimeAsync(3000);
    await Promise.all(more);
    expect(t.seen.map((s) => s.at)).toEqual([0, 1000, 1050, 2050, 2100]);
  });

  it('stops a queued call when its caller goes away', async () => {
    jest.useFakeTimers({ now: 0 });
    const t = scriptedTerminal((_req, n) => page(n));
    const { handler, economy } = build(t.handler, { cacheTtlMs: 0, rateLimits: { 'url-tasks': 1 } });
    await handler(urlTasks({ offset: 1 }, { deadline: 60_000 }));
    const controller = new AbortController();
    const queued = failure(handler(urlTasks({ offset: 2 }, { deadline: 60_000, signal: controller.signal })));
    await jest.advanceTimersByTimeAsync(10);
    expect(economy.metrics().limiter.queueLength).toBe(1);
    controller.abort();
    const error = await queued;
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(economy.metrics().limiter.queueLength).toBe(0);
    expect(t.seen).toHaveLength(1);
  });

  it('lets operations without a limit through at once', async () => {
    jest.useFakeTimers({ now: 0 });
    const t = scriptedTerminal((_req, n) => page(n));
    const { handler } = build(t.handler, { cacheTtlMs: 0, rateLimits: { detail: 0 } });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => handler({ operation: 'detail', method: 'GET', path: `/v1.0/cdn/historytasks/${i}/detail`, deadline: 60_000 })),
    );
    expect(new Set(t.seen.map((s) => s.at))).toEqual(new Set([0]));
  });
});

describe('createEconomy misuse', () => {
  it.each([
    [{ cacheTtlMs: -1 }, 'economy option `cacheTtlMs` must be a finite number >= 0; received -1'],
    [{ rateLimitMarginMs: Number.NaN }, 'economy option `rateLimitMarginMs` must be a finite number >= 0; received NaN'],
    [{ rateLimits: { 'url-tasks': -5 } }, 'economy option `rateLimits.url-tasks` must be a finite number >= 0; received -5'],
    [{ rateLimits: { urlTasks: 5 } }, 'economy option `rateLimits` has an unknown operation "urlTasks"; operations are url-tasks, historytasks, detail, refresh, preheat'],
  ])('refuses %j', (options, message) => {
    expect(() => createEconomy(options as EconomyOptions)).toThrow(new TypeError(message));
  });
});
