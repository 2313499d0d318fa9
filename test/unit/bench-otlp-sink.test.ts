/** The bench's OTLP sink and tracing variants (bench/lib/otlp-sink.ts, bench/lib/tracing-variants.ts): span counts by service, the placeholder, the report. */
import { addCounts, countSpans } from '../../bench/lib/otlp-sink';
import { formatSinkReport, OTLP_SINK, resolveSinkVariants, usesSink } from '../../bench/lib/tracing-variants';

const exportOf = (service: string | undefined, spans: number) => ({
  resource: { attributes: service === undefined ? [] : [{ key: 'service.name', value: { stringValue: service } }] },
  scopeSpans: [{ scope: { name: 'cdn-url-tasks-gateway' }, spans: Array.from({ length: spans }, (_, i) => ({ spanId: String(i) })) }],
});

describe('OTLP sink', () => {
  it('counts the spans of an export by service name, and refuses what is not an OTLP/JSON trace export', () => {
    const body = JSON.stringify({ resourceSpans: [exportOf('gateway[trace100]', 3), exportOf('gateway[trace1]', 1), exportOf('gateway[trace100]', 2), exportOf(undefined, 1)] });
    expect(countSpans(body)).toEqual({ 'gateway[trace100]': 5, 'gateway[trace1]': 1, unknown: 1 });
    const totals: Record<string, number> = { 'gateway[trace1]': 4 };
    addCounts(totals, countSpans(body));
    expect(totals).toEqual({ 'gateway[trace100]': 5, 'gateway[trace1]': 5, unknown: 1 });
    expect(() => countSpans('{"metrics":[]}')).toThrow('not an OTLP/JSON trace export');
    expect(() => countSpans('\u0000protobuf')).toThrow();
  });
});

describe('tracing variants', () => {
  const variants = {
    trace100: { OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_SINK },
    trace1: { OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_SINK, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01', OTEL_SERVICE_NAME: 'sampled-1' },
    conn64: { UPSTREAM_CONNECTIONS: '64' },
  };

  it('gives the sink origin to the variants that ask for it, each under a service name of its own', () => {
    expect(usesSink(variants)).toBe(true);
    expect(usesSink({ conn64: variants.conn64 })).toBe(false);
    expect(resolveSinkVariants(variants, 'http://127.0.0.1:4999')).toEqual({
      trace100: { OTEL_SERVICE_NAME: 'gateway[trace100]', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4999' },
      trace1: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4999', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01', OTEL_SERVICE_NAME: 'sampled-1' },
      conn64: { UPSTREAM_CONNECTIONS: '64' },
    });
  });

  it('reports the spans received by gateway, as shares of the largest count', () => {
    expect(formatSinkReport({ exports: 12, bytes: 3 * 1024 * 1024, refused: 0, spans: { 'gateway[trace100]': 20000, 'gateway[trace1]': 210 } })).toBe(
      [
        'OTLP sink, whole run (warm-up, answer checks and every phase included): 12 exports, 3.0 MiB',
        '  gateway[trace1]: 210 spans (1.1 % of the most)',
        '  gateway[trace100]: 20000 spans (100.0 % of the most)',
      ].join('\n'),
    );
    expect(formatSinkReport({ exports: 0, bytes: 0, refused: 0, spans: {} })).toMatch(/no span received/);
  });
});
