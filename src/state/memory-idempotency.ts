/**
 * In-memory idempotency records: one replica's. Finished outcomes sit in an LRU bounded by key
 * count (IDEMPOTENCY_MAX_KEYS), claims of running calls in a map of their own, never evicted:
 * forgetting one would let a concurrent repeat run a second call. Both expire by the clock.
 */
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { IdempotencyRecord, IdempotencyStore } from './types';

/** Options of `createMemoryIdempotency`. */
export interface MemoryIdempotencyOptions {
  /** Most finished outcomes kept; the least recently used go first. */
  readonly maxKeys: number;
  /** Clock in epoch ms. @default Date.now */
  readonly now?: () => number;
}

/** A memory idempotency store that also reports its size. */
export interface MemoryIdempotencyStore extends IdempotencyStore {
  /** Returns how many finished outcomes and running claims are kept (expired ones included until next looked at). */
  size(): { readonly finished: number; readonly running: number };
}

// A running call's claim, with the token that finishes or releases it.
interface Claim extends IdempotencyRecord {
  readonly token: string;
}

/** Creates an in-memory idempotency store; `maxKeys` must be a positive integer (`TypeError`). */
export function createMemoryIdempotency(options: MemoryIdempotencyOptions): MemoryIdempotencyStore {
  if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1) {
    throw new TypeError(`idempotency store option \`maxKeys\` must be a positive integer; received ${String(options.maxKeys)}`);
  }
  const now = options.now ?? Date.now;
  const finished = new LRUCache<string, IdempotencyRecord>({ max: options.maxKeys });
  const claims = new Map<string, Claim>();

  // The live record of an id (a claim first: it is newer than any finished record it replaced), dropping expired ones.
  const current = (id: string): IdempotencyRecord | undefined => {
    const at = now();
    const claim = claims.get(id);
    if (claim && at < claim.expiresAt) return { fingerprint: claim.fingerprint, state: 'running', expiresAt: claim.expiresAt };
    if (claim) claims.delete(id);
    const done = finished.get(id);
    if (done && at < done.expiresAt) return done;
    if (done) finished.delete(id);
    return undefined;
  };

  return {
    async claim(id, fingerprint, claimMs) {
      const record = current(id);
      if (record) return { claimed: false, record };
      const token = randomUUID();
      claims.set(id, { fingerprint, state: 'running', expiresAt: now() + claimMs, token });
      return { claimed: true, token };
    },
    read: async (id) => current(id),
    async finish(id, token, fingerprint, outcome, ttlMs) {
      if (claims.get(id)?.token === token) claims.delete(id);
      const expiresAt = now() + ttlMs;
      finished.set(id, { fingerprint, state: 'done', outcome, expiresAt });
      return expiresAt;
    },
    async release(id, token) {
      if (claims.get(id)?.token === token) claims.delete(id);
    },
    size: () => ({ finished: finished.size, running: claims.size }),
  };
}
