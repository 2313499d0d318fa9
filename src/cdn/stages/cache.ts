/**
 * Stage: answers a GET from a recent response for at most `ttlMs` (or what `ttlFor` decides for
 * that response: the tiered freshness of ../freshness.ts), measured from when the
 * attempt that produced the response was sent (not from when it arrived, nor from when a
 * queued call was first made). Only classified successes reach this stage (classification
 * throws the rest), and of those only 200s are stored, so errors are never cached. A hit is
 * handed on parsed, as classification would have (once per stored entry: every hit on it gets
 * the same response, which no stage changes). `ttlMs` 0 disables the stage. A list call's key
 * carries its generation, which a create bumps (./generation.ts): the next list call after a
 * create misses and shows the new records (docs/architecture.md, Read your writes).
 *
 * In a shared Redis, entries are partitioned by credential (`partition`), and a stored entry is
 * served only while this gateway's own credentials are proven (`serve`, see ./credentials.ts):
 * no gateway answers from another's data (docs/architecture.md, Shared state).
 */
import type { CachedResponse, ResponseCacheStore } from '../../state/types';
import { parseJson } from '../json';
import type { Stage, UpstreamRequest, UpstreamResponse } from '../pipeline';
import { requestKey } from './request-key';
import { noteCacheLookup } from './trace';

/** Options of the cache stage. */
export interface CacheStageOptions {
  readonly store: ResponseCacheStore;
  /** Staleness bound in ms; 0 disables caching. */
  readonly ttlMs: number;
  /** Returns how long a response stays fresh from `producedAt` (see ../freshness.ts); absent, `ttlMs` for every response. */
  readonly ttlFor?: (req: UpstreamRequest, res: UpstreamResponse, producedAt: number) => number;
  readonly now: () => number;
  /** When the attempt that produced a response was sent (see `createAttemptClock`); without it, when the call entered this stage. */
  readonly sentAt?: (res: UpstreamResponse) => number | undefined;
  /** Prepended to every key, naming the credentials (a hash, never a secret): entries are shared only by gateways holding the same ones. @default '' */
  readonly partition?: string;
  /** Tells whether stored entries may be served now; when it says no, the call goes upstream (and may store its answer). @default always */
  readonly serve?: () => boolean;
  /** Called for a lookup skipped because `serve` said no (after `onMiss`). */
  readonly onUnproven?: (req: UpstreamRequest) => void;
  readonly onHit?: (req: UpstreamRequest) => void;
  readonly onMiss?: (req: UpstreamRequest) => void;
}

/** Records when each attempt was sent, for the cache stage to age responses from. */
export interface AttemptClock {
  /** The stage that stamps responses; src/cdn/upstream.ts places it inside retry, after the rate limiter (after any queueing). */
  readonly stage: Stage;
  /** Returns when the attempt that produced `res` was sent. */
  sentAt(res: UpstreamResponse): number | undefined;
}

/** Creates an attempt clock (responses pass unchanged through the stages above it, so they are keys). */
export function createAttemptClock(now: () => number): AttemptClock {
  const stamps = new WeakMap<UpstreamResponse, number>();
  return {
    stage: (next) => async (req) => {
      const sent = now();
      const res = await next(req);
      stamps.set(res, sent);
      return res;
    },
    sentAt: (res) => stamps.get(res),
  };
}

/** Creates the cache stage; it sits outside retry (one lookup per call, not per attempt). */
export function cacheStage(options: CacheStageOptions): Stage {
  const { store, ttlMs, now } = options;
  if (ttlMs <= 0) return (next) => next;
  return (next) => async (req) => {
    // A list call whose generation could not be read (./generation.ts) neither reuses nor leaves an answer.
    if (req.method !== 'GET' || req.generation?.cacheable === false) return next(req);
    const key = `${options.partition ?? ''}${requestKey(req)}`;
    const serving = options.serve?.() ?? true;
    const hit = serving ? fromCached(await store.get(key)) : undefined;
    // For the call's span, when tracing is on (docs/tracing.md).
    noteCacheLookup(hit ? 'hit' : serving ? 'miss' : 'unproven');
    if (hit) {
      options.onHit?.(req);
      return hit;
    }
    options.onMiss?.(req);
    if (!serving) options.onUnproven?.(req);
    const entered = now();
    const res = await next(req);
    if (res.status === 200) {
      const producedAt = options.sentAt?.(res) ?? entered;
      const leftMs = (options.ttlFor?.(req, res, producedAt) ?? ttlMs) - (now() - producedAt);
      // Not awaited: the caller has its answer; a slow or failing store only costs a later miss.
      if (leftMs > 0) void store.set(key, toCached(res, producedAt), leftMs).catch(() => undefined);
    }
    return res;
  };
}

// Responses already rebuilt from stored entries. The memory store hands back the same entry object
// on every hit, so a page polled by many clients is parsed once per entry, not once per hit (and
// the endpoint converts the same parsed body once, see endpoints.ts); a Redis hit is a new object.
const rebuilt = new WeakMap<CachedResponse, UpstreamResponse>();

// The response a stored entry stands for; `undefined` for a miss or an entry that no longer parses (a damaged store).
function fromCached(cached: CachedResponse | undefined): UpstreamResponse | undefined {
  if (!cached) return undefined;
  const known = rebuilt.get(cached);
  if (known) return known;
  const json = parseJson(cached.body);
  if (!json.ok) return undefined;
  const res = { status: cached.status, headers: cached.headers, body: cached.body, requestId: cached.requestId, json: json.value };
  rebuilt.set(cached, res);
  return res;
}

// The stored form of a response.
function toCached(res: UpstreamResponse, producedAt: number): CachedResponse {
  return { status: res.status, headers: res.headers, body: res.body, requestId: res.requestId, producedAt };
}
