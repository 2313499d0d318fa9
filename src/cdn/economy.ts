/**
 * The upstream economy (docs/architecture.md, Upstream pipeline): coalescing, a short-lived
 * cache that creates invalidate (list generations), and a per-operation rate limiter, with
 * their shared state and counters. This module
 * makes the stages; src/cdn/upstream.ts puts them in the one stage list.
 *
 * Cache and quota (and the create mutations' idempotency records, which the gateway takes from
 * `state`) live in memory, or in Redis with `redisUrl` so that replicas share them.
 * `metrics()` returns counters for the metrics endpoint; `onEvent` reports as things happen.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { createSharedState, type SharedPart, type SharedState, type StateComponent } from '../state/index';
import type { MemoryCacheStore } from '../state/memory';
import type { PollerCoordination } from '../state/types';
import { freshnessTtl, type FreshnessPolicy } from './freshness';
import { defaultRateLimits, OPERATION_NAMES, type OperationName } from './operations';
import type { Stage, UpstreamRequest } from './pipeline';
import { cacheStage, createAttemptClock } from './stages/cache';
import { coalesceStage } from './stages/coalesce';
import { generationStage } from './stages/generation';
import { createCredentialsProof } from './stages/credentials';
import { rateLimitStage } from './stages/rate-limit';
import { throttleFeedbackStage } from './stages/throttle-feedback';
import { DEFAULT_DECREASE, effectiveLimit, type RateAdaptation } from '../state/adaptive-rate';

/** The upstream's per-tenant limits, calls per second (from the table in src/cdn/operations.ts). */
export const HUAWEI_RATE_LIMITS: Readonly<Record<OperationName, number>> = Object.freeze(defaultRateLimits());

const OPERATIONS = OPERATION_NAMES;

/** Default freshness of settled answers (CACHE_SETTLED_TTL_MS): 10 minutes. */
export const DEFAULT_SETTLED_TTL_MS = 600_000;

/** Options of `createEconomy`; every field optional. */
export interface EconomyOptions {
  /** Staleness bound of cached responses in ms; 0 disables the cache. @default 2000 */
  readonly cacheTtlMs?: number;
  /**
   * Freshness of answers that can no longer change, and the bound of past ranges' (the tiers of
   * src/cdn/freshness.ts); at most `cacheTtlMs` gives every answer `cacheTtlMs`. @default 600000 (10 minutes)
   */
  readonly cacheSettledTtlMs?: number;
  /** Byte bound of the memory cache. @default 33554432 (32 MiB) */
  readonly cacheMaxBytes?: number;
  /** Calls per second by operation; 0 = unlimited. Missing operations keep Huawei's limits. @default HUAWEI_RATE_LIMITS */
  readonly rateLimits?: Readonly<Partial<Record<OperationName, number>>>;
  /**
   * Added to the one-second window: the limiter spaces dispatches, the upstream counts arrivals, and
   * the two drift apart by event-loop lag and new (TLS) connections. @default 200
   */
  readonly rateLimitMarginMs?: number;
  /**
   * Lowers an operation's limit while the upstream throttles calls the limiter let through, and
   * lets it climb back (docs/architecture.md, Adaptive rate). @default true
   */
  readonly adaptiveRate?: boolean;
  /** Time for an adapted limit to climb back by one call per second. @default 2000 */
  readonly rateRecoveryMs?: number;
  /**
   * Most attempts of one request holding booked quota slots per operation, capped by the
   * operation's limit (docs/architecture.md, Fairness). @default 20
   */
  readonly maxQueuedPerRequest?: number;
  /**
   * Most attempts of one caller, over all its requests, holding booked quota slots per
   * operation, capped by two windows of the operation's limit. @default 40
   */
  readonly maxQueuedPerCaller?: number;
  /**
   * Most booked quota slots not yet due that one caller holds per operation over every replica
   * sharing the Redis limiter (memory ignores it); 0 = no cap across replicas
   * (docs/architecture.md, Fairness, Across replicas). @default 1
   */
  readonly maxQueuedPerCallerShared?: number;
  /** Share cache, quota, idempotency records and task pollers through this Redis. @default memory */
  readonly redisUrl?: string;
  /** Most idempotency outcomes kept in this replica's memory (IDEMPOTENCY_MAX_KEYS). @default 10000 */
  readonly idempotencyMaxKeys?: number;
  /** Names the upstream account (see `quotaScope` in src/cdn/upstream.ts); replicas with the same scope share quota. Hashed into Redis keys. @default '' */
  readonly scope?: string;
  /** Names the credentials (see `credentialScope` in src/cdn/upstream.ts); replicas share cache entries only within one. Hashed into cache keys. @default '' */
  readonly credentialScope?: string;
  /** How long one 2xx answer lets this replica serve cached entries (a 401/403 stops it at once). @default 60000 */
  readonly credentialsProofTtlMs?: number;
  /** Redis command and connect timeouts (tests on a busy machine lengthen them). @default the Redis state's (250 ms, 2 s) */
  readonly redisTimeouts?: { readonly commandTimeoutMs?: number; readonly connectTimeoutMs?: number };
  /** Coalesce identical in-flight GETs. @default true */
  readonly coalesce?: boolean;
  /** Use this shared state instead of creating one (tests). */
  readonly state?: SharedState;
  /** Clock in epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Called for each economy event; exceptions it throws are ignored. */
  readonly onEvent?: (event: EconomyEvent) => void;
}

