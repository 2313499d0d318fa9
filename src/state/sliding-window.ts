/**
 * Sliding-window slot arithmetic, shared by the memory limiter and (as Lua) the Redis one.
 * Starts are reserved in non-decreasing order, so a start is allowed once the `limit`-th most
 * recent one has left the window: no `windowMs` window ever holds more than `limit` starts,
 * unlike a token bucket, which lets 2×rate through in a window straddling a refill.
 */

/**
 * Returns the earliest start at or after `nowMs` for one more call, given the most recent
 * reserved starts (newest first, at least the last `limit`). Pure.
 */
export function nextStart(recentNewestFirst: readonly number[], limit: number, windowMs: number, nowMs: number): number {
  let start = nowMs;
  const newest = recentNewestFirst[0];
  // Keeps the order non-decreasing even after the limit was changed between calls.
  if (newest !== undefined && newest > start) start = newest;
  const limitTh = recentNewestFirst[limit - 1];
  if (limitTh !== undefined && limitTh + windowMs > start) start = limitTh + windowMs;
  return start;
}

/** Tells whether a wait is acceptable: no wait always is (the deadline is not the limiter's business then). */
export function waitAllowed(waitMs: number, maxWaitMs: number): boolean {
  return waitMs <= 0 || waitMs <= maxWaitMs;
}
