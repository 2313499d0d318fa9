/**
 * Stage: tells the limiter store when the upstream throttled an attempt the limiter let
 * through (HTTP 429 / `APIGW.0308`: another client of the account, a replica without Redis),
 * so that the operation's adapted rate goes down (src/state/adaptive-rate.ts). It sits right
 * inside the rate-limit stage, so the time it records is when the attempt left the queue.
 * Operations without a limit are not adapted: there is no rate to lower.
 */
import type { RateAdaptation } from '../../state/adaptive-rate';
import type { RateLimiterStore } from '../../state/types';
import { isUpstreamThrottle } from '../classify';
import type { OperationName } from '../models';
import type { Stage } from '../pipeline';

/** What the throttle-feedback stage needs. */
export interface ThrottleFeedbackOptions {
  readonly limiter: RateLimiterStore;
  /** The configured limits by operation (0 or absent = unlimited, not adapted). */
  readonly limits: Readonly<Partial<Record<OperationName, number>>>;
  readonly adaptation: RateAdaptation;
  readonly now: () => number;
}

/** Creates the throttle-feedback stage; src/cdn/upstream.ts places it right inside rate limit. */
export function throttleFeedbackStage(options: ThrottleFeedbackOptions): Stage {
  const { limiter, limits, adaptation, now } = options;
  return (next) => async (req) => {
    const limit = limits[req.operation] ?? 0;
    if (limit <= 0 || !limiter.throttled) return next(req);
    const sentAt = now();
    try {
      return await next(req);
    } catch (error) {
      if (isUpstreamThrottle(error)) {
        // Awaited, so that the retry (and every booking after this) sees the lowered rate; the stores do not throw.
        await limiter.throttled(req.operation, limit, now() - sentAt, adaptation).catch(() => undefined);
      }
      throw error;
    }
  };
}
