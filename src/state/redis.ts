/**
 * Redis shared state: one cache, one quota, one set of idempotency records and one set of task
 * pollers for every replica that points at the same Redis. The limiter is a Lua script (atomic
 * across replicas, on Redis's clock); the cache is plain SET/GET with a millisecond expiry, and its
 * generation counters plain GET/INCR; idempotency records are src/state/redis-idempotency.ts; the
 * task pollers' leases and states live in src/state/redis-pollers.ts. When Redis fails or is
 * unreachable the gateway keeps serving: cache calls become misses, the limiter falls back to
 * this replica's own window, idempotency keys to this replica's memory, and each replica polls
 * the tasks its subscribers follow. Which parts fall back is tracked (src/state/fallback.ts) for
 * /readyz, /metrics and one log line per transition.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { currentRate, type AdaptedRate, type RateAdaptation } from './adaptive-rate';
import { createFallbackTracker, type FallbackChange } from './fallback';
import { createMemoryLimiter } from './memory';
import { createMemoryIdempotency } from './memory-idempotency';
import { createRedisIdempotency } from './redis-idempotency';
import { createRedisPollers } from './redis-pollers';
import { waitAllowed } from './sliding-window';
import type { Booking, CachedResponse, CallerShare, GenerationStore, RateLimiterStore, Reservation, ResponseCacheStore, SharedState } from './types';
import { parseJsonObject } from './json-object';

// Most starts one key's list keeps: a bound on memory whatever the bookings (far above any window's worth).
const MAX_STARTS_KEPT = 100_000;

/** Which part of the shared state met a Redis failure. */
export type StateComponent = 'cache' | 'limiter' | 'idempotency' | 'pollers' | 'connection';

/** Options of the Redis shared state. */
export interface RedisStateOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  readonly url: string;
  /** Prepended to every key, so that gateways of different tenants can share one Redis. */
  readonly keyPrefix: string;
  /** Longest wait for one command before the call goes on without Redis. @default 250 */
  readonly commandTimeoutMs?: number;
  /** Longest wait for the connection at start-up. @default 2000 */
  readonly connectTimeoutMs?: number;
  /** Clock of the fallback limiter and of the adapted rates this replica last saw. @default Date.now */
  readonly now?: () => number;
  /** Called on every Redis failure (the call still succeeds without Redis); exceptions are ignored. */
  readonly onError?: (component: StateComponent, error: Error) => void;
  /** Called once per transition of parts to this replica's memory and back (not at start-up); exceptions are ignored. */
  readonly onFallback?: (change: FallbackChange) => void;
  /** Most idempotency outcomes this replica keeps in its own memory (read first, and the fallback). @default 10000 */
  readonly idempotencyMaxKeys?: number;
}

/**
 * The sliding-window reservation of src/state/sliding-window.ts, atomically, on Redis's clock.
 * KEYS[1]: a list of the reserved starts that still count (epoch ms), newest first; starts a
 * window old are dropped from the tail, so that releasing one (LREM) leaves the arithmetic exact.
 * KEYS[2]: the key's adapted rate (a hash `rate`, `at`; see THROTTLE_SCRIPT).
 * KEYS[3]: the caller's sorted set of booked starts not yet due (docs/architecture.md, Fairness,
 * Across replicas), used when ARGV[5] (its cap) is above 0: a start counts until its millisecond
 * has passed, so a replica that dies leaves nothing behind.
 * ARGV: limit, windowMs, maxWaitMs, recoveryMs (0: no adaptation; else the adapted rate, climbing
 * by one per recoveryMs, caps the limit: `currentRate` and `effectiveLimit` of src/state/adaptive-rate.ts),
 * cap (0: no caller share), a unique member for the caller's set.
 * Returns {code, waitMs, start, the limit applied, the adapted rate × 1000}: code 1 when booked,
 * 0 when the start is further than maxWaitMs, 2 when the caller holds its cap (waitMs: until its
 * earliest start is past; start 0 unless booked).
 */
