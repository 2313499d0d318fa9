/**
 * Idempotency records in Redis, shared by every replica of one account: a claim is one atomic
 * script (SET NX PX, or the record already there), a finished outcome a plain SET with the
 * window's expiry. Every outcome this replica finishes is also kept in its own memory, which is
 * read first: a repeat reaching this replica replays even when Redis has since lost the record or
 * become unreachable. While Redis is unreachable or failing, claims fall back to that memory
 * (keys then protect within one replica only).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FallbackTracker } from './fallback';
import type { MemoryIdempotencyStore } from './memory-idempotency';
import type { IdempotencyRecord, IdempotencyStore } from './types';
import { parseJsonObject } from './json-object';

/**
 * Claims a key unless it holds a record. KEYS[1]: the record; ARGV: the claim (JSON), its expiry
 * in ms. Returns nil when claimed, else the record there.
 */
export const CLAIM_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])
`;

/**
 * Deletes a claim if it is still the one with this token (not another replica's, nor a finished
 * record). KEYS[1]: the record; ARGV[1]: the token. Returns 1 when deleted.
 */
export const RELEASE_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
local ok, record = pcall(cjson.decode, value)
if ok and type(record) == 'table' and record.state == 'running' and record.token == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

// The client with the scripts registered as commands (EVALSHA, falling back to EVAL once).
type IdempotencyRedis = Redis & {
  cdngwIdemClaim(key: string, claim: string, claimMs: number): Promise<string | null>;
  cdngwIdemRelease(key: string, token: string): Promise<number>;
};

/** What the Redis idempotency store needs of the Redis state. */
export interface RedisIdempotencyOptions {
  readonly client: Redis;
  /** Prefix of every key (the account's, see `stateKeyPrefix`). */
  readonly keyPrefix: string;
  /** Tells whether the connection is ready now. */
  readonly ready: () => boolean;
  /** This replica's own records: written through, read first, and the fallback. */
  readonly local: MemoryIdempotencyStore;
  readonly tracker: FallbackTracker;
  /** Reports a Redis failure (the call goes on without Redis). */
  readonly report: (error: unknown) => void;
  /** Clock in epoch ms (claim expiry in the record, for messages). @default Date.now */
  readonly now?: () => number;
}

/** Creates the Redis idempotency store over an existing connection. */
export function createRedisIdempotency(options: RedisIdempotencyOptions): IdempotencyStore {
  const { ready, local, tracker } = options;
  const now = options.now ?? Date.now;
  const client = options.client as IdempotencyRedis;
  if (typeof client.cdngwIdemClaim !== 'function') {
    client.defineCommand('cdngwIdemClaim', { numberOfKeys: 1, lua: CLAIM_SCRIPT });
    client.defineCommand('cdngwIdemRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
  }
  // The id holds the caller's identity: only its hash reaches Redis.
  const keyOf = (id: string): string => `${options.keyPrefix}idem:${createHash('sha256').update(id).digest('base64url')}`;
  const fail = (error: unknown): void => {
    tracker.failed('idempotency', error instanceof Error ? error.message : String(error));
    options.report(error);
  };

  return {
    async claim(id, fingerprint, claimMs) {
      // This replica's own outcome (or a claim it made while Redis was down) comes first.
      const own = await local.read(id);
      if (own) return { claimed: false, record: own };
      if (!ready()) return local.claim(id, fingerprint, claimMs);
      // Unique per claim, so that a release never drops another's.
      const token = randomUUID();
      const ms = Math.max(1, Math.ceil(claimMs));
      try {
        const claim = JSON.stringify({ v: 1, state: 'running', fingerprint, token, expiresAt: now() + ms });
        const existing = await client.cdngwIdemClaim(keyOf(id), claim, ms);
        tracker.succeeded('idempotency');
        if (existing === null) return { claimed: true, token };
        // A record this version cannot read (another writer): treated as a claim, which expires, rather than run twice.
        return { claimed: false, record: parseRecord(existing) ?? { fingerprint, state: 'running', expiresAt: now() + ms } };
      } catch (error) {
        fail(error);
        return local.claim(id, fingerprint, claimMs);
      }
    },
    async read(id) {
      const own = await local.read(id);
      if (own) return own;
      if (!ready()) throw new Error('Redis is not connected');
      try {
        const text = await client.get(keyOf(id));
        tracker.succeeded('idempotency');
        return text === null ? undefined : parseRecord(text);
      } catch (error) {
        fail(error);
        throw error;
      }
    },
    async finish(id, token, fingerprint, outcome, ttlMs) {
      const expiresAt = await local.finish(id, token, fingerprint, outcome, ttlMs);
      if (!ready()) return expiresAt;
      try {
        await client.set(keyOf(id), JSON.stringify({ v: 1, state: 'done', fingerprint, outcome, expiresAt }), 'PX', Math.max(1, Math.ceil(ttlMs)));
        tracker.succeeded('idempotency');
      } catch (error) {
        fail(error);
      }
      return expiresAt;
    },
    async release(id, token) {
      await local.release(id, token);
      if (!ready()) return;
      try {
        await client.cdngwIdemRelease(keyOf(id), token);
        tracker.succeeded('idempotency');
      } catch (error) {
        fail(error);
      }
    },
  };
}

/** Reads a stored record; anything unexpected (another writer, an older version) is `undefined`. */
export function parseRecord(text: string): IdempotencyRecord | undefined {
  const v = parseJsonObject(text);
  if (v === undefined) return undefined;
  if (typeof v.fingerprint !== 'string' || typeof v.expiresAt !== 'number') return undefined;
  if (v.state === 'running') return { fingerprint: v.fingerprint, state: 'running', expiresAt: v.expiresAt };
  if (v.state === 'done' && typeof v.outcome === 'string') return { fingerprint: v.fingerprint, state: 'done', outcome: v.outcome, expiresAt: v.expiresAt };
  return undefined;
}