/** Something the economy did, for logs and metrics. */
export type EconomyEvent =
  | { readonly type: 'cache-hit' | 'cache-miss' | 'coalesced'; readonly operation: OperationName }
  | { readonly type: 'queued' | 'rejected'; readonly operation: OperationName; readonly waitMs: number; readonly caller?: string }
  /** A limited attempt started; `slotsAhead`: slots of its operation served to others between its asking and its start. */
  | { readonly type: 'started'; readonly operation: OperationName; readonly caller?: string; readonly slotsAhead: number }
  | { readonly type: 'state-error'; readonly component: StateComponent; readonly message: string }
  /** Parts of the Redis state now serve from this replica's memory (`local`), or are shared again; once per transition. */
  | { readonly type: 'state-fallback'; readonly parts: readonly SharedPart[]; readonly local: boolean; readonly message?: string };

/** Limiter counters of one operation. */
export interface LimiterMetrics {
  /** Attempts waiting for a slot right now (in this process). */
  readonly queueLength: number;
  /** Attempts that had to wait. */
  readonly queued: number;
  /** Attempts refused because their slot lay past their deadline. */
  readonly rejected: number;
  /** Total and longest wait of the attempts that waited, in ms. */
  readonly waitMsTotal: number;
  readonly waitMsMax: number;
}

/** A snapshot of the economy's counters since start. */
export interface EconomyMetrics {
  readonly state: 'memory' | 'redis';
  readonly cache: {
    readonly hits: number;
    readonly misses: number;
    /** Misses that skipped the lookup because this replica's credentials were not proven (part of `misses`). */
    readonly unprovenMisses: number;
    /** Memory cache only. */
    readonly entries?: number;
    readonly bytes?: number;
  };
  readonly coalesce: {
    /** Calls that went on to the cache or upstream. */
    readonly shared: number;
    /** Calls served by a call already in flight. */
    readonly coalesced: number;
  };
  /** All operations together, and by operation. */
  readonly limiter: LimiterMetrics & { readonly byOperation: Readonly<Record<OperationName, LimiterMetrics>> };
  /** Redis failures the gateway carried on through. */
  readonly stateErrors: number;
  // --- Adaptive rate (issue 19): the limit in force by operation. ---
  /** Limits by operation: configured, adapted (lowered by upstream throttling, climbing back) and the whole calls the limiter books. */
  readonly rateLimit: { readonly byOperation: Readonly<Record<OperationName, RateLimitFigures>> };
}

