/**
 * Huawei's three error shapes (UPSTREAM.md §5): the API Gateway one (`error_msg`,
 * `error_code`, `request_id`), the top-level 400 one, and a business error inside a 200.
 */
import { AKSK_FAILURE_MESSAGE } from './auth';

/** An answer of the CDN API: an HTTP status and a JSON body. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** The unknown-API message. */
export const NOT_FOUND_MESSAGE = 'The API does not exist or has not been published in the environment';

/** Returns the throttling message with the limit that was hit. */
export function throttlingMessage(limit: number): string {
  return `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 second`;
}

/** Builds an API Gateway error answer. */
export function gatewayError(status: number, code: string, message: string, requestId: string): ApiAnswer {
  return { status, body: { error_msg: message, error_code: code, request_id: requestId } };
}

/** Builds a 400 CDN.0001 answer naming the parameter and the rule. */
export function badRequest(message: string): ApiAnswer {
  return { status: 400, body: { error_code: 'CDN.0001', error_msg: message } };
}

/** Builds a business error: HTTP 200 with `{"error": {...}}`. */
export function businessError(code: string, message: string): ApiAnswer {
  return { status: 200, body: { error: { error_code: code, error_msg: message } } };
}

/** Returns the gateway error code and message API Gateway uses for an HTTP error status. */
export function gatewayErrorFor(status: number): { code: string; message: string } {
  if (status === 401) return { code: 'APIGW.0301', message: AKSK_FAILURE_MESSAGE };
  if (status === 403) return { code: 'APIGW.0302', message: 'The IAM user is forbidden in the currently selected region' };
  if (status === 404) return { code: 'APIGW.0101', message: NOT_FOUND_MESSAGE };
  if (status === 429) return { code: 'APIGW.0308', message: throttlingMessage(5) };
  if (status === 500) return { code: 'CDN.0000', message: 'Internal server error.' };
  if (status === 502 || status === 503) return { code: 'APIGW.0201', message: 'Backend unavailable' };
  if (status === 504) return { code: 'APIGW.0201', message: 'Backend timeout' };
  return { code: 'APIGW.0601', message: 'Internal server error' };
}
