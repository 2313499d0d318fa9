/** In-memory shared state: one replica's cache (an LRU bounded by bytes), limiter and idempotency records. */
import { LRUCache } from 'lru-cache';
import { adaptRate, currentRate, effectiveLimit, isLowered, type AdaptedRate, type RateAdaptation } from './adaptive-rate';
import { ExpiryQueue } from './expiry-queue';
import { createMemoryIdempotency, type MemoryIdempotencyStore } from './memory-idempotency';
import { nextStart, waitAllowed } from './sliding-window';
import { SHARED_PARTS, type Booking, type CachedResponse, type GenerationStore, type PollerCoordination, type RateLimiterStore, type Reservation, type ResponseCacheStore, type SharedState } from './types';

/** Options of the memory cache. */
export interface MemoryCacheOptions {
  /** Most bytes the cached bodies and headers may take (roughly: UTF-16 code units are counted once). */
  readonly maxBytes: number;
  /** Clock in epoch ms. @default Date.now */
  readonly now?: () => number;
}

/** The memory cache's contents, for metrics. */
export interface MemoryCacheStats {
  readonly entries: number;
  readonly bytes: number;
}

/** A memory cache that also reports its size. */
export interface MemoryCacheStore extends ResponseCacheStore {
  /** Returns how many entries and bytes the cache holds (expired ones included until the next write drops them). */
  stats(): MemoryCacheStats;
}

// What the LRU holds: the response and when it stops being served.
interface Entry {
  readonly value: CachedResponse;
  readonly expiresAt: number;
}

// Bookkeeping bytes per entry besides body and headers (keys, numbers, object overhead).
const ENTRY_OVERHEAD_BYTES = 128;

/** Creates a memory cache bounded by bytes; least recently used entries go first. */
export function createMemoryCache(options: MemoryCacheOptions): MemoryCacheStore {
  if (!Number.isInteger(options.maxBytes) || options.maxBytes < 1) {
    throw new TypeError(`memory cache option \`maxBytes\` must be a positive integer; received ${String(options.maxBytes)}`);
  }
  const now = options.now ?? Date.now;
  const lru = new LRUCache<string, Entry>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry, key) => entrySize(key, entry.value),
  });
  // Deletes expired entries, earliest expiry first. Entries live seconds to minutes while the byte
  // bound is tens of MiB: without this, dead entries would hold that memory until newer ones
  // pushed them out. An expiry queue rather than the LRU order, because entries of different
  // lifetimes (src/cdn/freshness.ts) do not expire in the order they were used.
  const expiries = new ExpiryQueue();
  const dropExpired = (at: number): void => {
    for (const due of expiries.popDue(at)) {
      // peek: looking must not make the entry recently used; a key stored again later has a later expiry.
      if (lru.peek(due.key)?.expiresAt === due.expiresAt) lru.delete(due.key);
    }
    // Expiries of evicted or overwritten entries linger until due: rebuild once they outnumber the entries.
    if (expiries.size > 2 * lru.size + 1024) expiries.reset([...lru.entries()].map(([key, entry]) => ({ key, expiresAt: entry.expiresAt })));
  };
  return {
    async get(key) {
      const entry = lru.get(key);
      if (!entry) return undefined;
      if (now() >= entry.expiresAt) {
        lru.delete(key);
        return undefined;
      }
      return entry.value;
    },
    async set(key, value, ttlMs) {
      if (!(ttlMs > 0)) return;
      const at = now();
      dropExpired(at);
      const expiresAt = at + ttlMs;
      // An entry larger than the whole cache is not stored (lru-cache refuses it).
      lru.set(key, { value, expiresAt });
      if (lru.peek(key)?.expiresAt === expiresAt) expiries.push({ key, expiresAt });
    },
    stats: () => ({ entries: lru.size, bytes: lru.calculatedSize }),
  };
}

/** Estimates an entry's size in bytes (string lengths: close enough for a bound, and cheap). */
export function entrySize(key: string, value: CachedResponse): number {
  let size = ENTRY_OVERHEAD_BYTES + key.length + value.body.length + (value.requestId?.length ?? 0);
  for (const [name, v] of Object.entries(value.headers)) size += name.length + v.length;
  return size;
}

/** Creates in-memory generation counters (one replica's; they start at 0 with the process, like its cache). */
export function createMemoryGenerations(): GenerationStore {
  const counters = new Map<string, number>();
  return {
    current: async (name) => String(counters.get(name) ?? 0),
    async bump(name) {
      counters.set(name, (counters.get(name) ?? 0) + 1);
      return true;
    },
  };
}

