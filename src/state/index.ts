/** The shared state the upstream economy uses (cache, generation counters, limiter): memory by default, Redis when a URL is given. */
import { createMemoryState } from './memory';
import { createRedisState, type StateComponent } from './redis';
import type { SharedState } from './types';

export type { CachedResponse, GenerationStore, RateLimiterStore, Reservation, ResponseCacheStore, SharedState } from './types';
export type { StateComponent } from './redis';
export { createMemoryCache, createMemoryGenerations, createMemoryLimiter, createMemoryState, type MemoryCacheStore } from './memory';
export { createRedisState, describeRedis } from './redis';

/** Options of `createSharedState`. */
export interface SharedStateOptions {
  /** With a URL, cache and quota live in Redis (shared by replicas); without, in this process. */
  readonly redisUrl?: string;
  /** Prefix of every Redis key. */
  readonly keyPrefix: string;
  /** Byte bound of the memory cache. */
  readonly cacheMaxBytes: number;
  readonly now?: () => number;
  /** Redis command and connect timeouts (tests on a busy machine lengthen them). @default the Redis state's */
  readonly redisTimeouts?: { readonly commandTimeoutMs?: number; readonly connectTimeoutMs?: number };
  /** Reports Redis failures (the gateway carries on without Redis). */
  readonly onError?: (component: StateComponent, error: Error) => void;
}

/** Creates the shared state: Redis when `redisUrl` is set, memory otherwise. */
export function createSharedState(options: SharedStateOptions): SharedState {
  if (options.redisUrl) {
    return createRedisState({ url: options.redisUrl, keyPrefix: options.keyPrefix, ...options.redisTimeouts, now: options.now, onError: options.onError });
  }
  return createMemoryState({ cacheMaxBytes: options.cacheMaxBytes, now: options.now });
}
