/**
 * Starts OpenTelemetry tracing: the Node tracer provider with the configured sampler and
 * resource, a batch span processor exporting over OTLP/HTTP (JSON), the W3C trace-context
 * propagator (`traceparent`, `tracestate`) and the AsyncLocalStorage context manager, registered
 * as the process's globals. The only module that loads the SDK: src/main.ts imports it
 * dynamically, and only when tracing is on, so a gateway without an OTLP endpoint loads and
 * registers nothing (docs/tracing.md).
 */
import { context, diag, DiagLogLevel, propagation, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Logger } from '../logger';
import { createDiagLogger } from './diag-logger';
import { createSampler } from './sampler';
import type { TracingOn } from './settings';

/** The name the gateway's spans are recorded under (their instrumentation scope). */
export const TRACER_NAME = 'cdn-url-tasks-gateway';

/** How long shutdown waits for the last spans to be exported before giving up on them. */
export const FLUSH_TIMEOUT_MS = 5000;

/** Running tracing. */
export interface Tracing {
  /** The tracer the gateway's spans come from (pass to `createUpstream` and `createGateway`). */
  readonly tracer: Tracer;
  /** Exports the spans ended so far now, instead of at the next scheduled export. */
  flush(): Promise<void>;
  /** Exports the spans still queued (at most `FLUSH_TIMEOUT_MS`), stops the SDK and unregisters its globals. */
  shutdown(): Promise<void>;
}

/** Options of `startTracing`. */
export interface StartTracingOptions {
  /** Where the SDK's own warnings (failed exports) go, throttled. */
  readonly logger: Logger;
  /** Exports spans here instead of over OTLP/HTTP (tests). @default an OTLP/HTTP JSON exporter to `settings.url` */
  readonly exporter?: SpanExporter;
}

/** Starts tracing with the validated settings and registers it as the process's tracing. */
export function startTracing(settings: TracingOn, options: StartTracingOptions): Tracing {
  const { logger } = options;
  diag.setLogger(createDiagLogger(logger), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: settings.url, headers: { ...settings.headers } });
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ ...settings.resourceAttributes, 'service.name': settings.serviceName })),
    sampler: createSampler(settings.sampler),
    spanProcessors: [new BatchSpanProcessor(exporter, { ...settings.batch })],
  });
  // Trace context only: the gateway reads no baggage, so none is accepted from callers.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  let stopped: Promise<void> | undefined;
  return {
    tracer: provider.getTracer(TRACER_NAME),
    flush: () => provider.forceFlush(),
    shutdown() {
      stopped ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), FLUSH_TIMEOUT_MS);
        });
        const outcome = await Promise.race([provider.shutdown().then(() => 'done' as const, (err: unknown) => err), late]);
        clearTimeout(timer);
        if (outcome === 'late') logger.warn(`tracing: the last spans were not exported within ${FLUSH_TIMEOUT_MS} ms; they are dropped`);
        else if (outcome !== 'done') logger.warn({ err: outcome }, 'tracing: exporting the last spans failed');
        trace.disable();
        context.disable();
        propagation.disable();
        diag.disable();
      })();
      return stopped;
    },
  };
}
