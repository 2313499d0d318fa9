/**
 * Fair share of the quota (docs/architecture.md, Fairness), end to end: GraphQL clients →
 * gateway with API-key callers → simulator, over loopback. An attacker floods `nodes(ids:)` with
 * 100 uncached task ids per request and abandons its requests; a second caller's 32 task lookups,
 * one after another, all succeed, and each is served within one slot of asking (measured in slots
 * handed out, not in time). Nothing the attacker abandoned stays booked in the limiter store.
 */
import type { EconomyEvent } from '../../src/cdn/economy';
import { toTaskGlobalId } from '../../src/graph/ids';
import { createMemoryState, type SharedState } from '../../src/state/index';
import { eventually } from '../support/eventually';
import { OPS, startStack, type Stack } from '../support/stack';

const ATTACKER_KEY = 'attacker-key-0123456789';
const VICTIM_KEY = 'victim-key-0123456789ab';
const DETAIL_LIMIT = 40;

let stack: Stack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

// A memory state whose limiter counts what was booked and what was given back.
function countingState(): { state: SharedState; counts: { booked: number; released: number } } {
  const inner = createMemoryState({ cacheMaxBytes: 1 << 20 });
  const counts = { booked: 0, released: 0 };
  const limiter = {
    reserve: inner.limiter.reserve,
    async book(key: string, limit: number, windowMs: number, maxWaitMs: number) {
      const booking = await inner.limiter.book(key, limit, windowMs, maxWaitMs);
      if (booking.granted && key === 'detail') counts.booked++;
      return booking;
    },
    async release(key: string, start: number) {
      if (key === 'detail') counts.released++;
      return inner.limiter.release(key, start);
    },
  };
  return { state: { ...inner, limiter }, counts };
}

// 100 task ids nobody has (each costs one detail call, answered null): uncached, distinct per request.
const attackIds = (round: number): string[] => Array.from({ length: 100 }, (_, i) => toTaskGlobalId(String(10_000_000 + round * 100 + i), null));

describe('one caller flooding task lookups', () => {
  it("cannot hold back another caller's lookups: each is served within one slot, and abandoned slots go back", async () => {
    const events: EconomyEvent[] = [];
    let attackerStarts = 0;
    const { state, counts } = countingState();
    stack = await startStack({
      // The simulator's own limit is lifted: it counts arrivals per second on a busy machine; the gateway's limiter is what is tested.
      simulator: { records: 2000, rateLimits: { 'url-tasks': 0, detail: 0 } },
      env: { AUTH_MODE: 'api-key', API_KEYS: `${ATTACKER_KEY},${VICTIM_KEY}`, RATE_LIMIT_DETAIL: String(DETAIL_LIMIT), CACHE_TTL_MS: '0', REQUEST_TIMEOUT_MS: '20000', UPSTREAM_TIMEOUT_MS: '10000' },
      economy: { state, coalesce: false, onEvent: (e) => {
          events.push(e);
          if (e.type === 'started' && e.caller === 'api-key:key-1') attackerStarts++;
        },
      },
    });
    const s = stack;
    const started = (caller: string): Array<Extract<EconomyEvent, { type: 'started' }>> =>
      events.filter((e): e is Extract<EconomyEvent, { type: 'started' }> => e.type === 'started' && e.operation === 'detail' && e.caller === caller);

    // The attacker: 4 requests at a time, each abandoned once 40 more of its lookups were served.
    let stop = false;
    let round = 0;
    const attackerRequests: Array<Promise<unknown>> = [];
    const attack = async (): Promise<void> => {
      while (!stop) {
        const controller = new AbortController();
        const before = attackerStarts;
        const ids = attackIds(round++);
        const sent = fetch(s.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': ATTACKER_KEY },
          body: JSON.stringify({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids } }),
          signal: controller.signal,
        }).catch(() => undefined);
        attackerRequests.push(sent);
        await eventually(() => expect(stop || attackerStarts >= before + 40).toBe(true), { timeoutMs: 30_000 });
        controller.abort();
        await sent;
      }
    };
    const attackers = Array.from({ length: 4 }, () => attack());
    // The flood is on: the attacker has attempts queued for detail slots.
    await eventually(() => expect(s.economy?.metrics().limiter.byOperation.detail.queueLength).toBeGreaterThanOrEqual(20), { timeoutMs: 30_000 });

    // The victim: 32 lookups of task ids nobody else asks for, one after another.
    const answers = [];
    for (let i = 0; i < 32; i++) {
      answers.push(await s.query<{ task: unknown }>(`{ task(taskId: "${20_000_000 + i}") { id } }`, undefined, { 'x-api-key': VICTIM_KEY }));
    }
    const queuedWhileVictim = s.economy?.metrics().limiter.byOperation.detail.queued ?? 0;
    stop = true;
    await Promise.all(attackers);
    await Promise.all(attackerRequests);

    expect(answers.map((a) => a.errors?.[0]?.extensions?.code)).toEqual(Array(32).fill(undefined));
    expect(answers.every((a) => a.status === 200 && a.data?.task === null)).toBe(true);
    const victim = started('api-key:key-2');
    expect(victim).toHaveLength(32);
    // Two callers wait: at most one attacker slot between the victim's asking and its turn.
    expect(Math.max(...victim.map((e) => e.slotsAhead))).toBeLessThanOrEqual(1);
    // The victim really competed with a backlog: the attacker's attempts were queued all along.
    expect(queuedWhileVictim).toBeGreaterThan(32);

    // Every abandoned booking went back: what was booked either started or was released, nothing stays booked.
    await eventually(() => expect(s.economy?.metrics().limiter.byOperation.detail.queueLength).toBe(0));
    const startedAll = events.filter((e) => e.type === 'started' && e.operation === 'detail').length;
    expect(counts.released).toBeGreaterThan(0);
    expect(counts.booked).toBe(startedAll + counts.released);
    // Only started slots reached the simulator (an abandoned request's calls may be cut on the wire before they arrive).
    expect(await s.upstreamCalls(OPS.detail)).toBeLessThanOrEqual(startedAll);
  }, 120_000);
});