/** The rate limit of one operation, calls per second (per rate-limit window); 0 = unlimited. */
export interface RateLimitFigures {
  readonly configured: number;
  /** The adapted rate (src/state/adaptive-rate.ts): `configured` unless the upstream throttled lately. */
  readonly adapted: number;
  /** What the limiter allows now: `min(configured, floor(adapted))`, at least 1. */
  readonly effective: number;
}

/** The economy's stages (placed by src/cdn/upstream.ts) and handles. */
export interface Economy {
  /** Stamps list calls with the tenant's list generation and bumps it after each create (read-your-writes); absent when neither coalescing nor the cache is on. */
  readonly generation?: Stage;
  /** Shares identical in-flight GETs (once per call); absent with `coalesce: false`. */
  readonly coalesce?: Stage;
  /** Answers GETs from recent 200s (once per call); absent with `cacheTtlMs: 0`. */
  readonly cache?: Stage;
  /** Queues each attempt for a quota slot (inside retry: retries spend quota too). */
  readonly rateLimit: Stage;
  /** Reports upstream throttles to the limiter store, which lowers the operation's rate (right inside rate limit); absent with `adaptiveRate: false`. */
  readonly throttleFeedback?: Stage;
  /** Stamps when each attempt was sent, for the cache's staleness bound (after any queueing). */
  readonly attemptClock: Stage;
  /** Records each attempt's outcome for the cache: 2xx proves the credentials, 401/403 withdraws the proof. */
  readonly credentials: Stage;
  readonly state: SharedState;
  /** Coordinates task pollers across replicas for this economy's credentials and `partition` (e.g. the enterprise project). */
  pollers(partition: string): PollerCoordination;
  /** Returns the counters since start. */
  metrics(): EconomyMetrics;
  /** Resolves once the shared state is reachable (at once in memory); rejects with a message naming Redis otherwise. */
  connect(): Promise<void>;
  /** Releases the shared state's connections (after the client has closed). */
  close(): Promise<void>;
}

// Mutable counters behind LimiterMetrics.
type LimiterCounters = { -readonly [K in keyof LimiterMetrics]: LimiterMetrics[K] };

/** Maps the validated configuration to economy options; `scope` names the upstream account (createUpstream derives it from its credentials when absent). */
export function economyOptionsFromConfig(config: Config, scope?: string): EconomyOptions {
  return {
    cacheTtlMs: config.cacheTtlMs,
    cacheSettledTtlMs: config.cacheSettledTtlMs,
    cacheMaxBytes: config.cacheMaxBytes,
    rateLimits: config.rateLimits,
    rateLimitMarginMs: config.rateLimitMarginMs,
    adaptiveRate: config.rateLimitAdaptive,
    rateRecoveryMs: config.rateLimitRecoveryMs,
    maxQueuedPerRequest: config.maxQueuedPerRequest,
    maxQueuedPerCaller: config.maxQueuedPerCaller,
    maxQueuedPerCallerShared: config.maxQueuedPerCallerShared,
    redisUrl: config.redisUrl,
    idempotencyMaxKeys: config.idempotencyMaxKeys,
    ...(scope === undefined ? {} : { scope }),
  };
}

