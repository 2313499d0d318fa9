/**
 * The span of one GraphQL request over HTTP (tracing on, docs/tracing.md): a SERVER span that
 * continues the caller's trace when it sent a W3C `traceparent`, is active while the request is
 * served (so every upstream call's span is its child and every log line carries its ids), and
 * ends when the response closes with the operation's name and type, the HTTP status and the
 * error codes the client received. Only `@opentelemetry/api`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Tracer } from '@opentelemetry/api';
import { ATTR } from '../telemetry/attributes';
import type { Exchange } from './exchange';

/**
 * Starts the request's span, parented by the caller's `traceparent` when valid, and ends it when
 * the response closes. Returns the context to serve the request in; puts the span's ids on the exchange.
 */
export function startRequestSpan(tracer: Tracer, req: IncomingMessage, res: ServerResponse, exchange: Exchange): Context {
  const method = (req.method ?? 'GET').toUpperCase();
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  // Named by the route until the operation is known (and for requests that never name one).
  const span = tracer.startSpan(
    `${method} /graphql`,
    {
      kind: SpanKind.SERVER,
      attributes: { [ATTR.HTTP_METHOD]: method, [ATTR.HTTP_ROUTE]: '/graphql', [ATTR.URL_PATH]: '/graphql', [ATTR.REQUEST_ID]: exchange.requestId },
    },
    parent,
  );
  const ids = span.spanContext();
  exchange.trace = { traceId: ids.traceId, spanId: ids.spanId };
  res.once('close', () => {
    const outcome = exchange.outcome;
    const codes = outcome?.errorCodes ?? [];
    span.setAttribute(ATTR.HTTP_STATUS, res.statusCode);
    if (outcome?.operation) span.setAttribute(ATTR.GRAPHQL_OPERATION_NAME, outcome.operation);
    if (outcome?.operationType) {
      span.setAttribute(ATTR.GRAPHQL_OPERATION_TYPE, outcome.operationType);
      span.updateName(spanName(outcome.operationType, outcome.operation));
    }
    if (codes.length > 0) span.setAttribute(ATTR.ERROR_CODES, [...codes]);
    if (!res.writableFinished) span.setAttribute(ATTR.ABORTED, true);
    const fault = serverFault(res.statusCode, codes);
    if (fault !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: fault });
    span.end();
  });
  return trace.setSpan(parent, span);
}

/** Names the span as the semantic conventions name GraphQL server spans: `query RecentTasks`, or the type alone. */
export function spanName(operationType: string, operationName: string | null): string {
  return operationName ? `${operationType} ${operationName}` : operationType;
}

/**
 * Returns why the request failed on the gateway's side (the span's error), or undefined when it
 * did not: a 5xx, or an upstream or internal error code. The client's own mistakes
 * (`BAD_USER_INPUT`, a refused document, `UNAUTHENTICATED`) are answers, not failures.
 */
export function serverFault(status: number, codes: readonly string[]): string | undefined {
  const faults = codes.filter((code) => code === 'INTERNAL_SERVER_ERROR' || code.startsWith('UPSTREAM_'));
  if (faults.length > 0) return [...new Set(faults)].join(', ');
  return status >= 500 ? `HTTP ${status}` : undefined;
}

/** Runs `serve` in `ctx` (the request's span active): every upstream call below becomes its child. */
export function serveInSpan<T>(ctx: Context, serve: () => Promise<T>): Promise<T> {
  return context.with(ctx, serve);
}
