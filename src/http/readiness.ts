/**
 * Readiness: is the upstream answering signed calls? Any successful upstream answer seen in
 * traffic proves it for `ttlMs`; only when none was seen does a probe make one cheap signed
 * call, and its verdict is kept for `ttlMs` too, so probes cost at most one call per period.
 */
import { CODES, isGatewayError, type ErrorCode } from '../errors';

/** The answer of `/readyz`. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly status: 'ready' | 'unready' | 'shutting-down';
  /** Where the verdict comes from: recent traffic, or the gateway's own probe call. */
  readonly source: 'traffic' | 'probe' | 'shutdown';
  /** When the verdict was established (ISO-8601). */
  readonly checkedAt: string;
  /** The catalogue code of the failed probe. */
  readonly code?: ErrorCode;
}

/** Options of `createReadiness`. */
export interface ReadinessOptions {
  /** Makes one cheap signed upstream call; resolves when the upstream answered it. */
  readonly probe: (deadline: number) => Promise<unknown>;
  /** How long a verdict holds. */
  readonly ttlMs: number;
  /** Deadline of a probe call. */
  readonly probeTimeoutMs: number;
  /** When the last successful upstream answer arrived in traffic (epoch ms), if any. */
  readonly lastSuccessAt?: () => number | undefined;
  readonly now?: () => number;
}

/** The readiness check of a gateway. */
export interface Readiness {
  /** Returns the current verdict, probing the upstream only when no verdict is fresh. */
  check(): Promise<ReadinessReport>;
  /** Makes every later check answer `shutting-down`, so load balancers stop sending traffic. */
  markShuttingDown(): void;
}

/** Creates a readiness check. */
export function createReadiness(options: ReadinessOptions): Readiness {
  const now = options.now ?? Date.now;
  let shuttingDown = false;
  let cached: { report: ReadinessReport; at: number } | undefined;
  let inFlight: Promise<ReadinessReport> | undefined;

  const probe = async (): Promise<ReadinessReport> => {
    const started = now();
    try {
      await options.probe(started + options.probeTimeoutMs);
      return { ready: true, status: 'ready', source: 'probe', checkedAt: new Date(started).toISOString() };
    } catch (err) {
      const code: ErrorCode = isGatewayError(err) ? err.code : CODES.INTERNAL_SERVER_ERROR;
      // Throttled means reachable and busy: taking every replica out of rotation would only make it worse.
      const ready = code === CODES.UPSTREAM_RATE_LIMITED;
      return { ready, status: ready ? 'ready' : 'unready', source: 'probe', checkedAt: new Date(started).toISOString(), code };
    }
  };

  return {
    async check() {
      const at = now();
      if (shuttingDown) return { ready: false, status: 'shutting-down', source: 'shutdown', checkedAt: new Date(at).toISOString() };
      const seen = options.lastSuccessAt?.();
      if (seen !== undefined && at - seen < options.ttlMs && (cached === undefined || seen >= cached.at)) {
        return { ready: true, status: 'ready', source: 'traffic', checkedAt: new Date(seen).toISOString() };
      }
      if (cached && at - cached.at < options.ttlMs) return cached.report;
      // Concurrent probes share one upstream call.
      inFlight ??= probe().then((report) => {
        cached = { report, at: now() };
        inFlight = undefined;
        return report;
      });
      return inFlight;
    },
    markShuttingDown() {
      shuttingDown = true;
    },
  };
}
