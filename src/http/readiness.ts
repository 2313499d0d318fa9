/**
 * Readiness: is the upstream answering the gateway's signed calls, operation by operation?
 * Each checked operation (url-tasks, the gateway's main job, and historytasks, which stands
 * for the enterprise-project-scoped APIs) is ready when a successful upstream answer of that
 * operation was seen in traffic within `ttlMs`; only when none was seen does a probe make one
 * cheap signed call of it, and its verdict is kept for `ttlMs` too, so probes cost at most one
 * call per operation per period however often `/readyz` is asked (concurrent checks share it).
 * The report also says where the shared state lives and which of its parts fall back to this
 * replica's memory (Redis unreachable): degraded, but still serving, so still ready.
 */
import { CODES, isGatewayError, type ErrorCode } from '../errors';
import type { OperationName } from '../cdn/operations';
import type { SharedPart, SharedStateStatus } from '../state/types';

/** The verdict on one checked operation. */
export interface ReadinessCheck {
  readonly operation: OperationName;
  readonly ready: boolean;
  /** Where the verdict comes from: recent traffic of this operation, or the gateway's own probe call. */
  readonly source: 'traffic' | 'probe';
  /** When the verdict was established (ISO-8601). */
  readonly checkedAt: string;
  /** The catalogue code of the failed (or throttled) probe. */
  readonly code?: ErrorCode;
  /** What went wrong and what to do, from the error of the failed probe. */
  readonly message?: string;
}

/** Where the shared state lives, in the answer of `/readyz`. */
export interface SharedStateReport {
  /** `redis` with REDIS_URL, else `memory`. */
  readonly store: 'memory' | 'redis';
  /** True while parts Redis should share serve from this replica's memory (Redis unreachable or failing). */
  readonly degraded: boolean;
  /** The parts served from this replica's memory: all in memory; with Redis, those falling back. */
  readonly local: readonly SharedPart[];
  /** What the fallback means, while degraded. */
  readonly message?: string;
}

/** The answer of `/readyz`. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly status: 'ready' | 'unready' | 'shutting-down';
  /** Where the verdict comes from: the failing check's source; when ready, `probe` if any check was probed, else `traffic`. */
  readonly source: 'traffic' | 'probe' | 'shutdown';
  /** When the verdict was established (ISO-8601): the oldest of the checks'. */
  readonly checkedAt: string;
  /** The first operation that is not ready. */
  readonly operation?: OperationName;
  /** The catalogue code of the failed probe of `operation`. */
  readonly code?: ErrorCode;
  /** The message of the failed probe of `operation`. */
  readonly message?: string;
  /** The verdict of every checked operation, in the order they were given. */
  readonly checks?: readonly ReadinessCheck[];
  /** Where the shared state lives and what falls back (when the gateway was given its status). */
  readonly sharedState?: SharedStateReport;
}

/** One operation readiness checks: its probe makes one cheap signed call and resolves when the upstream answered it. */
export interface ReadinessProbe {
  readonly operation: OperationName;
  readonly probe: (deadline: number) => Promise<unknown>;
}

/** Options of `createReadiness`. */
export interface ReadinessOptions {
  /** The operations to check, in the order the report names them. */
  readonly probes: readonly ReadinessProbe[];
  /** How long a verdict holds. */
  readonly ttlMs: number;
  /** Deadline of a probe call. */
  readonly probeTimeoutMs: number;
  /** When the last successful upstream answer of an operation arrived in traffic (epoch ms), if any. */
  readonly lastSuccessAt?: (operation: OperationName) => number | undefined;
  /** Where the shared state's parts live right now (read at each check). */
  readonly sharedState?: () => SharedStateStatus;
  readonly now?: () => number;
}

/** The readiness check of a gateway. */
export interface Readiness {
  /** Returns the current verdict, probing an operation only when no verdict on it is fresh. */
  check(): Promise<ReadinessReport>;
  /** Makes every later check answer `shutting-down`, so load balancers stop sending traffic. */
  markShuttingDown(): void;
}

