/**
 * Watches upstream attempts (the CDN client's `onEvent`): logs each with the upstream
 * `X-request-id`, feeds the metrics, and remembers the last success for readiness.
 */
import { UNKNOWN_TASK_CODE } from '../cdn/classify';
import type { OperationName } from '../cdn/operations';
import type { UpstreamEvent } from '../cdn/options';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';

/** The observer of upstream attempts. */
export interface UpstreamObserver {
  /** Pass as `createCdnClient({ onEvent })`. */
  readonly onEvent: (event: UpstreamEvent) => void;
  /** When the last successful upstream answer (of `operation`, when given) arrived (epoch ms), if any. */
  lastSuccessAt(operation?: OperationName): number | undefined;
}

/** Creates an upstream observer logging to `logger` and counting into `metrics`. */
export function createUpstreamObserver(logger: Logger, metrics?: Metrics, now: () => number = Date.now): UpstreamObserver {
  let lastSuccess: number | undefined;
  // Readiness judges each operation on its own successes: a working historytasks says nothing of url-tasks.
  const lastSuccessBy = new Map<OperationName, number>();
  return {
    onEvent(event) {
      metrics?.observeUpstream(event);
      if (event.outcome === 'ok') {
        lastSuccess = now();
        lastSuccessBy.set(event.operation, lastSuccess);
      }
      const fields = {
        requestId: event.requestId,
        upstream: {
          operation: event.operation,
          method: event.method,
          attempt: event.attempt,
          status: event.status,
          outcome: event.outcome,
          durationMs: Math.round(event.durationMs),
          requestId: event.upstreamRequestId,
        },
      };
      // Upstream calls are bounded by the tenant's quota (tens per second), so each gets a line. Only failures of the
      // upstream warn: an attempt its caller abandoned says nothing of the upstream (and a flood of abandoned requests
      // must not turn into a flood of warnings), and "no such task" is an answer (the lookup returns null).
      if (event.outcome === 'ok') logger.info(fields, 'upstream call');
      else if (event.cancelled) logger.debug(fields, 'upstream call cancelled: its caller went away');
      else if (event.outcome === 'UPSTREAM_ERROR' && event.upstreamCode === UNKNOWN_TASK_CODE) logger.info(fields, 'upstream call: no such task');
      else logger.warn(fields, `upstream call failed: ${event.outcome}`);
    },
    lastSuccessAt: (operation) => (operation === undefined ? lastSuccess : lastSuccessBy.get(operation)),
  };
}
