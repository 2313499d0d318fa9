/**
 * Stage: bounds one attempt by the per-attempt timeout (UPSTREAM_TIMEOUT_MS) as well as by
 * the call's deadline, so one slow answer leaves time for a retry. Placed inside retry and
 * after the rate limiter, it times the upstream, not the wait for a quota slot. When less
 * than the timeout is left of the call's deadline, the deadline stage's signal is the bound.
 */
import { AttemptTimeoutError } from '../../errors';
import { classifyFailure } from '../classify';
import type { Stage } from '../pipeline';
import { withLinkedSignal } from './linked-signal';

/** Creates the attempt-timeout stage; an attempt cut by it fails with a retryable `UPSTREAM_TIMEOUT`. */
export function attemptTimeoutStage(timeoutMs: number, now: () => number): Stage {
  return (next) => async (req) => {
    // The deadline stage already cuts the attempt at the deadline; only a shorter bound needs a timer.
    if (req.deadline - now() <= timeoutMs) return next(req);
    const outer = req.signal;
    if (outer?.aborted) throw classifyFailure(req, outer.reason);
    // The call's own abort (deadline or caller) passes through with its reason.
    return withLinkedSignal(outer, timeoutMs, () => new AttemptTimeoutError(timeoutMs), (reason) => reason, (signal) => next({ ...req, signal }));
  };
}