/**
 * Creates a memory sliding-window limiter (one replica's view of the quota), with adapted rates by key; it ignores
 * `CallerShare`, which only replicas sharing a store need.
 */
export function createMemoryLimiter(now: () => number = Date.now): Required<RateLimiterStore> {
  // Per key, the reserved starts still inside a window (or ahead), newest first: every start that
  // can still count, so that releasing one leaves the arithmetic exact.
  const recent = new Map<string, number[]>();
  // Per key, its lowered rate (src/state/adaptive-rate.ts); dropped once it has climbed back.
  const adapted = new Map<string, AdaptedRate>();
  const rateOf = (key: string, limit: number, adaptation: RateAdaptation, at: number): number => {
    const state = adapted.get(key);
    if (state !== undefined && !isLowered(state, limit, adaptation, at)) adapted.delete(key);
    return currentRate(adapted.get(key), limit, adaptation, at);
  };
  const book = async (key: string, asked: number, windowMs: number, maxWaitMs: number, adaptation?: RateAdaptation): Promise<Booking> => {
    const at = now();
    const limit = adaptation ? Math.min(asked, effectiveLimit(rateOf(key, asked, adaptation, at))) : asked;
    const starts = pruneStarts(recent.get(key) ?? [], windowMs, at);
    const start = nextStart(starts, limit, windowMs, at);
    const waitMs = start - at;
    if (!waitAllowed(waitMs, maxWaitMs)) return { granted: false, waitMs, limit };
    starts.unshift(start);
    recent.set(key, starts);
    return { granted: true, waitMs, start, limit };
  };
  return {
    async reserve(key, limit, windowMs, maxWaitMs): Promise<Reservation> {
      const { granted, waitMs } = await book(key, limit, windowMs, maxWaitMs);
      return { granted, waitMs };
    },
    book,
    async release(key, start) {
      const starts = recent.get(key);
      const i = starts?.indexOf(start) ?? -1;
      if (starts && i >= 0) starts.splice(i, 1);
    },
    async throttled(key, limit, sentAgoMs, adaptation) {
      const at = now();
      adapted.set(key, adaptRate(adapted.get(key), limit, adaptation, { sentAt: at - Math.max(0, sentAgoMs), at }));
    },
    adaptedRate(key, limit, adaptation) {
      return rateOf(key, limit, adaptation, now());
    },
  };
}

/** Drops starts that no longer count (a window or more before `nowMs`) from a newest-first list, in place. Pure but for the list. */
export function pruneStarts(newestFirst: number[], windowMs: number, nowMs: number): number[] {
  while (newestFirst.length > 0 && (newestFirst[newestFirst.length - 1] as number) + windowMs <= nowMs) newestFirst.pop();
  return newestFirst;
}

/** Options of the memory shared state. */
export interface MemoryStateOptions {
  readonly cacheMaxBytes: number;
  /** Most idempotency outcomes kept. @default 10000 */
  readonly idempotencyMaxKeys?: number;
  readonly now?: () => number;
}

/** Creates the in-memory shared state (the default: one replica, nothing to connect to). */
export function createMemoryState(options: MemoryStateOptions): SharedState & { readonly cache: MemoryCacheStore; readonly idempotency: MemoryIdempotencyStore } {
  return {
    kind: 'memory',
    cache: createMemoryCache({ maxBytes: options.cacheMaxBytes, now: options.now }),
    generations: createMemoryGenerations(),
    limiter: createMemoryLimiter(options.now),
    idempotency: createMemoryIdempotency({ maxKeys: options.idempotencyMaxKeys ?? 10_000, now: options.now }),
    pollers: () => SOLO_POLLERS,
    // Everything is this replica's by configuration: nothing falls back.
    status: () => ({ kind: 'memory', local: [...SHARED_PARTS] }),
    connect: async () => undefined,
    close: async () => undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Task pollers of one replica: it holds every lease, and nobody else publishes.

const SOLO_POLLERS: PollerCoordination = Object.freeze({
  claim: async () => ({ mine: true as const }),
  release: async () => undefined,
  publish: async () => 0,
  listen: () => () => undefined,
});

/** Returns the pollers of a replica alone (memory): every claim is granted, nothing is shared. */
export function soloPollers(): PollerCoordination {
  return SOLO_POLLERS;
}
