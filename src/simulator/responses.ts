/**
 * Huawei's error shapes (docs/upstream.md, `## Error shapes`): API Gateway errors (auth,
 * throttling, unknown API) carry `{error_code, error_msg, request_id}`; the CDN service answers
 * with the SDKs' ErrRsp `{"error": {error_code, error_msg}}`, in a 4xx/5xx or inside a 200;
 * only url-tasks documents a top-level `{error_code, error_msg}` for its 400.
 */
import type { OperationName } from '../cdn/models';
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

/** Builds a CDN service error in the ErrRsp shape `{"error": {...}}` (model_err_rsp.go). */
export function cdnError(status: number, code: string, message: string): ApiAnswer {
  return { status, body: { error: { error_code: code, error_msg: message } } };
}

/** Builds a business error: HTTP 200 with `{"error": {...}}`. */
export function businessError(code: string, message: string): ApiAnswer {
  return cdnError(200, code, message);
}

/** Builds an operation's 400 CDN.0001: top-level for url-tasks (its documented 400), ErrRsp elsewhere. */
export function badRequest(operation: OperationName, message: string): ApiAnswer {
  if (operation === 'url-tasks') return { status: 400, body: { error_code: 'CDN.0001', error_msg: message } };
  return cdnError(400, 'CDN.0001', message);
}

/**
 * Builds an injected HTTP error: CDN service codes in the ErrRsp shape, API Gateway codes in the
 * gateway one. `override` replaces the code and message (the shape stays the status's).
 */
export function injectedError(status: number, requestId: string, override: { readonly code?: string; readonly message?: string } = {}): ApiAnswer {
  const usual = gatewayErrorFor(status);
  const code = override.code ?? usual.code;
  const message = override.message ?? usual.message;
  return usual.code.startsWith('CDN.') ? cdnError(status, code, message) : gatewayError(status, code, message, requestId);
}

/** Returns the error code and message Huawei uses for an HTTP error status. */
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
