/**
 * The names of the span attributes the gateway sets, in one place (docs/tracing.md lists them
 * with their meaning). Standard names (OpenTelemetry semantic conventions) where one exists;
 * the gateway's own under `gateway.` (the request) and `cdn.` (upstream calls and attempts).
 * Plain strings: importing this loads no OpenTelemetry package.
 */

/** Attribute names, by what they describe. */
export const ATTR = {
  // The GraphQL request (its server span).
  HTTP_METHOD: 'http.request.method',
  HTTP_ROUTE: 'http.route',
  HTTP_STATUS: 'http.response.status_code',
  URL_PATH: 'url.path',
  GRAPHQL_OPERATION_NAME: 'graphql.operation.name',
  GRAPHQL_OPERATION_TYPE: 'graphql.operation.type',
  /** The gateway's request id (logs, `extensions.requestId`, `x-request-id`). */
  REQUEST_ID: 'gateway.request_id',
  /** `extensions.code` of each error the answer carried, in order. */
  ERROR_CODES: 'gateway.error_codes',
  /** The client went away before the answer was complete. */
  ABORTED: 'gateway.aborted',
  // An upstream call and its attempts.
  /** The CDN operation: url-tasks, historytasks, detail, refresh, preheat. */
  OPERATION: 'cdn.operation',
  /** The path template of the operation, e.g. `/v1.0/cdn/historytasks/{id}/detail`. */
  URL_TEMPLATE: 'url.template',
  /** `ok`, or the catalogue code the call or attempt failed with. */
  OUTCOME: 'cdn.outcome',
  /** Attempts the call made so far (the last attempt's number). */
  ATTEMPTS: 'cdn.attempts',
  /** This attempt's number, 1 for the first. */
  ATTEMPT: 'cdn.attempt',
  /** The upstream's `X-request-id` of the answer. */
  UPSTREAM_REQUEST_ID: 'cdn.upstream.request_id',
  /** Huawei's `error_code` of a failed attempt, when it sent one. */
  UPSTREAM_CODE: 'cdn.upstream.error_code',
  /** The cache's verdict for the call: `hit`, `miss`, or `unproven` (not looked up: this gateway's credentials are not proven). */
  CACHE: 'cdn.cache',
  /** The call joined an identical call already in flight (which its span links to) instead of going upstream. */
  COALESCED: 'cdn.coalesced',
  /** Time the attempt waited for a rate-limit slot before it was sent, ms. */
  RATE_LIMIT_WAIT_MS: 'cdn.rate_limit.wait_ms',
  /** The call or attempt ended because its caller went away, not because of the upstream. */
  CANCELLED: 'cdn.cancelled',
} as const;
