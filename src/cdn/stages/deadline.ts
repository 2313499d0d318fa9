/** Stage: gives the call one abort signal that fires at its deadline or when the caller aborts. */
import { classifyFailure } from '../classify';
import { CallerAbortedError, DeadlineExceededError } from '../../errors';
import type { Stage } from '../pipeline';
import { withLinkedSignal } from './linked-signal';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Creates the deadline stage; everything inside it (retries and waits included) is cut off at `req.deadline`. */
export function deadlineStage(now: () => number): Stage {
  return (next) => async (req) => {
    const budgetMs = req.deadline - now();
    if (budgetMs <= 0) throw classifyFailure(req, new DeadlineExceededError(Math.max(0, budgetMs)));
    if (req.signal?.aborted) throw classifyFailure(req, new CallerAbortedError(req.signal.reason));
    // setTimeout fires at once for delays past 2^31-1 ms; a deadline further away is cut at ~24.8 days instead.
    return withLinkedSignal(
      req.signal,
      Math.min(budgetMs, MAX_TIMER_MS),
      () => new DeadlineExceededError(budgetMs),
      (reason) => new CallerAbortedError(reason),
      (signal) => next({ ...req, signal }),
    );
  };
}