export const RESERVE_SCRIPT = `
local key = KEYS[1]
local mine = KEYS[3]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local recovery = tonumber(ARGV[4] or '0')
local cap = tonumber(ARGV[5] or '0')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = limit
if recovery > 0 then
  local s = redis.call('HMGET', KEYS[2], 'rate', 'at')
  if s[1] then
    local r = tonumber(s[1]) + math.max(0, now - tonumber(s[2])) / recovery
    if r < rate then rate = r end
  end
  limit = math.max(1, math.min(limit, math.floor(rate + 1e-9)))
end
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', mine, '-inf', '(' .. string.format('%.0f', now))
  if redis.call('ZCARD', mine) >= cap then
    local earliest = redis.call('ZRANGE', mine, 0, 0, 'WITHSCORES')
    return {2, tonumber(earliest[2]) - now + 1, 0, limit, math.floor(rate * 1000)}
  end
end
while true do
  local oldest = redis.call('LINDEX', key, -1)
  if oldest and tonumber(oldest) + window <= now then redis.call('RPOP', key) else break end
end
local start = now
local newest = redis.call('LINDEX', key, 0)
if newest and tonumber(newest) > start then start = tonumber(newest) end
local limitTh = redis.call('LINDEX', key, limit - 1)
if limitTh and tonumber(limitTh) + window > start then start = tonumber(limitTh) + window end
local wait = start - now
if wait > 0 and wait > maxWait then return {0, wait, 0, limit, math.floor(rate * 1000)} end
redis.call('LPUSH', key, string.format('%.0f', start))
redis.call('LTRIM', key, 0, ${MAX_STARTS_KEPT - 1})
redis.call('PEXPIRE', key, wait + window)
if cap > 0 then
  redis.call('ZADD', mine, start, ARGV[6])
  redis.call('PEXPIRE', mine, wait + window)
end
return {1, wait, start, limit, math.floor(rate * 1000)}
`;

/**
 * Gives back a booked start: KEYS[1] the starts list, KEYS[2] the caller's set when ARGV[2] is
 * '1' (one member with the start as its score leaves it). ARGV[1]: the start.
 */
export const RELEASE_SCRIPT = `
redis.call('LREM', KEYS[1], 1, ARGV[1])
if ARGV[2] == '1' then
  local member = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], ARGV[1], 'LIMIT', 0, 1)
  if member[1] then redis.call('ZREM', KEYS[2], member[1]) end
end
return 1
`;

/**
 * `adaptRate` of src/state/adaptive-rate.ts, atomically, on Redis's clock: lowers one key's
 * adapted rate after an upstream throttle, shared by every replica of the quota scope.
 * KEYS[1]: the hash `rate` (calls per window), `at` (epoch ms of the last decrease); it expires
 * once the rate has climbed back to the limit. ARGV: limit, sentAgoMs (how long before now the
 * throttled attempt was sent, so replicas' clocks do not matter), decrease, recoveryMs, holdMs.
 * Returns the rate in force afterwards × 1000.
 */
export const THROTTLE_SCRIPT = `
local key = KEYS[1]
local ceiling = tonumber(ARGV[1])
local decrease = tonumber(ARGV[3])
local recovery = tonumber(ARGV[4])
local hold = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local sentAt = now - tonumber(ARGV[2])
local rate = ceiling
local s = redis.call('HMGET', key, 'rate', 'at')
if s[1] then
  local at = tonumber(s[2])
  rate = math.min(ceiling, tonumber(s[1]) + math.max(0, now - at) / recovery)
  if sentAt < at + hold then return math.floor(rate * 1000) end
end
rate = math.max(1, rate * decrease)
redis.call('HSET', key, 'rate', string.format('%.6f', rate), 'at', string.format('%.0f', now))
redis.call('PEXPIRE', key, math.ceil((ceiling - rate) * recovery) + 1)
return math.floor(rate * 1000)
`;

// The client with the scripts registered as commands (EVALSHA, falling back to EVAL once).
type ScriptedRedis = Redis & {
  cdngwReserve(
    key: string,
    adaptKey: string,
    callerKey: string,
    limit: number,
    windowMs: number,
    maxWaitMs: number,
    recoveryMs: number,
    cap: number,
    member: string,
  ): Promise<[number, number, number, number, number]>;
  cdngwRelease(key: string, callerKey: string, start: string, withCaller: '0' | '1'): Promise<number>;
  cdngwThrottled(adaptKey: string, limit: number, sentAgoMs: number, decrease: number, recoveryMs: number, holdMs: number): Promise<number>;
};

