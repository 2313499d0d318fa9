/**
 * Stage: queues each attempt until the operation's quota has room, instead of sending it into
 * a 429. At most `limit` attempts of an operation start in any window of `windowMs` (one
 * second plus a margin for network jitter), across replicas when the limiter store is shared.
 * An attempt whose slot lies past its deadline fails at once with `UPSTREAM_RATE_LIMITED` and
 * the wait as `retryAfterMs`. It runs inside retry, so retries spend quota through it too.
 */
import { GatewayError, LimiterRejectionError } from '../../errors';
import type { RateLimiterStore } from '../../state/types';
import { classifyFailure, OPERATION_LABELS } from '../classify';
import type { OperationName } from '../models';
import type { Stage, UpstreamRequest } from '../pipeline';
import { sleep } from '../sleep';

/** Options of the rate-limit stage. */
export interface RateLimitStageOptions {
  readonly limiter: RateLimiterStore;
  /** Attempts per window by operation; 0 or absent = unlimited. */
  readonly limits: Readonly<Partial<Record<OperationName, number>>>;
  /** The window the limits apply to: one second plus a margin for jitter between here and the upstream. @default 1200 */
  readonly windowMs?: number;
  /** Least time an attempt must have left after its wait to be worth sending. @default 50 */
  readonly minRunMs?: number;
  readonly now: () => number;
  /** Called when an attempt must wait for a slot (`waitMs` > 0), before it waits. */
  readonly onQueued?: (req: UpstreamRequest, waitMs: number) => void;
  /** Called when an admitted attempt starts, after its wait (0 when it did not wait) or after it gave up waiting. */
  readonly onDequeued?: (req: UpstreamRequest, waitMs: number) => void;
  /** Called when an attempt is refused because its slot lies past its deadline. */
  readonly onRejected?: (req: UpstreamRequest, waitMs: number) => void;
}

/** Creates the rate-limit stage; src/cdn/upstream.ts places it inside retry. */
export function rateLimitStage(options: RateLimitStageOptions): Stage {
  const { limiter, limits, now } = options;
  const windowMs = options.windowMs ?? 1200;
  const minRunMs = options.minRunMs ?? 50;
  return (next) => async (req) => {
    const limit = limits[req.operation] ?? 0;
    if (limit <= 0) return next(req);
    const remainingMs = req.deadline - now();
    const slot = await limiter.reserve(req.operation, limit, windowMs, remainingMs - minRunMs);
    if (!slot.granted) {
      options.onRejected?.(req, slot.waitMs);
      throw rateLimited(req, limit, windowMs, slot.waitMs, remainingMs);
    }
    if (slot.waitMs > 0) {
      options.onQueued?.(req, slot.waitMs);
      try {
        await sleep(slot.waitMs, req.signal);
      } catch (reason) {
        throw classifyFailure(req, reason);
      } finally {
        options.onDequeued?.(req, slot.waitMs);
      }
    } else {
      options.onDequeued?.(req, 0);
    }
    return next(req);
  };
}

// The error of an attempt that cannot start before its deadline.
function rateLimited(req: UpstreamRequest, limit: number, windowMs: number, waitMs: number, remainingMs: number): GatewayError {
  const left = Math.max(0, remainingMs);
  return new GatewayError(
    'UPSTREAM_RATE_LIMITED',
    `${OPERATION_LABELS[req.operation]} was not sent: the tenant quota (${limit} calls per ${windowMs} ms) is taken for the next ` +
      `${waitMs} ms, and the request has ${left} ms left; retry after ${waitMs} ms or give the request a longer deadline.`,
    { retryAfterMs: waitMs, retryable: false, cause: new LimiterRejectionError(waitMs, left) },
  );
}
