/** Stage: reports every attempt to an `onEvent` hook (logs, metrics) without ever passing credentials. */
import { CallerAbortedError, GatewayError } from '../../errors';
import type { UpstreamEvent } from '../options';
import type { Stage } from '../pipeline';

/** Creates the observe stage; placed inside retry, it sees each attempt once. A throwing hook is ignored. */
export function observeStage(onEvent: (event: UpstreamEvent) => void, now: () => number): Stage {
  const emit = (event: UpstreamEvent): void => {
    try {
      onEvent(event);
    } catch {
      // A broken log or metrics hook must not fail the call.
    }
  };
  return (next) => async (req) => {
    const started = now();
    const base = { operation: req.operation, method: req.method, attempt: req.attempt ?? 1, requestId: req.requestId };
    try {
      const res = await next(req);
      emit({ ...base, status: res.status, outcome: 'ok', durationMs: now() - started, upstreamRequestId: res.requestId });
      return res;
    } catch (e) {
      const error = e instanceof GatewayError ? e : undefined;
      emit({
        ...base,
        status: error?.upstream?.status ?? 0,
        outcome: error?.code ?? 'INTERNAL_SERVER_ERROR',
        durationMs: now() - started,
        upstreamRequestId: error?.upstream?.requestId,
        ...(error?.upstream?.code === undefined ? {} : { upstreamCode: error.upstream.code }),
        ...(error?.cause instanceof CallerAbortedError ? { cancelled: true } : {}),
      });
      throw e;
    }
  };
}