// Said of a probe that failed with something other than a catalogue error (a bug): the details stay out of an unauthenticated route.
const UNEXPECTED_FAILURE = 'The readiness probe failed unexpectedly; see the gateway logs.';

/** Creates a readiness check over the given operations; ready when every one of them is. */
export function createReadiness(options: ReadinessOptions): Readiness {
  const now = options.now ?? Date.now;
  let shuttingDown = false;
  const checkers = options.probes.map((p) => createCheck(p, options, now));

  return {
    async check() {
      const at = now();
      if (shuttingDown) return { ready: false, status: 'shutting-down', source: 'shutdown', checkedAt: new Date(at).toISOString() };
      const checks = await Promise.all(checkers.map((c) => c(at)));
      const verdict = report(checks, at);
      return options.sharedState ? { ...verdict, sharedState: describeSharedState(options.sharedState()) } : verdict;
    },
    markShuttingDown() {
      shuttingDown = true;
    },
  };
}

// Makes the check of one operation: traffic first, then a cached probe verdict, then one shared probe call.
function createCheck(p: ReadinessProbe, options: ReadinessOptions, now: () => number): (at: number) => Promise<ReadinessCheck> {
  let cached: { check: ReadinessCheck; at: number } | undefined;
  let inFlight: Promise<ReadinessCheck> | undefined;

  const probe = async (): Promise<ReadinessCheck> => {
    const started = now();
    const checkedAt = new Date(started).toISOString();
    try {
      await p.probe(started + options.probeTimeoutMs);
      return { operation: p.operation, ready: true, source: 'probe', checkedAt };
    } catch (err) {
      const code: ErrorCode = isGatewayError(err) ? err.code : CODES.INTERNAL_SERVER_ERROR;
      const message = isGatewayError(err) ? err.message : UNEXPECTED_FAILURE;
      // Throttled means reachable and busy: taking every replica out of rotation would only make it worse.
      const ready = code === CODES.UPSTREAM_RATE_LIMITED;
      return { operation: p.operation, ready, source: 'probe', checkedAt, code, message };
    }
  };

  return (at) => {
    const seen = options.lastSuccessAt?.(p.operation);
    // Traffic newer than the probe verdict wins (the probe's own success, seen by the same observer, is not newer).
    if (seen !== undefined && at - seen < options.ttlMs && (cached === undefined || seen > cached.at)) {
      return Promise.resolve({ operation: p.operation, ready: true, source: 'traffic', checkedAt: new Date(seen).toISOString() });
    }
    if (cached && at - cached.at < options.ttlMs) return Promise.resolve(cached.check);
    // Concurrent checks share one upstream call.
    inFlight ??= probe().then((check) => {
      cached = { check, at: now() };
      inFlight = undefined;
      return check;
    });
    return inFlight;
  };
}

/** Describes the shared state's status for `/readyz`. Pure. */
export function describeSharedState(status: SharedStateStatus): SharedStateReport {
  const degraded = status.kind === 'redis' && status.local.length > 0;
  if (!degraded) return { store: status.kind, degraded, local: status.local };
  return {
    store: status.kind,
    degraded,
    local: status.local,
    message:
      `Redis is unreachable or failing: ${status.local.join(', ')} run on this replica's memory, not shared with other replicas, ` +
      'until it answers again (the gateway keeps serving).',
  };
}

// Joins the checks into the report: ready when all are, naming the first that is not.
function report(checks: readonly ReadinessCheck[], at: number): ReadinessReport {
  const failed = checks.find((c) => !c.ready);
  const oldest = checks.reduce<string | undefined>((min, c) => (min === undefined || c.checkedAt < min ? c.checkedAt : min), undefined);
  const checkedAt = oldest ?? new Date(at).toISOString();
  if (failed) {
    return {
      ready: false,
      status: 'unready',
      source: failed.source,
      checkedAt,
      operation: failed.operation,
      ...(failed.code === undefined ? {} : { code: failed.code }),
      ...(failed.message === undefined ? {} : { message: failed.message }),
      checks,
    };
  }
  const source = checks.some((c) => c.source === 'probe') ? 'probe' : 'traffic';
  return { ready: true, status: 'ready', source, checkedAt, checks };
}
