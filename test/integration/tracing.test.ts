/**
 * Tracing in-process (docs/tracing.md): the gateway and the simulator over loopback, tracing
 * started as src/main.ts starts it, spans kept by the SDK's in-memory exporter. What the
 * end-to-end test (test/e2e/otel-traces.test.ts) does not show: a call that joins an identical
 * call in flight is marked and linked to it, no trace header reaches the upstream, log lines
 * written inside a request carry its span's ids, and the sampler follows an unsampled caller.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../src/config';
import type { RawHandler } from '../../src/cdn/pipeline';
import { createLogger } from '../../src/logger';
import { traceLogFields } from '../../src/telemetry/log-fields';
import type { TracingOn } from '../../src/telemetry/settings';
import { startTracing, type Tracing } from '../../src/telemetry/start';
import { eventually } from '../support/eventually';
import { startStack, type Stack } from '../support/stack';

const PARENT_ID = 'b7ad6b7169203331';
// A trace id of its own for each request: spans of one test may still be queued when the next starts.
const traceId = (n: number): string => `0af7651916cd43dd8448eb211c8031${String(n).padStart(2, '0')}`;

describe('tracing in-process', () => {
  const exporter = new InMemorySpanExporter();
  const lines: Array<Record<string, unknown>> = [];
  const sentHeaders: Array<Readonly<Record<string, string>>> = [];
  let tracing: Tracing;
  let stack: Stack;

  beforeAll(async () => {
    // Spans go to memory; the endpoint only turns tracing on in the configuration.
    const settings = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }).tracing as TracingOn;
    tracing = startTracing(settings, { logger: createLogger('silent'), exporter });
    const logger = createLogger('info', { destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }, mixin: traceLogFields });
    const record = (transport: RawHandler): RawHandler => (req) => {
      sentHeaders.push({ ...req.headers });
      return transport(req);
    };
    stack = await startStack({ economy: true, tracer: tracing.tracer, logger, wrapTransport: record, simulator: { records: 3000 } });
  });
  afterAll(async () => {
    await stack?.close();
    await tracing?.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    lines.length = 0;
  });

  // The spans of one trace, once its request's server span has ended (it ends when the response closes).
  const traceOf = (traceId: string): Promise<ReadableSpan[]> =>
    eventually(async () => {
      await tracing.flush();
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      expect(spans.some((s) => s.name.includes('/graphql') || s.name.startsWith('query'))).toBe(true);
      return spans;
    });
  const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan | undefined) => spans.filter((s) => s.parentSpanContext?.spanId === parent?.spanContext().spanId);

  it('marks a call that joined an identical call in flight, links it to that call, and sends it no attempt', async () => {
    const res = await stack.query('query Twice { a: urlTasks(first: 3) { nodes { id } } b: urlTasks(first: 3) { nodes { id } } }', undefined, {
      traceparent: `00-${traceId(1)}-${PARENT_ID}-01`,
    });
    expect(res.errors).toBeUndefined();
    const spans = await traceOf(traceId(1));
    const [request] = spans.filter((s) => s.parentSpanContext?.spanId === PARENT_ID);
    expect(request?.name).toBe('query Twice');
    const calls = childrenOf(spans, request);
    expect(calls.map((c) => c.name)).toEqual(['upstream url-tasks', 'upstream url-tasks']);
    const joined = calls.filter((c) => c.attributes['cdn.coalesced'] === true);
    const leaders = calls.filter((c) => c.attributes['cdn.coalesced'] === undefined);
    expect([joined.length, leaders.length]).toEqual([1, 1]);
    expect(joined[0]?.links.map((l) => l.context.spanId)).toEqual([leaders[0]?.spanContext().spanId]);
    expect(childrenOf(spans, joined[0])).toEqual([]);
    expect(childrenOf(spans, leaders[0]).map((s) => [s.name, s.attributes['cdn.attempt'], s.attributes['cdn.outcome']])).toEqual([['upstream url-tasks attempt', 1, 'ok']]);
  });

  it('sends no traceparent, tracestate or baggage upstream, though the caller sent them', async () => {
    sentHeaders.length = 0;
    const res = await stack.query('{ tasks(first: 1) { nodes { taskId } } }', undefined, {
      traceparent: `00-${traceId(2)}-${PARENT_ID}-01`,
      tracestate: 'vendor=value',
      baggage: 'tenant=acme',
    });
    expect(res.errors).toBeUndefined();
    expect(sentHeaders.length).toBeGreaterThan(0);
    for (const headers of sentHeaders) expect(Object.keys(headers).filter((name) => ['traceparent', 'tracestate', 'baggage'].includes(name.toLowerCase()))).toEqual([]);
  });

  it("writes the request span's ids on log lines written while serving it, and on its access line", async () => {
    const res = await stack.query('query Forged { urlTasks(first: 1, after: "forged") { nodes { id } } }', undefined, { traceparent: `00-${traceId(3)}-${PARENT_ID}-01` });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const spans = await traceOf(traceId(3));
    const request = spans.find((s) => s.parentSpanContext?.spanId === PARENT_ID);
    expect(request?.attributes['gateway.error_codes']).toEqual(['BAD_USER_INPUT']);
    // A client's mistake is an answer, not a failure of the gateway.
    expect(request?.status.code).toBe(0);
    const ids = { trace_id: traceId(3), span_id: request?.spanContext().spanId };
    await eventually(() => expect(lines.find((l) => l.msg === 'graphql request')).toMatchObject(ids));
    expect(lines.find((l) => l.msg === 'client errors')).toMatchObject(ids);
  });

  it('follows an unsampled caller (parent-based sampler): nothing recorded, the trace id still on the log lines', async () => {
    const unsampled = traceId(4);
    const res = await stack.query('{ urlTasks(first: 1) { nodes { id } } }', undefined, { traceparent: `00-${unsampled}-${PARENT_ID}-00` });
    expect(res.errors).toBeUndefined();
    await eventually(() => expect(lines.find((l) => l.msg === 'graphql request')).toMatchObject({ trace_id: unsampled }));
    await tracing.flush();
    expect(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === unsampled)).toEqual([]);
  });
});
