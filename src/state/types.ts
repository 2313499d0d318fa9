/**
 * What the gateway shares between replicas: the response cache (with its generation counters), the upstream quota, the
 * create mutations' idempotency records and the polling of followed tasks. Each sits behind a small interface, in memory
 * by default and in Redis with `REDIS_URL`.
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
   * Reserves like `reserve`, and returns the recorded start for `release`. With `adaptation`, the
   * key's adapted rate (lowered by `throttled`) caps `limit` (src/state/adaptive-rate.ts). With
   * `share`, a store shared by replicas also holds the caller to its share (`callerFull`); one
   * replica's store ignores it (the rate-limit stage's own turns and caps bound a caller there).
   */
  book(key: string, limit: number, windowMs: number, maxWaitMs: number, adaptation?: RateAdaptation, share?: CallerShare): Promise<Booking>;
  /**
   * Gives back a booked start nobody will use (its caller left), so that others may start then
   * (docs/architecture.md, Fairness); `caller` is the `CallerShare.caller` it was booked with, if
   * any. Releasing an unknown or already released start does nothing.
   */
  release(key: string, start: number, caller?: string): Promise<void>;
  /**
   * Lowers the key's adapted rate after the upstream throttled an attempt sent `sentAgoMs` ago
   * (docs/architecture.md, Adaptive rate); shared by replicas in Redis. Stores without it do not adapt.
   */
  throttled?(key: string, limit: number, sentAgoMs: number, adaptation: RateAdaptation): Promise<void>;
  /** Returns the key's adapted rate now, as this process last saw it (`limit` when not lowered). */
  adaptedRate?(key: string, limit: number, adaptation: RateAdaptation): number;
}

/** An idempotency record: a call claimed and still running, or its finished outcome. */
export interface IdempotencyRecord {
  /** Identifies the input of the call that made the record. */
  readonly fingerprint: string;
  /** `running` while the claiming call has not finished; `done` once its outcome is stored. */
  readonly state: 'running' | 'done';
  /** The finished outcome as its caller encoded it (`done` only). */
  readonly outcome?: string;
  /** When the record stops counting (epoch ms, the writing replica's clock). */
  readonly expiresAt: number;
}

/** The answer to a claim: the call is this caller's to run (with the token that finishes or releases it), or an existing record. */
export type IdempotencyClaim = { readonly claimed: true; readonly token: string } | { readonly claimed: false; readonly record: IdempotencyRecord };

/**
 * Idempotency records by id, with an atomic claim: of concurrent claims of one id (on any replica sharing the store),
 * exactly one wins and runs the call; the others find its record. A claim expires by itself, so a claimant that died
 * leaves the id free again.
 */
export interface IdempotencyStore {
  /** Claims `id` for a call of `fingerprint` for `claimMs`, unless a record of it exists: then returns that record instead. */
  claim(id: string, fingerprint: string, claimMs: number): Promise<IdempotencyClaim>;
  /** Returns the record of `id`, if any; rejects when the store cannot tell (unreachable). */
  read(id: string): Promise<IdempotencyRecord | undefined>;
  /** Stores a claimed call's outcome for `ttlMs` in place of its claim; resolves with when it expires (epoch ms). */
  finish(id: string, token: string, fingerprint: string, outcome: string, ttlMs: number): Promise<number>;
  /** Drops a claim whose call is to be forgotten (it had no effect), so that a repeat runs again; another's claim or a finished record stays. */
  release(id: string, token: string): Promise<void>;
}

/** The parts of the shared state, as /readyz and /metrics name them. */
export const SHARED_PARTS = ['cache', 'limiter', 'idempotency', 'pollers'] as const;

/** One part of the shared state: the response cache (with its generation counters), the limiter, the idempotency records, or the task pollers. */
export type SharedPart = (typeof SHARED_PARTS)[number];

/** Where the shared state's parts live right now. */
export interface SharedStateStatus {
  /** `memory` or `redis` (REDIS_URL set). */
  readonly kind: 'memory' | 'redis';
  /** The parts served from this replica's memory: all of them in memory; in Redis, those falling back while it is unreachable or failing. */
  readonly local: readonly SharedPart[];
}

/** The shared state of one gateway: a cache, a limiter, idempotency records, task pollers, and how to stop them. */
export interface SharedState {
  /** `memory` or `redis`, for start-up logs. */
  readonly kind: 'memory' | 'redis';
  readonly cache: ResponseCacheStore;
  /** The cache's generation counters (shared by replicas in Redis). */
  readonly generations: GenerationStore;
  readonly limiter: RateLimiterStore;
  /** The create mutations' idempotency records (shared by replicas in Redis). */
  readonly idempotency: IdempotencyStore;
  /** Coordinates task pollers across replicas under `partition` (the credentials and enterprise project, hashed): see `PollerCoordination`. */
  pollers(partition: string): PollerCoordination;
  /** Returns which parts serve from this replica's memory right now. */
  status(): SharedStateStatus;
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