/** Creates the Redis shared state; `connect()` must succeed before Redis is used (until then, and whenever it fails, memory serves). */
export function createRedisState(options: RedisStateOptions): SharedState {
  const where = describeRedis(options.url);
  const client = new Redis(options.url, {
    lazyConnect: true,
    // Fail fast while disconnected: the fallback serves instead of a queue of waiting calls.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    // Closing an already-dropped connection arms a timer this long that nothing clears: keep it short.
    disconnectTimeout: 100,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  }) as ScriptedRedis;
  client.defineCommand('cdngwReserve', { numberOfKeys: 3, lua: RESERVE_SCRIPT });
  client.defineCommand('cdngwRelease', { numberOfKeys: 2, lua: RELEASE_SCRIPT });
  client.defineCommand('cdngwThrottled', { numberOfKeys: 1, lua: THROTTLE_SCRIPT });
  const report = (component: StateComponent, error: unknown): void => {
    try {
      options.onError?.(component, error instanceof Error ? error : new Error(String(error)));
    } catch {
      // A broken hook must not fail the call.
    }
  };
  const tracker = createFallbackTracker((change) => options.onFallback?.(change));
  let lastError: string | undefined;
  let closing = false;
  // Without a listener ioredis prints every connection error; they are reported through onError instead.
  client.on('error', (error: unknown) => {
    lastError = error instanceof Error ? error.message : String(error);
    report('connection', error);
  });
  client.on('ready', () => {
    lastError = undefined;
    tracker.connectionUp();
  });
  client.on('close', () => {
    if (!closing) tracker.connectionDown(lastError === undefined ? 'the connection to Redis closed' : `the connection to Redis closed: ${lastError}`);
  });
  const ready = (): boolean => client.status === 'ready';
  // Marks a part failing (it serves from memory until one of its commands succeeds) and reports the error.
  const fail = (part: 'cache' | 'limiter' | 'pollers', error: unknown): void => {
    tracker.failed(part, error instanceof Error ? error.message : String(error));
    report(part, error);
  };
  const now = options.now ?? Date.now;
  const fallback = createMemoryLimiter(options.now);
  const rateKey = (key: string): string => `${options.keyPrefix}rate:${key}`;
  const adaptKey = (key: string): string => `${options.keyPrefix}adapt:${key}`;
  // A caller's booked starts not yet due, per operation; the caller id is hashed (no key names or addresses in Redis).
  const callerKey = (key: string, caller: string): string => `${options.keyPrefix}rate-caller:${key}:${createHash('sha256').update(caller).digest('base64url').slice(0, 22)}`;
  // Members of the callers' sets: unique across replicas (a random token per process, then a counter).
  const memberPrefix = randomBytes(6).toString('base64url');
  let members = 0;
  // The adapted rates as Redis last answered them, on this process's clock (for metrics between bookings).
  const seen = new Map<string, AdaptedRate>();
  const see = (key: string, limit: number, milliRate: number): void => {
    const rate = milliRate / 1000;
    if (rate < limit) seen.set(key, { rate, at: now() });
    else seen.delete(key);
  };
  const cacheKey = (key: string): string => `${options.keyPrefix}cache:${createHash('sha256').update(key).digest('base64url')}`;

  const cache: ResponseCacheStore = {
    async get(key) {
      if (!ready()) return undefined;
      try {
        const text = await client.get(cacheKey(key));
        tracker.succeeded('cache');
        return text === null ? undefined : parseCached(text);
      } catch (error) {
        fail('cache', error);
        return undefined;
      }
    },
    async set(key, value, ttlMs) {
      const ms = Math.floor(ttlMs);
      if (ms < 1 || !ready()) return;
      try {
        await client.set(cacheKey(key), JSON.stringify(value), 'PX', ms);
        tracker.succeeded('cache');
      } catch (error) {
        fail('cache', error);
      }
    },
  };

  // One key per counter and tenant, without expiry: it must outlive every entry keyed under its value.
  const generationKey = (name: string): string => `${options.keyPrefix}gen:${name}`;
  const generations: GenerationStore = {
    async current(name) {
      if (!ready()) return undefined;
      try {
        const value = (await client.get(generationKey(name))) ?? '0';
        tracker.succeeded('cache');
        return value;
      } catch (error) {
        fail('cache', error);
        return undefined;
      }
    },
    async bump(name) {
      if (!ready()) return false;
      try {
        await client.incr(generationKey(name));
        tracker.succeeded('cache');
        return true;
      } catch (error) {
        fail('cache', error);
        return false;
      }
    },
  };

  const book = async (key: string, limit: number, windowMs: number, maxWaitMs: number, adaptation?: RateAdaptation, share?: CallerShare): Promise<Booking> => {
    if (!ready()) return fallback.book(key, limit, windowMs, maxWaitMs, adaptation);
    try {
      // An integer the script can read: no Infinity or NaN (a far deadline waits at most ~24 days anyway).
      const maxWait = Math.max(-1, Math.floor(Math.min(maxWaitMs, 2 ** 31 - 1)));
      const recoveryMs = adaptation ? Math.max(1, Math.round(adaptation.recoveryMs)) : 0;
      const cap = share ? Math.max(0, Math.floor(share.cap)) : 0;
      const mine = share && cap > 0 ? callerKey(key, share.caller) : rateKey(key);
      const [code, waitMs, start, applied, milliRate] = await client.cdngwReserve(
        rateKey(key),
        adaptKey(key),
        mine,
        limit,
        Math.ceil(windowMs),
        maxWait,
        recoveryMs,
        cap,
        `${memberPrefix}:${++members}`,
      );
      tracker.succeeded('limiter');
      if (adaptation) see(key, limit, milliRate);
      if (code === 2) return { granted: false, waitMs: Math.max(1, waitMs), limit: applied, callerFull: true };
      const ok = code === 1 && waitAllowed(waitMs, maxWaitMs);
      return ok ? { granted: true, waitMs: Math.max(0, waitMs), start, limit: applied } : { granted: false, waitMs: Math.max(0, waitMs), limit: applied };
    } catch (error) {
      fail('limiter', error);
      return fallback.book(key, limit, windowMs, maxWaitMs, adaptation);
    }
  };
  const limiter: Required<RateLimiterStore> = {
    async reserve(key, limit, windowMs, maxWaitMs): Promise<Reservation> {
      const { granted, waitMs } = await book(key, limit, windowMs, maxWaitMs);
      return { granted, waitMs };
    },
    book,
    async release(key, start, caller) {
      // The start may have come from the fallback (Redis was down then): release it there too.
      await fallback.release(key, start);
      if (!ready()) return;
      try {
        await client.cdngwRelease(rateKey(key), caller === undefined ? rateKey(key) : callerKey(key, caller), String(start), caller === undefined ? '0' : '1');
        tracker.succeeded('limiter');
      } catch (error) {
        fail('limiter', error);
      }
    },
    async throttled(key, limit, sentAgoMs, adaptation) {
      // Without Redis the replica adapts on its own (its fallback window is its own too).
      if (!ready()) return fallback.throttled(key, limit, sentAgoMs, adaptation);
      try {
        const milliRate = await client.cdngwThrottled(
          adaptKey(key),
          limit,
          Math.max(0, Math.round(sentAgoMs)),
          adaptation.decrease,
          Math.max(1, Math.round(adaptation.recoveryMs)),
          Math.max(0, Math.round(adaptation.holdMs)),
        );
        see(key, limit, milliRate);
        tracker.succeeded('limiter');
      } catch (error) {
        fail('limiter', error);
        await fallback.throttled(key, limit, sentAgoMs, adaptation);
      }
    },
    adaptedRate(key, limit, adaptation) {
      if (!ready()) return fallback.adaptedRate(key, limit, adaptation);
      return currentRate(seen.get(key), limit, adaptation, now());
    },
  };

  const idempotency = createRedisIdempotency({
    client,
    keyPrefix: options.keyPrefix,
    ready,
    local: createMemoryIdempotency({ maxKeys: options.idempotencyMaxKeys ?? 10_000, now: options.now }),
    tracker,
    report: (error) => report('idempotency', error),
    now: options.now,
  });

  // Task pollers across replicas (src/state/redis-pollers.ts): their own subscriber connection, opened once Redis answers.
  const pollers = createRedisPollers(client, {
    keyPrefix: options.keyPrefix,
    ready,
    report: (error) => report('pollers', error),
    failed: (error) => fail('pollers', error),
    succeeded: () => tracker.succeeded('pollers'),
  });

  return {
    kind: 'redis',
    cache,
    generations,
    limiter,
    idempotency,
    pollers: (partition) => pollers.forPartition(partition),
    status: () => ({ kind: 'redis', local: tracker.local() }),
    async connect() {
      try {
        await client.connect();
        await client.ping();
      } catch (error) {
        client.disconnect();
        throw new Error(`REDIS_URL: could not reach Redis at ${where} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      }
      pollers.start();
    },
    async close() {
      // Closing is not an outage: no transition is reported.
      closing = true;
      await pollers.close();
      if (client.status === 'ready') {
        try {
          await client.quit();
          return;
        } catch {
          // Fall through: drop the connection instead.
        }
      }
      client.disconnect();
    },
  };
}

/** Describes a Redis URL for messages without its credentials (`host:port/db`). */
export function describeRedis(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'an unparsable URL';
  }
}

// Reads a stored entry back; anything unexpected (another writer, an older version) is a miss.
function parseCached(text: string): CachedResponse | undefined {
  const v = parseJsonObject(text);
  if (v === undefined) return undefined;
  if (typeof v.status !== 'number' || typeof v.body !== 'string' || typeof v.producedAt !== 'number') return undefined;
  if (typeof v.headers !== 'object' || v.headers === null) return undefined;
  if (v.requestId !== undefined && typeof v.requestId !== 'string') return undefined;
  return v as unknown as CachedResponse;
}
