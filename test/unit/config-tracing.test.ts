/**
 * The OpenTelemetry settings (src/telemetry/settings.ts through src/config.ts): tracing is off
 * without an endpoint and with either off-switch; the specification's rules for endpoints,
 * headers, the service name and the sampler; bad values listed with every other problem,
 * secrets never echoed; and the sampler built from the checked values.
 */
import { SamplingDecision, type Sampler } from '@opentelemetry/sdk-trace-base';
import { context, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { loadConfig } from '../../src/config';
import { createSampler } from '../../src/telemetry/sampler';
import { tracesUrl, type TracingOn } from '../../src/telemetry/settings';
import { fixedSecret, problemsOf } from '../support/config-problems';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
const tracingOf = (env: Record<string, string>) => loadConfig(env, fixedSecret).tracing;

describe('tracing settings', () => {
  it('is off by default, with either off-switch, and says why', () => {
    expect(tracingOf({})).toEqual({ enabled: false, reason: 'neither OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set' });
    expect(tracingOf({ ...ENDPOINT, OTEL_SDK_DISABLED: 'TRUE' })).toEqual({ enabled: false, reason: 'OTEL_SDK_DISABLED=true' });
    expect(tracingOf({ ...ENDPOINT, OTEL_TRACES_EXPORTER: 'none' })).toEqual({ enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' });
    expect(tracingOf({ ...ENDPOINT, OTEL_SDK_DISABLED: 'false' }).enabled).toBe(true);
  });

  it('exports to the endpoint + /v1/traces, or to the traces endpoint as given, with the SDK defaults otherwise', () => {
    expect(tracingOf(ENDPOINT)).toEqual({
      enabled: true,
      url: 'http://collector:4318/v1/traces',
      headers: {},
      serviceName: 'cdn-url-tasks-gateway',
      resourceAttributes: {},
      sampler: { name: 'parentbased_always_on', ratio: 1 },
      batch: { scheduledDelayMillis: 5000, exportTimeoutMillis: 30000, maxQueueSize: 2048, maxExportBatchSize: 512 },
    });
    expect(tracesUrl('https://otel.example.com/prefix/', undefined)).toBe('https://otel.example.com/prefix/v1/traces');
    expect(tracingOf({ ...ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/ingest' })).toMatchObject({ url: 'https://traces.example.com/ingest' });
    expect(tracingOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).enabled).toBe(true);
  });

  it('reads headers (traces-specific ones winning), resource attributes, the service name and the sampler', () => {
    const settings = tracingOf({
      ...ENDPOINT,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=general%20key,x-tenant=a',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-api-key=traces-key',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=from-attributes',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.01',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
    }) as TracingOn;
    expect(settings.headers).toEqual({ 'x-api-key': 'traces-key', 'x-tenant': 'a' });
    expect(settings.resourceAttributes).toEqual({ 'deployment.environment': 'prod', 'service.name': 'from-attributes' });
    // Without OTEL_SERVICE_NAME, a service.name among the attributes names the service; OTEL_SERVICE_NAME wins over it.
    expect(settings.serviceName).toBe('from-attributes');
    expect((tracingOf({ ...ENDPOINT, OTEL_SERVICE_NAME: 'gw-eu', OTEL_RESOURCE_ATTRIBUTES: 'service.name=x' }) as TracingOn).serviceName).toBe('gw-eu');
    expect(settings.sampler).toEqual({ name: 'parentbased_traceidratio', ratio: 0.01 });
    expect(settings.batch.scheduledDelayMillis).toBe(1000);
  });

  it('lists every bad value with the other problems, never echoing headers or endpoints', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      OTEL_SDK_DISABLED: 'yes',
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:hunter2@collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-key=%zz-secret-value',
      OTEL_RESOURCE_ATTRIBUTES: 'no-value',
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
      OTEL_BSP_SCHEDULE_DELAY: '0',
    });
    expect(problems).toEqual([
      'PORT: must be a whole number from 0 to 65535 (got "eighty")',
      'OTEL_SDK_DISABLED: must be true or false (got "yes")',
      'OTEL_TRACES_EXPORTER: must be otlp (export spans over OTLP/HTTP) or none (no tracing); other exporters (console, zipkin, several at once) are not built in (got "zipkin")',
      'OTEL_EXPORTER_OTLP_ENDPOINT: must not hold credentials (user:password@): send them in OTEL_EXPORTER_OTLP_HEADERS, which is never logged (got a value, not shown)',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must be an http(s) URL such as http://127.0.0.1:4318 (got a value, not shown)',
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/json \(or unset\): the gateway exports OTLP over HTTP with JSON bodies; .* \(got "grpc"\)$/),
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: must be http\/json .* \(got "http\/protobuf"\)$/),
      'OTEL_EXPORTER_OTLP_HEADERS: entry #1 is not name=value (comma-separated name=value pairs, values percent-encoded) (got a value, not shown)',
      'OTEL_EXPORTER_OTLP_TRACES_HEADERS: entry #1 has a value that is not valid percent-encoding (got a value, not shown)',
      'OTEL_RESOURCE_ATTRIBUTES: "no-value" is not key=value (comma-separated key=value pairs, values percent-encoded) (got "no-value")',
      'OTEL_TRACES_SAMPLER: must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio (got "jaeger_remote")',
      'OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1, the share of traces kept (0.01 keeps 1 %) (got "1.5")',
      'OTEL_BSP_SCHEDULE_DELAY: must be at least 1 (got "0")',
    ]);
    expect(problems.join('\n')).not.toMatch(/hunter2|secret-value|authorization/);
  });

  it('refuses settings that contradict each other', () => {
    expect(problemsOf({ ...ENDPOINT, OTEL_TRACES_SAMPLER_ARG: '0.1' })).toEqual([
      'OTEL_TRACES_SAMPLER_ARG is set but OTEL_TRACES_SAMPLER is parentbased_always_on: the ratio applies to traceidratio and parentbased_traceidratio only; set one of them, or unset OTEL_TRACES_SAMPLER_ARG',
    ]);
    expect(problemsOf({ OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' })).toEqual([
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE (512) must not exceed OTEL_BSP_MAX_QUEUE_SIZE (100): a batch is taken from the queue',
    ]);
  });
});

describe('the sampler built from the settings', () => {
  // Trace ids the SDK's ratio sampler reads as low and high (it XORs the id's four 32-bit words and keeps the trace under ratio × 2³²).
  const LOW = '0000000000000000000000000000000f';
  const HIGH = '000000000000000000000000ffffffff';
  const decide = (sampler: Sampler, traceId: string, parent?: 'sampled' | 'unsampled'): SamplingDecision => {
    const ctx =
      parent === undefined
        ? context.active()
        : trace.setSpanContext(context.active(), { traceId, spanId: '00f067aa0ba902b7', traceFlags: parent === 'sampled' ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });
    return sampler.shouldSample(ctx, traceId, 'span', SpanKind.SERVER, {}, []).decision;
  };
  const KEEP = SamplingDecision.RECORD_AND_SAMPLED;
  const DROP = SamplingDecision.NOT_RECORD;

  it('keeps or drops root spans as named, by ratio for the ratio samplers', () => {
    expect(decide(createSampler({ name: 'always_on', ratio: 1 }), HIGH)).toBe(KEEP);
    expect(decide(createSampler({ name: 'always_off', ratio: 1 }), LOW)).toBe(DROP);
    expect([LOW, HIGH].map((id) => decide(createSampler({ name: 'traceidratio', ratio: 0.01 }), id))).toEqual([KEEP, DROP]);
    expect([LOW, HIGH].map((id) => decide(createSampler({ name: 'parentbased_traceidratio', ratio: 0.01 }), id))).toEqual([KEEP, DROP]);
  });

  it("follows the caller's decision in the parent-based samplers only", () => {
    const parentBased = createSampler({ name: 'parentbased_traceidratio', ratio: 0.01 });
    expect(decide(parentBased, HIGH, 'sampled')).toBe(KEEP);
    expect(decide(parentBased, LOW, 'unsampled')).toBe(DROP);
    expect(decide(createSampler({ name: 'parentbased_always_off', ratio: 1 }), HIGH, 'sampled')).toBe(KEEP);
    expect(decide(createSampler({ name: 'parentbased_always_on', ratio: 1 }), HIGH, 'unsampled')).toBe(DROP);
    // A ratio sampler alone decides by the trace id, whatever the caller sent: a caller cannot force recording.
    expect(decide(createSampler({ name: 'traceidratio', ratio: 0.01 }), HIGH, 'sampled')).toBe(DROP);
  });
});
