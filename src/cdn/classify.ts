/**
 * The one place where upstream outcomes become catalogue errors: HTTP statuses, the three
 * error body shapes (gateway, top-level 400, `{error}` inside a 200), unreadable bodies and
 * transport failures. Pure functions; the classify stage calls them once per attempt.
 */
import type { ZodError } from 'zod';
import { AttemptTimeoutError, CallerAbortedError, DeadlineExceededError, GatewayError, type ErrorCode, type UpstreamInfo } from '../errors';
import { screenUpstreamCode, UNRECOGNIZED_UPSTREAM_CODE } from './error-code';
import { parseJson, type JsonBody } from './json';
import { OPERATION_NAMES, operationLabel, type OperationName } from './operations';
import type { RawResponse } from './pipeline';
import type { Redactor } from './redact';
import { ErrorBodyWire } from './wire';

/** What a classification needs to know about the call, for messages and retry rules. */
export interface CallContext {
  readonly operation: OperationName;
  readonly method: 'GET' | 'POST';
}

/** Human labels of the operations, used at the start of every message. */
export const OPERATION_LABELS: Readonly<Record<OperationName, string>> = Object.freeze(
  Object.fromEntries(OPERATION_NAMES.map((op) => [op, operationLabel(op)])) as Record<OperationName, string>,
);

/** Business error code of a 200 body that means the daily refresh/preheat quota is used up. */
export const QUOTA_EXCEEDED_CODE = 'CDN.0110';
/** Business error code of a 200 detail body for a task that does not exist. */
export const UNKNOWN_TASK_CODE = 'CDN.0108';
/** API Gateway error code of a throttled call (HTTP 429, docs/upstream.md#rate-limits). */
export const THROTTLING_CODE = 'APIGW.0308';

// Statuses worth repeating: the upstream may answer differently a moment later.
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

// Network failures that happen before a byte of the request left: safe to resend even a POST.
const PRE_SEND_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// Network failures after which the upstream may or may not have received the request.
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_INFO',
]);
// undici timeouts of a request that was sent: the deadline (or the per-request timeout) passed.
const SENT_TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

// What each code tells the operator to do.
const HINTS: Partial<Record<ErrorCode, string>> = {
  UPSTREAM_UNAUTHORIZED:
    'Check the configured AK/SK (or IAM token) and its expiry, and the host clock (the CDN API refuses signatures more than 15 minutes off).',
  UPSTREAM_FORBIDDEN: 'Grant the credentials permission for this CDN operation (e.g. CDN ReadOnlyAccess or CDN FullAccess), or use other credentials.',
  UPSTREAM_UNAVAILABLE: 'The CDN API is failing or unreachable; retry later.',
  UPSTREAM_ERROR: 'The CDN API rejected the request; check the arguments against its rules.',
  QUOTA_EXCEEDED: 'The daily refresh/preheat quota is used up; try again tomorrow or raise the quota in the Huawei Cloud console.',
};

/** What the operator is told when url-tasks is refused (403 or 404): the API may need enabling by a service ticket. */
export const URL_TASKS_NOT_ENABLED_HINT =
  'The url-tasks API (ShowUrlTaskInfo) must be enabled for the Huawei Cloud account: submit a service ticket asking Huawei to enable it. ' +
  'If it is enabled, grant the credentials permission for it (CDN ReadOnlyAccess or CDN FullAccess); if every operation answers 404, check CDN_ENDPOINT.';
/** What the operator is told when the upstream refuses a call over `enterprise_project_id`. */
export const ENTERPRISE_PROJECT_HINT =
  'The account has enterprise projects: set HUAWEICLOUD_ENTERPRISE_PROJECT_ID to the project of the CDN domains (or `all` for every project) and restart the gateway.';

/** A refusal caused by how the account is set up, which the operator fixes outside the request. */
export interface AccountRefusal {
  readonly code: ErrorCode;
  readonly hint: string;
}

/**
 * Recognises refusals the operator fixes in the account or the configuration, whatever the
 * upstream code: url-tasks answering 403/404 (not enabled, docs/upstream.md#url-tasks) keeps
 * the code of its status; a refusal naming `enterprise_project_id`
 * (docs/upstream.md#enterprise-projects) is `UPSTREAM_FORBIDDEN` whether it comes as a 400,
 * a 403 or inside a 200, since the request itself is not at fault. `undefined` otherwise.
 */
export function accountRefusal(ctx: CallContext, status: number, upstream: Pick<UpstreamInfo, 'message'>): AccountRefusal | undefined {
  if (ctx.operation === 'url-tasks' && (status === 403 || status === 404)) return { code: codeForStatus(status), hint: URL_TASKS_NOT_ENABLED_HINT };
  const refusal = (status >= 200 && status < 300) || status === 400 || status === 403 || status === 404;
  if (refusal && /enterprise_project_id/i.test(upstream.message ?? '')) return { code: 'UPSTREAM_FORBIDDEN', hint: ENTERPRISE_PROJECT_HINT };
  return undefined;
}

