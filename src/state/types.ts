/**
 * What the gateway shares between replicas: the response cache (with its generation counters) and the upstream quota.
 * Both sit behind these small interfaces, in memory by default and in Redis with `REDIS_URL`.
 */
import type { RateAdaptation } from './adaptive-rate';

/** A stored upstream response: what the cache stage needs to answer a call again. */
export interface CachedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly requestId?: string;
  /** When the attempt that produced the response was sent (epoch ms, the storing replica's clock). */
  readonly producedAt: number;
}

/** A response cache with per-entry expiry. */
export interface ResponseCacheStore {
  /** Returns the entry stored under `key` while it has not expired. */
  get(key: string): Promise<CachedResponse | undefined>;
  /** Stores an entry for `ttlMs` milliseconds from now (the store drops or hides it after that). */
  set(key: string, value: CachedResponse, ttlMs: number): Promise<void>;
}

/**
 * Generation counters: each names the current version of a family of cached answers, and is part
 * of their keys, so that bumping it makes every answer of the family unreachable at once, in O(1)
 * (docs/architecture.md, Read your writes).
 */
export interface GenerationStore {
  /** Returns the counter's value (`0` before its first bump); `undefined` when the store cannot be read now. */
  current(name: string): Promise<string | undefined>;
  /** Increments the counter; resolves `false` when the store could not record it (the call still succeeds). */
  bump(name: string): Promise<boolean>;
}

/** The answer to a slot request: either a start time `waitMs` from now, or a refusal. */
export interface Reservation {
  /** Whether a start slot was reserved (false: the earliest slot is further away than allowed). */
  readonly granted: boolean;
  /** Milliseconds from now until the (earliest possible) start, never negative. */
  readonly waitMs: number;
}

/** A granted or refused slot, with the start the store recorded so that it can be released. */
export interface Booking extends Reservation {
  /** The recorded start on the store's own clock (epoch ms); absent when refused. */
  readonly start?: number;
  /** The limit the booking was held to: the one asked for, or lower after upstream throttling (with an adaptation). */
  readonly limit?: number;
}

/** Sliding-window admission: at most `limit` starts of one key in any `windowMs`. */
export interface RateLimiterStore {
  /**
   * Reserves the earliest start for one call of `key` such that no `windowMs` window holds more
   * than `limit` starts; refuses (reserving nothing) when that start is more than `maxWaitMs` away.
   */
  reserve(key: string, limit: number, windowMs: number, maxWaitMs: number): Promise<Reservation>;
  /**
   * Reserves like `reserve`, and returns the recorded start for `release`. With `adaptation`, the
   * key's adapted rate (lowered by `throttled`) caps `limit` (src/state/adaptive-rate.ts).
   */
  book(key: string, limit: number, windowMs: number, maxWaitMs: number, adaptation?: RateAdaptation): Promise<Booking>;
  /**
   * Gives back a booked start nobody will use (its caller left), so that others may start then
   * (docs/architecture.md, Fairness). Releasing an unknown or already released start does nothing.
   */
  release(key: string, start: number): Promise<void>;
  /**
   * Lowers the key's adapted rate after the upstream throttled an attempt sent `sentAgoMs` ago
   * (docs/architecture.md, Adaptive rate); shared by replicas in Redis. Stores without it do not adapt.
   */
  throttled?(key: string, limit: number, sentAgoMs: number, adaptation: RateAdaptation): Promise<void>;
  /** Returns the key's adapted rate now, as this process last saw it (`limit` when not lowered). */
  adaptedRate?(key: string, limit: number, adaptation: RateAdaptation): number;
}

/** The shared state of one gateway: a cache, a limiter, and how to stop them. */
export interface SharedState {
  /** `memory` or `redis`, for start-up logs. */
  readonly kind: 'memory' | 'redis';
  readonly cache: ResponseCacheStore;
  /** The cache's generation counters (shared by replicas in Redis). */
  readonly generations: GenerationStore;
  readonly limiter: RateLimiterStore;
  /** Resolves once the backing store answers (at once in memory); rejects with a message naming the store. */
  connect(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
