/** The shared state the gateway uses (cache, generation counters, limiter, idempotency records): memory by default, Redis when a URL is given. */
import type { FallbackChange } from './fallback';
import { createMemoryState } from './memory';
import { createRedisState, type StateComponent } from './redis';
import type { SharedState } from './types';

export type {
  CachedResponse,
  GenerationStore,
  IdempotencyClaim,
  IdempotencyRecord,
  IdempotencyStore,
  RateLimiterStore,
  Reservation,
  ResponseCacheStore,
  SharedPart,
  SharedState,
  SharedStateStatus,
} from './types';
export { SHARED_PARTS } from './types';
export type { FallbackChange } from './fallback';
export type { StateComponent } from './redis';
export { createMemoryCache, createMemoryGenerations, createMemoryLimiter, createMemoryState, type MemoryCacheStore } from './memory';
export { createMemoryIdempotency, type MemoryIdempotencyStore } from './memory-idempotency';
export { createRedisState, describeRedis } from './redis';

/** Options of `createSharedState`. */
export interface SharedStateOptions {
  /** With a URL, cache and quota live in Redis (shared by replicas); without, in this process. */
  readonly redisUrl?: string;
  /** Prefix of every Redis key. */
  readonly keyPrefix: string;
  /** Byte bound of the memory cache. */
  readonly cacheMaxBytes: number;
  /** Most idempotency outcomes kept in this replica's memory (the store in memory; with Redis, this replica's copy and fallback). @default 10000 */
  readonly idempotencyMaxKeys?: number;
  readonly now?: () => number;
  /** Redis command and connect timeouts (tests on a busy machine lengthen them). @default the Redis state's */
  readonly redisTimeouts?: { readonly commandTimeoutMs?: number; readonly connectTimeoutMs?: number };
  /** Reports Redis failures (the gateway carries on without Redis). */
  readonly onError?: (component: StateComponent, error: Error) => void;
  /** Reports each transition of parts to this replica's memory while Redis is unreachable or failing, and back. */
  readonly onFallback?: (change: FallbackChange) => void;
}

/** Creates the shared state: Redis when `redisUrl` is set, memory otherwise. */
export function createSharedState(options: SharedStateOptions): SharedState {
  if (options.redisUrl) {
    return createRedisState({
      url: options.redisUrl,
      keyPrefix: options.keyPrefix,
      ...options.redisTimeouts,
      now: options.now,
      onError: options.onError,
      onFallback: options.onFallback,
      idempotencyMaxKeys: options.idempotencyMaxKeys,
    });
  }
  return createMemoryState({ cacheMaxBytes: options.cacheMaxBytes, idempotencyMaxKeys: options.idempotencyMaxKeys, now: options.now });
}