/** Parses `Retry-After` (delay seconds or an HTTP-date) into milliseconds from `nowMs`; `undefined` when absent or malformed. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only real HTTP-dates (they name a weekday or month); `Date.parse` accepts too much otherwise.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The error fields of an upstream body, whichever of the three shapes it has. */
export interface UpstreamErrorFields {
  readonly code?: string;
  readonly message?: string;
  readonly requestId?: string;
}

/** Extracts `error_code`/`error_msg`/`request_id` from a parsed body; `undefined` when it is no error shape. */
export function readErrorFields(value: unknown): UpstreamErrorFields | undefined {
  const parsed = ErrorBodyWire.safeParse(value);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  if ('error' in body) return { code: body.error.error_code, message: body.error.error_msg };
  return { code: body.error_code, message: body.error_msg, requestId: body.request_id };
}

/** Maps an HTTP status (and the business code of a 200 body) to a catalogue code. */
export function codeForStatus(status: number, upstreamCode?: string): ErrorCode {
  if (status >= 200 && status < 300) return upstreamCode === QUOTA_EXCEEDED_CODE ? 'QUOTA_EXCEEDED' : 'UPSTREAM_ERROR';
  if (status === 401) return 'UPSTREAM_UNAUTHORIZED';
  if (status === 403) return 'UPSTREAM_FORBIDDEN';
  if (status === 429) return 'UPSTREAM_RATE_LIMITED';
  if (status >= 500) return 'UPSTREAM_UNAVAILABLE';
  return 'UPSTREAM_ERROR';
}

/** Turns a response into an error when it is one (non-2xx, `{error}` inside a 2xx, or a 2xx that is not JSON); `undefined` otherwise. Pass `json` when the body is already parsed. */
export function classifyResponse(
  ctx: CallContext,
  res: RawResponse,
  nowMs: number,
  redact: Redactor = (s) => s,
  json: JsonBody = parseJson(res.body),
): GatewayError | undefined {
  const fields = json.ok ? readErrorFields(json.value) : undefined;
  const requestId = res.requestId ?? fields?.requestId;
  const upstream: UpstreamInfo = {
    status: res.status,
    // Only a code of the documented shape is repeated; any other is UNRECOGNIZED, in the message too.
    code: screenUpstreamCode(fields?.code),
    message: fields?.message === undefined ? undefined : redact(fields.message),
    requestId,
  };
  if (res.status >= 200 && res.status < 300) {
    if (!json.ok) {
      return new GatewayError(
        'UPSTREAM_BAD_RESPONSE',
        `${OPERATION_LABELS[ctx.operation]} failed: the CDN API answered HTTP ${res.status} with a body that is not JSON ` +
          `(${redact(describeBody(res.body))}${idSuffix(requestId)}); the response was probably cut off, retry later.`,
        { upstream, retryable: true },
      );
    }
    if (!fields) return undefined;
    const refused = upstream.code === QUOTA_EXCEEDED_CODE ? undefined : accountRefusal(ctx, res.status, upstream);
    const code = refused?.code ?? codeForStatus(res.status, upstream.code);
    return new GatewayError(code, message(ctx, code, upstream, undefined, refused?.hint), { upstream });
  }
  const refused = accountRefusal(ctx, res.status, upstream);
  const code = refused?.code ?? codeForStatus(res.status);
  const retryAfterMs = parseRetryAfter(res.headers['retry-after'], nowMs);
  return new GatewayError(code, message(ctx, code, upstream, retryAfterMs, refused?.hint), {
    upstream,
    retryAfterMs,
    retryable: RETRYABLE_STATUSES.has(res.status),
  });
}

/** Turns a 200 body that does not have the expected shape into `UPSTREAM_BAD_RESPONSE` (not retryable: the shape will not change). */
export function badShape(ctx: CallContext, res: RawResponse, error: ZodError): GatewayError {
  const issue = error.issues[0];
  const where = issue ? `${issue.path.length ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}` : 'unknown mismatch';
  return new GatewayError(
    'UPSTREAM_BAD_RESPONSE',
    `${OPERATION_LABELS[ctx.operation]} failed: the CDN API answered HTTP ${res.status} with JSON of an unexpected shape ` +
      `(${where}${idSuffix(res.requestId)}); the API may have changed.`,
    { upstream: { status: res.status, requestId: res.requestId }, cause: error },
  );
}

