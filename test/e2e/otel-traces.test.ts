/**
 * OpenTelemetry traces of the real process (docs/tracing.md): the gateway exports over OTLP/HTTP
 * with JSON bodies (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json) to a receiver on loopback
 * (test/support/otlp-receiver.ts decodes the exports). A request carrying a `traceparent` makes
 * two url-tasks calls against a url-tasks quota of 1 per second, while the simulator fails the
 * first attempt with a 503 (its faults are drawn from a seeded sequence that a PUT restarts: 0.38
 * fails at errorRate 0.5, the next draws do not). The span tree must continue the caller's trace:
 * request span → call spans → attempt spans, with the retry and the waits for a quota slot.
 * Spans are exported every 10 minutes only (OTEL_BSP_SCHEDULE_DELAY), so those the receiver holds
 * after SIGTERM came from the shutdown's flush. Log lines carry the spans' ids.
 */
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { eventually } from '../support/eventually';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { spawnGateway, type GatewayProcess } from './support/process';

const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
const SECOND_TRACE_ID = '5cf92f3577b34da6a3ce929d0e0e4737';
const HOUR = 3_600_000;

// OTLP span kinds and status codes.
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

describe('OpenTelemetry traces of the real process', () => {
  let simulator: Simulator;
  let receiver: OtlpReceiver;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    simulator = await createSimulator({ port: 0, quiet: true, records: 3000 });
    receiver = await startOtlpReceiver();
    gateway = await spawnGateway({
      PORT: '0',
      CDN_ENDPOINT: simulator.url,
      CURSOR_SECRET: 'e2e-otel-cursor-secret-0123456789',
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'gateway-e2e',
      // Nothing is exported on schedule during the test: what arrives comes from the flush at shutdown.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      // One url-tasks attempt per second: the request's second call, and the retry, wait for a slot.
      RATE_LIMIT_URL_TASKS: '1',
      CACHE_TTL_MS: '60000',
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await receiver?.close();
    await simulator?.close();
  });

  const post = async (query: string, traceparent: string) => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', traceparent }, body: JSON.stringify({ query }) });
    return { status: res.status, requestId: res.headers.get('x-request-id'), body: (await res.json()) as { data?: Record<string, { nodes: unknown[] }>; errors?: unknown[] } };
  };

  it('continues the caller trace: request → upstream calls → attempts, with the retry and the rate-limit waits; flushed at shutdown', async () => {
    // Two past ranges of 12 hours, the same in both requests: the second is answered from the cache.
    const hour = Math.floor(Date.now() / HOUR) * HOUR;
    const range = (fromH: number, toH: number) => `{ createdAfter: "${new Date(hour - fromH * HOUR).toISOString()}", createdBefore: "${new Date(hour - toH * HOUR).toISOString()}" }`;
    const query = `query TwoLists {
      recent: urlTasks(first: 2, filter: ${range(13, 1)}) { nodes { id } }
      older: urlTasks(first: 2, filter: ${range(25, 13)}) { nodes { id } }
    }`;
    await fetch(`${simulator.url}/__sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 0.5, errorStatus: 503, operations: ['url-tasks'] }),
    });
    const first = await post(query, `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`);
    await fetch(`${simulator.url}/__sim/faults`, { method: 'DELETE' });
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.recent?.nodes).toHaveLength(2);
    expect(first.body.data?.older?.nodes).toHaveLength(2);
    const second = await post(query, `00-${SECOND_TRACE_ID}-${CALLER_SPAN_ID}-01`);
    expect(second.body.errors).toBeUndefined();

    // Both access lines written, then SIGTERM: the process flushes its spans on the way out.
    await eventually(() => expect(gateway.logs().filter((l) => l.msg === 'graphql request')).toHaveLength(2));
    expect(receiver.spans()).toEqual([]);
    expect(await gateway.stop()).toEqual({ code: 0, signal: null });
    expect(receiver.exports().every((e) => e.path === '/v1/traces' && e.contentType === 'application/json')).toBe(true);
    const spans = receiver.spans();
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['gateway-e2e']));

    // The first request: one trace, the caller's, rooted at the caller's span.
    const trace1 = spans.filter((s) => s.traceId === CALLER_TRACE_ID);
    const [request] = trace1.filter((s) => s.parentSpanId === CALLER_SPAN_ID);
    expect(request).toMatchObject({
      name: 'query TwoLists',
      kind: SERVER,
      attributes: expect.objectContaining({
        'graphql.operation.name': 'TwoLists',
        'graphql.operation.type': 'query',
        'http.response.status_code': 200,
        'gateway.request_id': first.requestId,
      }),
    });
    const children = (parent: ReceivedSpan | undefined) => trace1.filter((s) => s.parentSpanId === parent?.spanId).sort((a, b) => Number(a.startNs - b.startNs));
    const calls = children(request);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) expect(call).toMatchObject({ name: 'upstream url-tasks', attributes: expect.objectContaining({ 'cdn.operation': 'url-tasks', 'cdn.outcome': 'ok' }) });
    const attempts = calls.flatMap((call) => children(call));
    for (const attempt of attempts) expect(attempt).toMatchObject({ name: 'upstream url-tasks attempt', kind: CLIENT });
    // Every attempt span is a child of a call span: nothing else hangs off the request.
    expect(trace1.filter((s) => s.name === 'upstream url-tasks attempt')).toHaveLength(attempts.length);

    // The retry: a call whose first attempt met the 503 and whose second succeeded.
    const retried = calls.find((call) => call.attributes['cdn.attempts'] === 2);
    expect(retried).toBeDefined();
    const [failed, retry] = children(retried);
    expect(failed).toMatchObject({
      attributes: expect.objectContaining({ 'cdn.attempt': 1, 'http.response.status_code': 503, 'cdn.outcome': 'UPSTREAM_UNAVAILABLE' }),
      status: { code: ERROR, message: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(retry).toMatchObject({ attributes: expect.objectContaining({ 'cdn.attempt': 2, 'http.response.status_code': 200, 'cdn.outcome': 'ok' }) });
    expect(retry?.attributes['cdn.upstream.request_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(retry!.startNs).toBeGreaterThanOrEqual(failed!.endNs);

    // The waits for a quota slot: every url-tasks attempt but the very first waited (1 per second),
    // and shows it as an attribute and as a child span covering the wait.
    const [firstAttempt, ...later] = [...attempts].sort((a, b) => Number(a.startNs - b.startNs));
    expect(firstAttempt?.attributes['cdn.rate_limit.wait_ms']).toBeUndefined();
    expect(later.length).toBeGreaterThanOrEqual(2);
    for (const attempt of later) {
      expect(attempt.attributes['cdn.rate_limit.wait_ms']).toEqual(expect.any(Number));
      const [wait] = children(attempt).filter((s) => s.name === 'rate-limit wait');
      expect(wait).toBeDefined();
      expect(wait!.startNs).toBe(attempt.startNs);
      expect(Number(wait!.endNs - wait!.startNs) / 1e6).toBeCloseTo(attempt.attributes['cdn.rate_limit.wait_ms'] as number, -1);
    }
    expect(Math.max(...later.map((a) => a.attributes['cdn.rate_limit.wait_ms'] as number))).toBeGreaterThan(100);

    // The second request, in its own trace: both calls answered by the cache, without an attempt.
    const trace2 = spans.filter((s) => s.traceId === SECOND_TRACE_ID);
    const request2 = trace2.find((s) => s.kind === SERVER);
    const calls2 = trace2.filter((s) => s.parentSpanId === request2?.spanId);
    expect(calls2.map((c) => [c.name, c.attributes['cdn.cache']])).toEqual([
      ['upstream url-tasks', 'hit'],
      ['upstream url-tasks', 'hit'],
    ]);
    expect(trace2.filter((s) => s.name.endsWith('attempt'))).toEqual([]);

    // Logs and traces join: each upstream attempt's line names its attempt span, the access line the request span.
    const logs = gateway.logs();
    const access = logs.find((l) => l.msg === 'graphql request' && l.requestId === first.requestId);
    expect(access).toMatchObject({ trace_id: CALLER_TRACE_ID, span_id: request?.spanId });
    const attemptLines = logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('upstream call') && l.requestId === first.requestId);
    expect(attemptLines.map((l) => l.span_id).sort()).toEqual(attempts.map((a) => a.spanId).sort());
    expect(new Set(attemptLines.map((l) => l.trace_id))).toEqual(new Set([CALLER_TRACE_ID]));
  });
});
