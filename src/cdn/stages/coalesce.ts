/**
 * Stage: identical GETs in flight at the same time share one upstream call and its response.
 *
 * The shared call runs with the first caller's deadline and request id. Every caller waits
 * under its own deadline and signal: one that gives up stops waiting without cancelling the
 * call for the others; the call is cancelled only when every caller has gone. A caller whose
 * deadline is much later than the shared call's (`rerunGainMs`) and that sees it fail for lack
 * of time (its deadline passed, or the limiter had no slot before it) runs the call itself.
 */
import type { SpanContext } from '@opentelemetry/api';
import { CallerAbortedError, DeadlineExceededError, GatewayError, LimiterRejectionError } from '../../errors';
import { classifyFailure } from '../classify';
import type { Stage, UpstreamRequest, UpstreamResponse } from '../pipeline';
import { requestKey } from './request-key';
import { activeCallSpan, noteJoined } from './trace';

/** Options of the coalesce stage. */
export interface CoalesceStageOptions {
  readonly now: () => number;
  /** How much later a caller's deadline must be for it to re-run a shared call that ran out of time. @default 1000 */
  readonly rerunGainMs?: number;
  /** Called when a call starts a shared upstream call. */
  readonly onLead?: (req: UpstreamRequest) => void;
  /** Called when a call joins one already in flight (a coalesced call). */
  readonly onJoin?: (req: UpstreamRequest) => void;
}

// One shared upstream call and how many callers still wait for it.
interface Flight {
  readonly deadline: number;
  readonly controller: AbortController;
  readonly promise: Promise<UpstreamResponse>;
  waiters: number;
  settled: boolean;
  /** The span of the call that started it, which joiners' spans link to (tracing on). */
  readonly span: SpanContext | undefined;
}

// setTimeout fires at once past 2^31-1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Creates the coalesce stage (outermost: it keys on the request before anything else runs). */
export function coalesceStage(options: CoalesceStageOptions): Stage {
  const { now } = options;
  const rerunGainMs = options.rerunGainMs ?? 1000;
  return (next) => {
    const flights = new Map<string, Flight>();

    // Starts the shared call with a signal of its own, so no single caller can cancel it.
    const start = (key: string, req: UpstreamRequest): Flight => {
      const controller = new AbortController();
      const promise = next({ ...req, signal: controller.signal }).finally(() => {
        flight.settled = true;
        if (flights.get(key) === flight) flights.delete(key);
      });
      const flight: Flight = { deadline: req.deadline, controller, promise, waiters: 0, settled: false, span: activeCallSpan() };
      // When every caller has left, nobody reads the outcome: keep it from being an unhandled rejection.
      promise.catch(() => undefined);
      flights.set(key, flight);
      return flight;
    };

    const handle = async (req: UpstreamRequest): Promise<UpstreamResponse> => {
      if (req.method !== 'GET') return next(req);
      const key = requestKey(req);
      const existing = flights.get(key);
      const flight = existing ?? start(key, req);
      if (existing) {
        noteJoined(existing.span);
        options.onJoin?.(req);
      } else options.onLead?.(req);
      flight.waiters++;
      try {
        return await waitFor(flight.promise, req, now);
      } catch (e) {
        if (existing && ranOutOfTime(e) && req.deadline - flight.deadline >= rerunGainMs && now() < req.deadline && !req.signal?.aborted) {
          return handle(req);
        }
        throw e;
      } finally {
        flight.waiters--;
        if (flight.waiters === 0 && !flight.settled) {
          if (flights.get(key) === flight) flights.delete(key);
          flight.controller.abort(new CallerAbortedError('every caller of the shared call went away'));
        }
      }
    };
    return handle;
  };
}

/** Tells whether a shared call failed for lack of time rather than because of the upstream. */
export function ranOutOfTime(error: unknown): boolean {
  if (!(error instanceof GatewayError)) return false;
  return (
    (error.code === 'UPSTREAM_TIMEOUT' && error.cause instanceof DeadlineExceededError) ||
    (error.code === 'UPSTREAM_RATE_LIMITED' && error.cause instanceof LimiterRejectionError)
  );
}

// Waits for the shared outcome under this caller's own deadline and signal.
function waitFor(shared: Promise<UpstreamResponse>, req: UpstreamRequest, now: () => number): Promise<UpstreamResponse> {
  const budgetMs = req.deadline - now();
  if (budgetMs <= 0) return Promise.reject(classifyFailure(req, new DeadlineExceededError(0)));
  const signal = req.signal;
  if (signal?.aborted) return Promise.reject(classifyFailure(req, new CallerAbortedError(signal.reason)));
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      done();
      reject(classifyFailure(req, new CallerAbortedError(signal?.reason)));
    };
    const timer = setTimeout(() => {
      done();
      reject(classifyFailure(req, new DeadlineExceededError(budgetMs)));
    }, Math.min(budgetMs, MAX_TIMER_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (res) => {
        done();
        resolve(res);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}