/** Creates the economy stages with their shared state and counters; options are checked at once (`TypeError`). */
export function createEconomy(options: EconomyOptions = {}): Economy {
  const now = options.now ?? Date.now;
  const ttlMs = nonNegative('cacheTtlMs', options.cacheTtlMs, 2000);
  const freshness: FreshnessPolicy = { liveTtlMs: ttlMs, settledTtlMs: nonNegative('cacheSettledTtlMs', options.cacheSettledTtlMs, DEFAULT_SETTLED_TTL_MS) };
  const marginMs = nonNegative('rateLimitMarginMs', options.rateLimitMarginMs, 200);
  const proofTtlMs = nonNegative('credentialsProofTtlMs', options.credentialsProofTtlMs, 60_000);
  const maxQueuedPerRequest = nonNegative('maxQueuedPerRequest', options.maxQueuedPerRequest, 20);
  const maxQueuedPerCaller = nonNegative('maxQueuedPerCaller', options.maxQueuedPerCaller, 40);
  const maxQueuedPerCallerShared = nonNegative('maxQueuedPerCallerShared', options.maxQueuedPerCallerShared, 1);
  const windowMs = 1000 + marginMs;
  const recoveryMs = nonNegative('rateRecoveryMs', options.rateRecoveryMs, 2000);
  // The hold is the limiter's window: throttles of attempts sent within one after a decrease are old news.
  const adaptation: RateAdaptation | undefined = (options.adaptiveRate ?? true) ? { decrease: DEFAULT_DECREASE, recoveryMs: Math.max(1, recoveryMs), holdMs: windowMs } : undefined;
  const limits = { ...HUAWEI_RATE_LIMITS };
  for (const [op, limit] of Object.entries(options.rateLimits ?? {})) {
    if (!(OPERATIONS as string[]).includes(op)) throw new TypeError(`economy option \`rateLimits\` has an unknown operation ${JSON.stringify(op)}; operations are ${OPERATIONS.join(', ')}`);
    limits[op as OperationName] = nonNegative(`rateLimits.${op}`, limit, 0);
  }
  const emit = (event: EconomyEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A broken hook must not fail the call.
    }
  };

  let stateErrors = 0;
  const state =
    options.state ??
    createSharedState({
      redisUrl: options.redisUrl,
      keyPrefix: stateKeyPrefix(options.scope ?? ''),
      ...(options.redisTimeouts ? { redisTimeouts: options.redisTimeouts } : {}),
      cacheMaxBytes: options.cacheMaxBytes ?? 32 * 1024 * 1024,
      ...(options.idempotencyMaxKeys === undefined ? {} : { idempotencyMaxKeys: options.idempotencyMaxKeys }),
      now,
      onError: (component, error) => {
        stateErrors++;
        emit({ type: 'state-error', component, message: error.message });
      },
      onFallback: (change) =>
        emit({ type: 'state-fallback', parts: change.parts, local: change.local, ...(change.reason === undefined ? {} : { message: change.reason }) }),
    });

  const cacheCounts = { hits: 0, misses: 0, unprovenMisses: 0 };
  const coalesceCounts = { shared: 0, coalesced: 0 };
  const limiter = Object.fromEntries(
    OPERATIONS.map((op) => [op, { queueLength: 0, queued: 0, rejected: 0, waitMsTotal: 0, waitMsMax: 0 }]),
  ) as Record<OperationName, LimiterCounters>;
  const op = (req: UpstreamRequest): LimiterCounters => limiter[req.operation];

  const clock = createAttemptClock(now);
  const proof = createCredentialsProof({ ttlMs: proofTtlMs, now });
  const coalesceOne =
    (options.coalesce ?? true)
      ? coalesceStage({
          now,
          onLead: () => {
            coalesceCounts.shared++;
          },
          onJoin: (req) => {
            coalesceCounts.coalesced++;
            emit({ type: 'coalesced', operation: req.operation });
          },
        })
      : undefined;
  const cache =
    ttlMs > 0
      ? cacheStage({
          store: state.cache,
          ttlMs,
          ttlFor: (req, res, producedAt) => freshnessTtl(freshness, req, res.json, producedAt),
          now,
          sentAt: clock.sentAt,
          partition: options.credentialScope ? `${shortHash(options.credentialScope)} ` : '',
          serve: proof.proven,
          onUnproven: () => {
            cacheCounts.unprovenMisses++;
          },
          onHit: (req) => {
            cacheCounts.hits++;
            emit({ type: 'cache-hit', operation: req.operation });
          },
          onMiss: (req) => {
            cacheCounts.misses++;
            emit({ type: 'cache-miss', operation: req.operation });
          },
        })
      : undefined;
  // Only what coalesces or caches can serve a list call an answer from before a create.
  const generation = coalesceOne || cache ? generationStage({ store: state.generations, now }) : undefined;
  const rateLimit = rateLimitStage({
    limiter: state.limiter,
    limits,
    ...(adaptation ? { adaptation } : {}),
    windowMs,
    maxQueuedPerRequest,
    maxQueuedPerCaller,
    maxQueuedPerCallerShared,
    now,
    onQueued: (req, waitMs) => {
      const c = op(req);
      c.queueLength++;
      c.queued++;
      c.waitMsTotal += waitMs;
      c.waitMsMax = Math.max(c.waitMsMax, waitMs);
      emit({ type: 'queued', operation: req.operation, waitMs, ...callerOf(req) });
    },
    onDequeued: (req, waitMs) => {
      if (waitMs > 0) op(req).queueLength--;
    },
    onRejected: (req, waitMs) => {
      op(req).rejected++;
      emit({ type: 'rejected', operation: req.operation, waitMs, ...callerOf(req) });
    },
    onStarted: (req, slotsAhead) => {
      emit({ type: 'started', operation: req.operation, ...callerOf(req), slotsAhead });
    },
  });

  const throttleFeedback = adaptation ? throttleFeedbackStage({ limiter: state.limiter, limits, adaptation, now }) : undefined;
  // The limit in force by operation, as this process last saw it (shared in Redis: see src/state/redis.ts).
  const rateLimitFigures = (op: OperationName): RateLimitFigures => {
    const configured = limits[op];
    const adapted = configured > 0 && adaptation && state.limiter.adaptedRate ? state.limiter.adaptedRate(op, configured, adaptation) : configured;
    return { configured, adapted: Math.round(adapted * 1000) / 1000, effective: configured > 0 ? Math.min(configured, effectiveLimit(adapted)) : 0 };
  };

  return {
    generation,
    coalesce: coalesceOne,
    cache,
    rateLimit,
    throttleFeedback,
    attemptClock: clock.stage,
    credentials: proof.stage,
    state,
    // Task states are what these credentials may read: partitioned like the cache, hashed.
    pollers: (partition) => state.pollers(shortHash(`${options.credentialScope ?? ''}\u0000${partition}`)),
    metrics() {
      const byOperation = Object.fromEntries(OPERATIONS.map((o) => [o, { ...limiter[o] }])) as Record<OperationName, LimiterMetrics>;
      const all = Object.values(byOperation);
      const sum = (k: keyof LimiterMetrics): number => all.reduce((a, m) => a + m[k], 0);
      const size = 'stats' in state.cache ? (state.cache as MemoryCacheStore).stats() : undefined;
      return {
        state: state.kind,
        cache: { ...cacheCounts, ...(size ? { entries: size.entries, bytes: size.bytes } : {}) },
        coalesce: { ...coalesceCounts },
        limiter: {
          queueLength: sum('queueLength'),
          queued: sum('queued'),
          rejected: sum('rejected'),
          waitMsTotal: sum('waitMsTotal'),
          waitMsMax: Math.max(0, ...all.map((m) => m.waitMsMax)),
          byOperation,
        },
        stateErrors,
        rateLimit: { byOperation: Object.fromEntries(OPERATIONS.map((o) => [o, rateLimitFigures(o)])) as Record<OperationName, RateLimitFigures> },
      };
    },
    connect: () => state.connect(),
    close: () => state.close(),
  };
}

/** Returns the Redis key prefix of a quota scope: a hash, so no account name or credential is readable in Redis. */
export function stateKeyPrefix(scope: string): string {
  return `cdngw:${shortHash(scope)}:`;
}

// 64 bits of SHA-256 in hex: enough to keep scopes apart, and not the scope itself.
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

// The caller field of an event: present only when the call names one.
function callerOf(req: UpstreamRequest): { caller?: string } {
  return req.caller === undefined ? {} : { caller: req.caller };
}

// Applies a default or checks a finite number >= 0.
function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`economy option \`${name}\` must be a finite number >= 0; received ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
  return value;
}
