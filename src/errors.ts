/**
 * The one error catalogue. Every failure the gateway reports carries one of these codes;
 * the GraphQL layer maps a `GatewayError` to a `GraphQLError` in exactly one place.
 *
 * Two parts: `ERROR_CODES`, what the gateway raises itself as a `GatewayError`, and
 * `PROTOCOL_ERROR_CODES`, refusals of a request as a whole by the HTTP layer or by Apollo
 * Server. `CLIENT_ERROR_CODES` joins them: every `extensions.code` a client can receive,
 * which README.md's error table lists (test/unit/error-catalogue.test.ts keeps them equal).
 */

/** Stable error codes the gateway raises as `GatewayError`, sent to clients as `extensions.code`. */
export const ERROR_CODES = {
  BAD_USER_INPUT: 'The request arguments are invalid.',
  NOT_FOUND: 'The requested object does not exist.',
  QUOTA_EXCEEDED: 'The CDN daily quota for this operation is used up.',
  IDEMPOTENCY_KEY_IN_USE: 'An earlier call with the same idempotencyKey is still running, possibly on another replica; repeat the call later for its result.',
  UPSTREAM_UNAUTHORIZED: 'The CDN API refused the gateway credentials.',
  UPSTREAM_FORBIDDEN: 'The gateway credentials lack permission for this CDN operation.',
  UPSTREAM_RATE_LIMITED: 'The CDN API rate limit leaves no room before the request deadline.',
  UPSTREAM_TIMEOUT: 'The CDN API did not answer before the deadline.',
  UPSTREAM_UNAVAILABLE: 'The CDN API is unreachable or failing.',
  UPSTREAM_BAD_RESPONSE: 'The CDN API answered with a body the gateway cannot read.',
  UPSTREAM_ERROR: 'The CDN API reported an error.',
  INTERNAL_SERVER_ERROR: 'An internal error occurred.',
} as const;

/** One of the codes the gateway raises as `GatewayError`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Codes of requests refused as a whole, before or instead of execution, by the HTTP layer
 * (src/http) or by Apollo Server (its `ApolloServerErrorCode` values this configuration can
 * produce). Apollo's `PERSISTED_QUERY_NOT_SUPPORTED` is absent: automatic persisted queries
 * stay on (Apollo's default), so it is never sent. `BAD_USER_INPUT` and
 * `INTERNAL_SERVER_ERROR`, which Apollo uses too, are in `ERROR_CODES`.
 */
export const PROTOCOL_ERROR_CODES = {
  UNAUTHENTICATED: 'The caller is not authenticated: caller authentication is on and the API key or JWT is missing or not accepted.',
  BAD_REQUEST: 'The request is not a GraphQL request the gateway accepts: not valid HTTP, bad JSON, blocked as CSRF, wrong method, too large, or a hash not matching its persisted query.',
  GRAPHQL_PARSE_FAILED: 'The document does not parse, or exceeds the token limit.',
  GRAPHQL_VALIDATION_FAILED: 'The document does not match the schema, or exceeds the depth, alias or cost limit.',
  PERSISTED_QUERY_NOT_FOUND: 'The persisted query hash is unknown: send the document with it once.',
  OPERATION_RESOLUTION_FAILURE: 'The operation to run cannot be chosen: the operation name is missing or not in the document.',
} as const;

/** One of the protocol-layer codes. */
export type ProtocolErrorCode = keyof typeof PROTOCOL_ERROR_CODES;

/** Every code the gateway can send as `extensions.code`, with its meaning. */
export const CLIENT_ERROR_CODES: Readonly<Record<ErrorCode | ProtocolErrorCode, string>> = { ...ERROR_CODES, ...PROTOCOL_ERROR_CODES };

/** Any code the gateway can send. */
export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

/** The catalogue's codes by name, for code that sends one: `CODES.BAD_REQUEST` is the string, and a misspelt name does not compile. */
export const CODES = Object.freeze(Object.fromEntries(Object.keys(CLIENT_ERROR_CODES).map((code) => [code, code]))) as { readonly [K in ClientErrorCode]: K };

/** Tells whether a string is a code the gateway can send. */
export function isClientErrorCode(value: unknown): value is ClientErrorCode {
  return typeof value === 'string' && Object.hasOwn(CLIENT_ERROR_CODES, value);
}

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
