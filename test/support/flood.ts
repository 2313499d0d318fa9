/**
 * What the fair-share tests share (test/integration/fair-share*.test.ts): the two callers' keys, a
 * limiter store that counts bookings and releases, and the attacker's uncached lookups.
 */
import { toTaskGlobalId } from '../../src/graph/ids';
import { createMemoryState, type SharedState } from '../../src/state/index';
import type { RateAdaptation } from '../../src/state/adaptive-rate';
import type { CallerShare } from '../../src/state/types';

/** The attacker's API key (caller `api-key:key-1`). */
export const ATTACKER_KEY = 'attacker-key-0123456789';
/** The victim's API key (caller `api-key:key-2`). */
export const VICTIM_KEY = 'victim-key-0123456789ab';
/** The gateway's detail limit in these tests: below the default, so that a flood costs a busy machine less CPU. */
export const DETAIL_LIMIT = 20;

/** Wraps a state so that its limiter counts what was booked and what was given back for one operation. */
export function countingState(inner: SharedState = createMemoryState({ cacheMaxBytes: 1 << 20 }), operation = 'detail'): { state: SharedState; counts: { booked: number; released: number } } {
  const counts = { booked: 0, released: 0 };
  const limiter = {
    ...inner.limiter,
    async book(key: string, limit: number, windowMs: number, maxWaitMs: number, adaptation?: RateAdaptation, share?: CallerShare) {
      const booking = await inner.limiter.book(key, limit, windowMs, maxWaitMs, adaptation, share);
      if (booking.granted && key === operation) counts.booked++;
      return booking;
    },
    async release(key: string, start: number, caller?: string) {
      if (key === operation) counts.released++;
      return inner.limiter.release(key, start, caller);
    },
  };
  return { state: { ...inner, limiter }, counts };
}

/** Sends a nodes(ids:) flood request that the returned controller abandons. */
export function sendAttack(url: string, round: number): { controller: AbortController; sent: Promise<unknown> } {
  const controller = new AbortController();
  const sent = fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': ATTACKER_KEY },
    body: JSON.stringify({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids: attackIds(round) } }),
    signal: controller.signal,
  }).catch(() => undefined);
  return { controller, sent };
}

/** Returns 100 task ids nobody has (each costs one detail call, answered null): uncached, distinct per round. */
export const attackIds = (round: number): string[] => Array.from({ length: 100 }, (_, i) => toTaskGlobalId(String(10_000_000 + round * 100 + i), null));
