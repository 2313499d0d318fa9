/**
 * The one error catalogue. Every failure the gateway reports carries one of these codes;
 * the GraphQL layer maps a `GatewayError` to a `GraphQLError` in exactly one place.
 */

/** Stable error codes, sent to clients as `extensions.code`. */
export const ERROR_CODES = {
  BAD_USER_INPUT: 'The request arguments are invalid.',
  NOT_FOUND: 'The requested object does not exist.',
  UNAUTHENTICATED: 'The caller is not authenticated.',
  QUOTA_EXCEEDED: 'The CDN daily quota for this operation is used up.',
  UPSTREAM_UNAUTHORIZED: 'The CDN API refused the gateway credentials.',
  UPSTREAM_FORBIDDEN: 'The gateway credentials lack permission for this CDN operation.',
  UPSTREAM_RATE_LIMITED: 'The CDN API rate limit leaves no room before the request deadline.',
  UPSTREAM_TIMEOUT: 'The CDN API did not answer before the deadline.',
  UPSTREAM_UNAVAILABLE: 'The CDN API is unreachable or failing.',
  UPSTREAM_BAD_RESPONSE: 'The CDN API answered with a body the gateway cannot read.',
  UPSTREAM_ERROR: 'The CDN API reported an error.',
  INTERNAL_SERVER_ERROR: 'An internal error occurred.',
} as const;

/** One of the catalogue's codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** What the upstream said, when it was involved. */
export interface UpstreamInfo {
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** Huawei's `error_code` (e.g. `APIGW.0308`), when given. */
  readonly code?: string;
  /** Huawei's `error_msg`, kept for logs; never sent to clients verbatim unless safe. */
  readonly message?: string;
  /** The upstream `X-request-id`, when given. */
  readonly requestId?: string;
}

/** Options of a `GatewayError`. */
export interface GatewayErrorOptions {
  readonly upstream?: UpstreamInfo;
  /** Milliseconds after which a retry may succeed (rate limiting). */
  readonly retryAfterMs?: number;
  /** Whether repeating the same idempotent call may succeed. */
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/** An error from the catalogue, with its upstream context. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly upstream?: UpstreamInfo;
  readonly retryAfterMs?: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code],
    options: GatewayErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.upstream = options.upstream;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable ?? false;
  }
}

/** Creates a `BAD_USER_INPUT` error whose message states the rule and the value that broke it. */
export function badUserInput(message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', message);
}

/** Returns `value` as an `Error`, wrapping anything else thrown. */
export function ensureError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(`Non-error thrown: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

/** Tells whether a value is a `GatewayError`. */
export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

// ---------------------------------------------------------------------------------------------
// Internal causes. These never reach a client themselves: the upstream client throws them as
// abort reasons or wraps them as the `cause` of a `GatewayError`, whose code is listed below,
// so code that must tell "out of time" from "the upstream failed" can test `cause` instead of
// parsing messages (docs/architecture.md, Upstream pipeline).

/** Abort reason: the whole call's deadline passed (maps to `UPSTREAM_TIMEOUT`, not retryable). */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  constructor(readonly budgetMs: number) {
    super(`deadline of ${budgetMs} ms passed`);
  }
}

/** Abort reason: one attempt outlived the per-attempt timeout, UPSTREAM_TIMEOUT_MS (maps to `UPSTREAM_TIMEOUT`, retryable). */
export class AttemptTimeoutError extends Error {
  override readonly name = 'AttemptTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`attempt timeout of ${timeoutMs} ms passed`);
  }
}

/** Abort reason: the caller's signal aborted, e.g. the GraphQL request ended (maps to `UPSTREAM_TIMEOUT`). */
export class CallerAbortedError extends Error {
  override readonly name = 'CallerAbortedError';
  constructor(reason: unknown) {
    super('the caller cancelled the call', { cause: reason });
  }
}

/** Cause of a gateway-side `UPSTREAM_RATE_LIMITED`: no limiter slot before the deadline, so the upstream was not called. */
export class LimiterRejectionError extends Error {
  override readonly name = 'LimiterRejectionError';
  constructor(
    readonly waitMs: number,
    readonly remainingMs: number,
  ) {
    super(`the next slot is ${waitMs} ms away but only ${remainingMs} ms remain`);
  }
}

/** The public code each internal cause is reported under. */
export const INTERNAL_CAUSE_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  DeadlineExceededError: 'UPSTREAM_TIMEOUT',
  AttemptTimeoutError: 'UPSTREAM_TIMEOUT',
  CallerAbortedError: 'UPSTREAM_TIMEOUT',
  LimiterRejectionError: 'UPSTREAM_RATE_LIMITED',
});
