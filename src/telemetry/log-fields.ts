/**
 * The trace and span ids of the active span, as log fields (`trace_id`, `span_id`), so that a
 * log line and its trace join. Installed as the logger's mixin only when tracing is on
 * (src/main.ts); reads `@opentelemetry/api` alone.
 */
import { context, isSpanContextValid, trace } from '@opentelemetry/api';

/** Returns `{ trace_id, span_id }` of the span active where the line is written, or `{}` outside any span. */
export function traceLogFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}