/** Turns anything thrown while sending or reading into a catalogue error (a `GatewayError` passes through). */
export function classifyFailure(ctx: CallContext, error: unknown, redact: Redactor = (s) => s): GatewayError {
  if (error instanceof GatewayError) return error;
  const label = OPERATION_LABELS[ctx.operation];
  const upstream: UpstreamInfo = { status: 0 };
  if (error instanceof DeadlineExceededError) {
    return new GatewayError(
      'UPSTREAM_TIMEOUT',
      `${label} failed: the CDN API did not answer within the ${error.budgetMs} ms deadline; retry with a longer deadline or a narrower query.`,
      { upstream, cause: error },
    );
  }
  if (error instanceof AttemptTimeoutError) {
    return new GatewayError(
      'UPSTREAM_TIMEOUT',
      `${label} failed: the CDN API did not answer within the ${error.timeoutMs} ms attempt timeout (UPSTREAM_TIMEOUT_MS); retry later or with a narrower query.`,
      { upstream, retryable: true, cause: error },
    );
  }
  if (error instanceof CallerAbortedError) {
    return new GatewayError('UPSTREAM_TIMEOUT', `${label} was cancelled by the caller before the CDN API answered.`, {
      upstream,
      cause: error,
    });
  }
  const code = errorCodeOf(error);
  const detail = redact(`${code ?? 'error'}: ${error instanceof Error ? error.message : String(error)}`);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new GatewayError('UPSTREAM_TIMEOUT', `${label} failed: connecting to the CDN API timed out (${detail}); retry later.`, {
      upstream,
      retryable: true,
      cause: error,
    });
  }
  if (code !== undefined && SENT_TIMEOUT_CODES.has(code)) {
    return new GatewayError(
      'UPSTREAM_TIMEOUT',
      `${label} failed: the CDN API did not answer in time (${detail}); retry with a longer deadline or a narrower query.`,
      { upstream, cause: error },
    );
  }
  if (code !== undefined && (PRE_SEND_CODES.has(code) || CONNECTION_CODES.has(code))) {
    return new GatewayError(
      'UPSTREAM_UNAVAILABLE',
      `${label} failed: the connection to the CDN API failed (${detail}); ${HINTS.UPSTREAM_UNAVAILABLE}`,
      { upstream, retryable: true, cause: error },
    );
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new GatewayError('UPSTREAM_BAD_RESPONSE', `${label} failed: the CDN API response exceeded the size limit (${detail}).`, {
      upstream,
      cause: error,
    });
  }
  if (code === 'UND_ERR_CLOSED' || code === 'UND_ERR_DESTROYED') {
    return new GatewayError('UPSTREAM_UNAVAILABLE', `${label} failed: the CDN client is closed (${detail}).`, { upstream, cause: error });
  }
  return new GatewayError('INTERNAL_SERVER_ERROR', `${label} failed before the CDN API answered (${detail}).`, {
    upstream,
    cause: error,
  });
}

/** Tells whether an error is the upstream throttling the tenant (HTTP 429 or `APIGW.0308`), not the gateway's own limiter refusing. */
export function isUpstreamThrottle(error: unknown): error is GatewayError {
  if (!(error instanceof GatewayError) || error.upstream === undefined) return false;
  return error.upstream.status === 429 || error.upstream.code === THROTTLING_CODE;
}

/** Tells whether a failure happened before any byte of the request was sent (so even a POST may be resent). */
export function failedBeforeSending(error: unknown): boolean {
  const code = errorCodeOf(error instanceof GatewayError ? error.cause : error);
  return code !== undefined && PRE_SEND_CODES.has(code);
}

/** Finds the first system/undici error code along an error's cause chain (and inside an `AggregateError`). */
export function errorCodeOf(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = errorCodeOf(inner, depth + 1);
      if (found) return found;
    }
  }
  return errorCodeOf((error as { cause?: unknown }).cause, depth + 1);
}

// Composes the message of an error reported by the upstream itself.
function message(ctx: CallContext, code: ErrorCode, upstream: UpstreamInfo, retryAfterMs?: number, accountHint?: string): string {
  const shownCode = upstream.code === UNRECOGNIZED_UPSTREAM_CODE ? `${UNRECOGNIZED_UPSTREAM_CODE} (an error code of undocumented shape, not shown)` : upstream.code;
  const said = [shownCode, upstream.message === undefined ? undefined : JSON.stringify(upstream.message)]
    .filter((s) => s !== undefined)
    .join(' ');
  const what = `the CDN API answered HTTP ${upstream.status}${said ? ` ${said}` : ''}${idSuffix(upstream.requestId)}`;
  const hint =
    accountHint ??
    (code === 'UPSTREAM_RATE_LIMITED'
      ? retryAfterMs === undefined
        ? 'The tenant rate limit was reached; retry shortly or give the request a longer deadline.'
        : `The tenant rate limit was reached; retry after ${retryAfterMs} ms or give the request a longer deadline.`
      : (HINTS[code] ?? ''));
  return `${OPERATION_LABELS[ctx.operation]} failed: ${what}. ${hint}`.trim();
}

// Formats the upstream request id for a message.
function idSuffix(requestId: string | undefined): string {
  return requestId ? `, upstream request id ${requestId}` : '';
}

// Describes an unreadable body without dumping it: its length and a short, single-line start.
function describeBody(body: string): string {
  if (body.length === 0) return 'empty body';
  const start = body.slice(0, 40).replace(/\s+/g, ' ');
  return `${body.length} bytes starting ${JSON.stringify(start)}`;
}
