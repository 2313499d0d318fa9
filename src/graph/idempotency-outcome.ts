/**
 * How an idempotent call's finished outcome is stored (src/state IdempotencyStore keeps text, in
 * memory or in Redis for other replicas): a value as JSON, an error as what a client is shown of a
 * catalogue error (code, message, upstream context, retry-after). Anything else thrown is stored
 * as INTERNAL_SERVER_ERROR with the catalogue's message: its details are in the first call's log.
 */
import { ERROR_CODES, GatewayError, type ErrorCode, type UpstreamInfo } from '../errors';

/** A finished outcome: the call's value or its error. */
export type StoredOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

// The stored form of an error.
interface StoredError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly upstream?: UpstreamInfo;
  readonly retryAfterMs?: number;
  readonly retryable?: boolean;
}

/** Encodes an outcome for the store. Pure. */
export function encodeOutcome(outcome: StoredOutcome<unknown>): string {
  if (outcome.ok) return JSON.stringify({ ok: true, value: outcome.value });
  const { error } = outcome;
  const stored: StoredError =
    error instanceof GatewayError
      ? {
          code: error.code,
          message: error.message,
          ...(error.upstream ? { upstream: error.upstream } : {}),
          ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
          ...(error.retryable ? { retryable: true } : {}),
        }
      : { code: 'INTERNAL_SERVER_ERROR', message: ERROR_CODES.INTERNAL_SERVER_ERROR };
  return JSON.stringify({ ok: false, error: stored });
}

/** Decodes a stored outcome; text it cannot read decodes to an INTERNAL_SERVER_ERROR saying so (never to a value). Pure. */
export function decodeOutcome<T>(text: string | undefined): StoredOutcome<T> {
  let parsed: unknown;
  try {
    parsed = text === undefined ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const v = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (v.ok === true) return { ok: true, value: v.value as T };
  const e = (typeof v.error === 'object' && v.error !== null ? v.error : {}) as Record<string, unknown>;
  if (v.ok === false && typeof e.code === 'string' && Object.hasOwn(ERROR_CODES, e.code) && typeof e.message === 'string') {
    return {
      ok: false,
      error: new GatewayError(e.code as ErrorCode, e.message, {
        ...(isUpstream(e.upstream) ? { upstream: e.upstream } : {}),
        ...(typeof e.retryAfterMs === 'number' ? { retryAfterMs: e.retryAfterMs } : {}),
        ...(e.retryable === true ? { retryable: true } : {}),
      }),
    };
  }
  return { ok: false, error: new GatewayError('INTERNAL_SERVER_ERROR', 'The stored outcome of the earlier call with this idempotencyKey cannot be read.') };
}

// Tells whether a stored value has the shape of UpstreamInfo.
function isUpstream(value: unknown): value is UpstreamInfo {
  if (typeof value !== 'object' || value === null) return false;
  const u = value as Record<string, unknown>;
  return (
    typeof u.status === 'number' &&
    (u.code === undefined || typeof u.code === 'string') &&
    (u.message === undefined || typeof u.message === 'string') &&
    (u.requestId === undefined || typeof u.requestId === 'string')
  );
}
