/**
 * Stage: repeats failed attempts that may succeed next time, with full-jitter backoff or the
 * upstream's `Retry-After`, within the attempt limit, the shared retry budget and the call's
 * deadline. A throttle (429) without `Retry-After` is waited out until the upstream's next
 * window, never repeated within the same second. A wait that would pass the deadline fails the
 * call at once, saying when to retry. A POST is repeated only when it provably never left
 * (connection refused).
 */
import { GatewayError } from '../../errors';
import type { BackoffOptions } from '../backoff';
import { retryDelay, waitFloor } from '../backoff';
import { classifyFailure, failedBeforeSending, isUpstreamThrottle } from '../classify';
import type { Stage } from '../pipeline';
import type { RetryBudget } from '../retry-budget';
import { sleep } from '../sleep';

/** Retry limits. */
export interface RetryPolicy extends BackoffOptions {
  /** Attempts per call, the first included. */
  readonly maxAttempts: number;
  /** Least wait after a throttle without `Retry-After` (the upstream's window). @default 1000 */
  readonly throttleWaitMs?: number;
}

/** What the retry stage needs. */
export interface RetryStageOptions {
  readonly policy: RetryPolicy;
  readonly budget: RetryBudget;
  readonly now: () => number;
  readonly random: () => number;
}

// A body that is not JSON is usually a cut-off response: worth one more try, not more.
const MAX_BAD_RESPONSE_RETRIES = 1;

/** Decides whether attempt number `attempt` (1-based), which failed with `error`, may be repeated. */
export function shouldRetry(
  error: GatewayError,
  method: 'GET' | 'POST',
  attempt: number,
  maxAttempts: number,
  badResponseRetries = 0,
): boolean {
  if (attempt >= maxAttempts) return false;
  // A POST that may have reached the upstream could create a second task: never repeat it.
  if (method === 'POST') return failedBeforeSending(error);
  if (!error.retryable) return false;
  return error.code !== 'UPSTREAM_BAD_RESPONSE' || badResponseRetries < MAX_BAD_RESPONSE_RETRIES;
}

/** Tells whether waiting `waitMs` from `nowMs` leaves the deadline behind (then the call fails now instead). */
export function waitPassesDeadline(nowMs: number, waitMs: number, deadline: number): boolean {
  return nowMs + waitMs >= deadline;
}

/** Creates the retry stage. It must wrap the sign stage so each attempt is signed afresh. */
export function retryStage(opts: RetryStageOptions): Stage {
  const { policy, budget, now, random } = opts;
  return (next) => async (req) => {
    budget.recordCall();
    let badResponseRetries = 0;
    for (let attempt = 1; ; attempt++) {
      let error: GatewayError;
      try {
        return await next({ ...req, attempt });
      } catch (e) {
        if (!(e instanceof GatewayError)) throw e;
        error = e;
      }
      if (!shouldRetry(error, req.method, attempt, policy.maxAttempts, badResponseRetries)) throw withAttempts(error, attempt);
      const floorMs = waitFloor(error.retryAfterMs, isUpstreamThrottle(error), policy.throttleWaitMs ?? 1000);
      const waitMs = retryDelay(attempt, policy, random, floorMs);
      if (waitPassesDeadline(now(), waitMs, req.deadline)) {
        // The upstream said nothing of when: the next window is when (a Retry-After is in the message already).
        const when = error.retryAfterMs === undefined && floorMs !== undefined ? `; retry after ${floorMs} ms` : '';
        throw withAttempts(error, attempt, `not retried: waiting ${waitMs} ms would pass the deadline${when}`, floorMs);
      }
      if (req.signal?.aborted) throw withAttempts(error, attempt);
      if (!budget.tryRetry()) throw withAttempts(error, attempt, 'not retried: the retry budget is spent, the upstream has been failing');
      if (error.code === 'UPSTREAM_BAD_RESPONSE') badResponseRetries++;
      try {
        await sleep(waitMs, req.signal);
      } catch (reason) {
        throw classifyFailure(req, reason);
      }
    }
  };
}

// Notes in the message how many attempts were made (when more than one) and why retrying stopped early.
// `retryAfterMs` replaces the error's when the stage knows when a retry may succeed.
function withAttempts(error: GatewayError, attempts: number, why?: string, retryAfterMs = error.retryAfterMs): GatewayError {
  const notes = [attempts > 1 ? `gave up after ${attempts} attempts` : undefined, why].filter((n) => n !== undefined);
  if (notes.length === 0) return error;
  return new GatewayError(error.code, `${error.message} (${notes.join('; ')})`, {
    upstream: error.upstream,
    retryAfterMs,
    retryable: error.retryable,
    cause: error.cause,
  });
}
