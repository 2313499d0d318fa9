/**
 * Stage: read-your-writes for the cache and coalescing (docs/architecture.md, Read your writes).
 *
 * A create (refresh, preheat) adds a task and records that url-tasks and historytasks list at
 * once, but the cached list answers and the list calls in flight predate it. Instead of finding
 * and deleting those, every list call is stamped with the tenant's list generation, which is
 * part of its coalescing and cache key (./request-key.ts), and a create bumps the generation
 * before its answer goes back to the caller. List calls made after that key on the new value:
 * they join no earlier call and reuse no earlier answer, and the old entries, never read again,
 * expire with their staleness bound. O(1) per call: a counter read per list call (a Redis GET
 * with REDIS_URL, shared by every replica of the tenant) and one increment per create (INCR).
 *
 * List calls about a range that ended more than the live margin ago (src/cdn/freshness.ts,
 * LIVE_MARGIN_MS) are not stamped either: a create adds records at the upstream's "now", never
 * to a past range, so such answers (often settled history, cached for minutes) stay valid.
 *
 * Task details are not stamped: a create makes a task with a new id, whose detail was never
 * stored (only successes are cached, and an unknown task is an error), and changes no other
 * task's detail.
 *
 * When the shared counter cannot be read (Redis unreachable), the call is stamped with this
 * replica's own count of creates and marked uncacheable: it still coalesces with identical calls
 * made since this replica's last create, and neither reads nor writes a cache entry.
 */
import type { GenerationStore } from '../../state/types';
import { LIVE_MARGIN_MS, rangeEnd } from '../freshness';
import type { OperationName } from '../operations';
import type { Stage } from '../pipeline';

/** The operations whose answers a create can change: the lists. */
export const LIST_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>(['url-tasks', 'historytasks']);

/** The operations that create, and so bump the list generation. */
export const CREATE_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>(['refresh', 'preheat']);

/** The name of the list generation counter in the generation store. */
export const LIST_GENERATION = 'lists';

/** Options of the generation stage. */
export interface GenerationStageOptions {
  /** Where the generation lives: memory, or Redis shared by the tenant's replicas (a store that fails reports it itself). */
  readonly store: GenerationStore;
  /** The clock that tells a past range from a live one. @default Date.now */
  readonly now?: () => number;
}

/** Tells whether a create could change the answer of a list call: its range is live or names no end. */
export function createCanChange(req: Parameters<typeof rangeEnd>[0], now: number): boolean {
  const end = rangeEnd(req);
  return end === undefined || end > now - LIVE_MARGIN_MS;
}

/** Creates the generation stage; it sits outermost, before coalescing, whose key it extends. */
export function generationStage(options: GenerationStageOptions): Stage {
  const { store } = options;
  const now = options.now ?? Date.now;
  return (next) => {
    // Creates sent through this replica: the generation when the shared one cannot be read.
    let localCreates = 0;
    return async (req) => {
      if (req.method === 'GET' && LIST_OPERATIONS.has(req.operation)) {
        if (!createCanChange(req, now())) return next(req);
        const shared = await store.current(LIST_GENERATION);
        const generation = shared === undefined ? { value: `local-${localCreates}`, cacheable: false } : { value: shared, cacheable: true };
        return next({ ...req, generation });
      }
      if (req.method !== 'POST' || !CREATE_OPERATIONS.has(req.operation)) return next(req);
      try {
        return await next(req);
      } finally {
        // Failed creates too: a timeout or a reset after sending may hide a created task, and one
        // that created nothing costs only a few cache misses.
        localCreates++;
        await store.bump(LIST_GENERATION);
      }
    };
  };
}
