/**
 * What the gateway shares between replicas: the response cache (with its generation counters), the upstream quota, and
 * the polling of followed tasks. Each sits behind a small interface, in memory by default and in Redis with `REDIS_URL`.
 */

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
  /**
   * Refused because the caller already holds its `CallerShare.cap` of slots not yet due, across
   * replicas: `waitMs` is then the wait until the earliest of them comes due (book again then).
   */
  readonly callerFull?: boolean;
}

/**
 * One caller's share of a key's future slots across replicas (docs/architecture.md, Fairness,
 * Across replicas): a booking is refused while the caller holds `cap` booked slots not yet due.
 */
export interface CallerShare {
  /** The caller (`api-key:key-1`, …); hashed before it reaches a shared store. */
  readonly caller: string;
  /** Most slots of the key the caller may hold booked and not yet due, over every replica. */
  readonly cap: number;
}

/** Sliding-window admission: at most `limit` starts of one key in any `windowMs`. */
export interface RateLimiterStore {
  /**
   * Reserves the earliest start for one call of `key` such that no `windowMs` window holds more
   * than `limit` starts; refuses (reserving nothing) when that start is more than `maxWaitMs` away.
   */
  reserve(key: string, limit: number, windowMs: number, maxWaitMs: number): Promise<Reservation>;
  /**
   * Reserves like `reserve`, and returns the recorded start for `release`. With `share`, a store
   * shared by replicas also holds the caller to its share (`callerFull`); one replica's store
   * ignores it (the rate-limit stage's own turns and caps bound a caller there).
   */
  book(key: string, limit: number, windowMs: number, maxWaitMs: number, share?: CallerShare): Promise<Booking>;
  /**
   * Gives back a booked start nobody will use (its caller left), so that others may start then
   * (docs/architecture.md, Fairness); `caller` is the `CallerShare.caller` it was booked with, if
   * any. Releasing an unknown or already released start does nothing.
   */
  release(key: string, start: number, caller?: string): Promise<void>;
}

/** The shared state of one gateway: a cache, a limiter, and how to stop them. */
export interface SharedState {
  /** `memory` or `redis`, for start-up logs. */
  readonly kind: 'memory' | 'redis';
  readonly cache: ResponseCacheStore;
  /** The cache's generation counters (shared by replicas in Redis). */
  readonly generations: GenerationStore;
  readonly limiter: RateLimiterStore;
  /** Coordinates task pollers across replicas under `partition` (the credentials and enterprise project, hashed): see `PollerCoordination`. */
  pollers(partition: string): PollerCoordination;
  /** Resolves once the backing store answers (at once in memory); rejects with a message naming the store. */
  connect(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Task pollers across replicas (docs/architecture.md#subscriptions): one replica at a time polls
// a followed task; the others feed their subscribers from what it publishes.

/** A followed task's state as the polling replica published it; `version` orders states across replicas. */
export interface PolledState {
  readonly version: number;
  /** The state, as the progress hub encoded it. */
  readonly payload: string;
}

/** What another replica said about a followed task: a new state, or that it stopped polling it. */
export type PollerNotice = ({ readonly kind: 'state' } & PolledState) | { readonly kind: 'released' };

/** The answer to a claim: poll the task yourself, or follow the replica that does, from its latest state. */
export type PollerClaim = { readonly mine: true } | { readonly mine: false; readonly latest?: PolledState };

/**
 * Shares the polling of followed tasks between replicas. One replica at a time holds a task's
 * lease and polls; it publishes each new state, and the others pass it to their subscribers. A
 * lease expires unless renewed, so a replica that dies hands the task over by itself. Memory (one
 * replica) always grants the lease; Redis grants it too while it cannot be reached, so that every
 * replica then polls for itself.
 */
export interface PollerCoordination {
  /** Takes or renews the task's lease for `ttlMs` (and keeps its latest state as long); when another replica holds it, returns that one's latest state. */
  claim(taskId: string, ttlMs: number): Promise<PollerClaim>;
  /** Gives the lease up if this replica holds it, telling the others, so that one of them takes over. */
  release(taskId: string): Promise<void>;
  /**
   * Publishes a new state to the other replicas, kept as the latest for `keepMs` (0: sent, not kept, as a failed poll is
   * news only as it happens); resolves its version (0 when nothing is shared).
   */
  publish(taskId: string, payload: string, keepMs: number): Promise<number>;
  /** Calls `onNotice` with what other replicas publish about the task, until the returned function is called. */
  listen(taskId: string, onNotice: (notice: PollerNotice) => void): () => void;
}
