/**
 * Retry timing, as pure arithmetic: exponential backoff with full jitter, and the wait that
 * honours an upstream `Retry-After`, or the upstream's next window after a throttle without one.
 */

/** Backoff bounds in milliseconds. */
export interface BackoffOptions {
  /** Ceiling of the first retry's wait. */
  readonly baseDelayMs: number;
  /** Ceiling of any retry's jittered wait. */
  readonly maxDelayMs: number;
}

/** Returns the ceiling of the wait before retry number `retry` (1-based): `min(max, base * 2^(retry-1))`. */
export function backoffCeiling(retry: number, opts: BackoffOptions): number {
  const exponent = Math.max(0, retry - 1);
  // 2^exponent overflows to Infinity long before it matters; min() keeps it finite.
  return Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** exponent);
}

/** Returns a "full jitter" wait for retry number `retry`: uniform in `[0, ceiling)`, `random` returning `[0, 1)`. */
export function fullJitterDelay(retry: number, opts: BackoffOptions, random: () => number): number {
  return Math.floor(random() * backoffCeiling(retry, opts));
}

/**
 * Returns the wait before retry number `retry`. With a `Retry-After` the wait is at least that
 * long; the jitter on top keeps callers throttled together from returning together.
 */
export function retryDelay(retry: number, opts: BackoffOptions, random: () => number, retryAfterMs?: number): number {
  const jitter = fullJitterDelay(retry, opts, random);
  return retryAfterMs === undefined ? jitter : retryAfterMs + jitter;
}

/**
 * Returns the least wait before repeating a failed attempt: the upstream's `Retry-After` when it
 * sent one; after a throttle (429) without one, `throttleWaitMs` (its next one-second window:
 * repeating sooner meets the same full window); otherwise none, plain backoff.
 */
export function waitFloor(retryAfterMs: number | undefined, throttled: boolean, throttleWaitMs: number): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs;
  return throttled ? throttleWaitMs : undefined;
}
