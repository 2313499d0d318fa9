/**
 * Stages: OpenTelemetry spans of upstream calls (docs/tracing.md). src/cdn/upstream.ts places
 * them only when it is given a tracer (tracing on), so without one they cost nothing:
 *
 * - `call`, outermost: one span per call (`upstream <operation>`), the parent of everything
 *   below; the cache and coalesce stages note on it whether the cache answered and whether the
 *   call joined one in flight (linked to that call's span, which may be another request's);
 * - `attempt`, right inside retry: one CLIENT span per attempt (`upstream <operation> attempt`)
 *   with its number, HTTP status, outcome code and the upstream's request id;
 * - `admitted`, right after the rate limiter: when the limiter made the attempt wait for a quota
 *   slot (it says so with `noteQuotaWait`), notes how long on the attempt's span and records the
 *   wait as its child span (`rate-limit wait`).
 *
 * No `traceparent` is sent upstream: the CDN API ignores it, and it would hand the caller's
 * trace id to a third party (docs/tracing.md, What goes upstream). Only `@opentelemetry/api`.
 */
import { context, isSpanContextValid, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import { CallerAbortedError, GatewayError } from '../../errors';
import { ATTR } from '../../telemetry/attributes';
import { OPERATIONS } from '../operations';
import type { Handler, Stage, UpstreamRequest, UpstreamResponse } from '../pipeline';

/** The three tracing stages; see the module comment for where each goes. */
export interface TraceStages {
  readonly call: Stage;
  readonly attempt: Stage;
  readonly admitted: Stage;
}

/** The clock spans are timed with: epoch ms with sub-millisecond precision. */
const epochMs = (): number => performance.timeOrigin + performance.now();

// When each recorded attempt's span started, for its rate-limit wait.
const attemptStarts = new WeakMap<Span, number>();
// Attempts' spans whose attempt the rate limiter made wait.
const waited = new WeakSet<Span>();

/** Creates the tracing stages around upstream calls, recording spans with `tracer`. */
export function traceStages(tracer: Tracer): TraceStages {
  const call: Stage = (next) => (req) => {
    const span = tracer.startSpan(`upstream ${req.operation}`, {
      kind: SpanKind.INTERNAL,
      attributes: { [ATTR.OPERATION]: req.operation, [ATTR.HTTP_METHOD]: req.method, ...(req.requestId === undefined ? {} : { [ATTR.REQUEST_ID]: req.requestId }) },
    });
    return settle(span, within(span, next, req));
  };

  const attempt: Stage = (next) => (req) => {
    const number = req.attempt ?? 1;
    // The call's span, active here: it counts the attempts.
    trace.getActiveSpan()?.setAttribute(ATTR.ATTEMPTS, number);
    const started = epochMs();
    const span = tracer.startSpan(`upstream ${req.operation} attempt`, {
      kind: SpanKind.CLIENT,
      startTime: started,
      attributes: { [ATTR.OPERATION]: req.operation, [ATTR.ATTEMPT]: number, [ATTR.HTTP_METHOD]: req.method, [ATTR.URL_TEMPLATE]: OPERATIONS[req.operation].pathTemplate },
    });
    if (span.isRecording()) attemptStarts.set(span, started);
    return settle(span, within(span, next, req), attemptFields);
  };

  const admitted: Stage = (next) => (req) => {
    const span = trace.getActiveSpan();
    const started = span && waited.has(span) ? attemptStarts.get(span) : undefined;
    if (span && started !== undefined) {
      const now = epochMs();
      span.setAttribute(ATTR.RATE_LIMIT_WAIT_MS, Math.round(now - started));
      tracer.startSpan('rate-limit wait', { startTime: started, attributes: { [ATTR.OPERATION]: req.operation } }).end(now);
    }
    return next(req);
  };

  return { call, attempt, admitted };
}

/** Notes on the active attempt's span that the rate limiter made it wait for a quota slot (the `admitted` stage times the wait). */
export function noteQuotaWait(): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) waited.add(span);
}

/** Notes on the active call's span what the cache said: `hit`, `miss`, or `unproven` (entries not served: credentials not proven). */
export function noteCacheLookup(verdict: 'hit' | 'miss' | 'unproven'): void {
  trace.getActiveSpan()?.setAttribute(ATTR.CACHE, verdict);
}

/** Returns the ids of the active call's span (the call a coalesced call will join), when it is recorded. */
export function activeCallSpan(): SpanContext | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext() : undefined;
}

/** Notes on the active call's span that it joined a call in flight, and links it to that call's span. */
export function noteJoined(leader: SpanContext | undefined): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.setAttribute(ATTR.COALESCED, true);
  if (leader && isSpanContextValid(leader)) span.addLink({ context: leader });
}

// Runs the next handler with `span` active; a handler that throws at once is a rejection like any other, so the span still ends.
function within(span: Span, next: Handler, req: UpstreamRequest): Promise<UpstreamResponse> {
  try {
    return context.with(trace.setSpan(context.active(), span), next, undefined, req);
  } catch (error) {
    return Promise.reject(error);
  }
}

// Ends a span when its call or attempt settles: `ok` or the failure's code, status ERROR on failure.
function settle(span: Span, outcome: Promise<UpstreamResponse>, fields?: (res: UpstreamResponse | undefined, error: GatewayError | undefined) => Attributes): Promise<UpstreamResponse> {
  return outcome.then(
    (res) => {
      span.setAttributes({ [ATTR.OUTCOME]: 'ok', ...fields?.(res, undefined) });
      span.end();
      return res;
    },
    (e: unknown) => {
      const error = e instanceof GatewayError ? e : undefined;
      const code = error?.code ?? 'INTERNAL_SERVER_ERROR';
      span.setAttributes({ [ATTR.OUTCOME]: code, ...(error?.cause instanceof CallerAbortedError ? { [ATTR.CANCELLED]: true } : {}), ...fields?.(undefined, error) });
      span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      span.end();
      throw e;
    },
  );
}

// What an attempt's span says of its answer: the HTTP status (none when no answer came), the upstream's request id and error code.
function attemptFields(res: UpstreamResponse | undefined, error: GatewayError | undefined): Attributes {
  const status = res?.status ?? error?.upstream?.status ?? 0;
  const requestId = res?.requestId ?? error?.upstream?.requestId;
  const code = error?.upstream?.code;
  return {
    ...(status > 0 ? { [ATTR.HTTP_STATUS]: status } : {}),
    ...(requestId === undefined ? {} : { [ATTR.UPSTREAM_REQUEST_ID]: requestId }),
    ...(code === undefined ? {} : { [ATTR.UPSTREAM_CODE]: code }),
  };
}
