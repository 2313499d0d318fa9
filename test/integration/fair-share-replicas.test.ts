/**
 * Fair share across replicas (docs/architecture.md, Fairness, Across replicas): two gateways on one
 * Redis, the simulator enforcing Huawei's limits, `AUTH_MODE=api-key` with two keys. The attacker
 * floods gateway A with `nodes(ids:)` requests, several at once (on A alone they may book
 * MAX_QUEUED_PER_CALLER = 40 slots); the victim's lookups go one after another through gateway B,
 * which sees none of A's turns. Every victim lookup succeeds, and the attacker holds at most
 * `2 × MAX_QUEUED_PER_CALLER_SHARED` slots in the shared window between the victim's asking and its
 * slot: those booked and not yet due when it asked, and those booked later at its own millisecond
 * (read from the bookings, on Redis's clock). Without the share across replicas the victim's slot
 * came after all 40 of A's (each lookup waited about two seconds). Skipped without redis-server.
 */
import { createRedisState, type SharedState } from '../../src/state/index';
import type { RateAdaptation } from '../../src/state/adaptive-rate';
import type { CallerShare } from '../../src/state/types';
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { findRedisServer, startRedisServer, type RedisServer } from '../support/redis-server';
import { eventually } from '../support/eventually';
import { ATTACKER_KEY, DETAIL_LIMIT, sendAttack, VICTIM_KEY } from '../support/flood';
import { startStack, type Stack } from '../support/stack';

const others: Array<{ close(): Promise<void> }> = [];
let haltAttack = (): void => undefined;

afterEach(async () => {
  haltAttack();
  for (const o of others.splice(0).reverse()) await o.close();
});

const HAVE_REDIS = findRedisServer();
const ATTACKER = 'api-key:key-1';
const VICTIM = 'api-key:key-2';

// What the gateways' limiters booked (granted, on Redis's clock) and gave back, by gateway: A's are the attacker's, B's the victim's.
interface Ledger {
  readonly booked: Array<{ gw: number; start: number; waitMs: number }>;
  readonly released: Array<{ gw: number; start: number }>;
}

// Wraps a gateway's state so that its limiter writes detail bookings and releases into the ledger.
function recording(inner: SharedState, ledger: Ledger, gw: number): SharedState {
  const limiter = {
    ...inner.limiter,
    async book(key: string, limit: number, windowMs: number, maxWaitMs: number, adaptation?: RateAdaptation, share?: CallerShare) {
      const booking = await inner.limiter.book(key, limit, windowMs, maxWaitMs, adaptation, share);
      if (key === 'detail' && booking.granted && booking.start !== undefined) ledger.booked.push({ gw, start: booking.start, waitMs: booking.waitMs });
      return booking;
    },
    async release(key: string, start: number, caller?: string) {
      if (key === 'detail') ledger.released.push({ gw, start });
      return inner.limiter.release(key, start, caller);
    },
  };
  return { ...inner, limiter };
}
// The attacker's concurrent requests on A: together they could book MAX_QUEUED_PER_CALLER (40) slots on A alone.
const ATTACK_REQUESTS = 3;
const VICTIM_LOOKUPS = 16;
// MAX_QUEUED_PER_CALLER_SHARED: the default.
const SHARED_CAP = 1;

(HAVE_REDIS ? describe : describe.skip)('a flood through one gateway, a victim through another, one Redis', () => {
  it('the victim waits behind a bounded number of attacker slots, however many the attacker could book on its own replica', async () => {
    const redis: RedisServer = await startRedisServer();
    others.push({ close: () => redis.stop() });
    // Huawei's limits, enforced by the simulator (detail 30/s); the gateways allow themselves 20/s.
    const sim: Simulator = await createSimulator({ quiet: true, records: 2000 });
    others.push({ close: () => sim.close() });
    const order: Array<{ gw: number; type: string; caller?: string }> = [];
    const ledger: Ledger = { booked: [], released: [] };
    const env = {
      AUTH_MODE: 'api-key',
      API_KEYS: `${ATTACKER_KEY},${VICTIM_KEY}`,
      REDIS_URL: redis.url,
      RATE_LIMIT_DETAIL: String(DETAIL_LIMIT),
      CACHE_TTL_MS: '0',
      REQUEST_TIMEOUT_MS: '20000',
      UPSTREAM_TIMEOUT_MS: '15000',
    };
    const gateways: Stack[] = [];
    for (const gw of [0, 1]) {
      const g = await startStack({
        upstream: sim,
        env,
        economy: {
          // Patient Redis: a busy machine's event-loop stalls must not send bookings to the per-replica fallback.
          state: recording(createRedisState({ url: redis.url, keyPrefix: 'cdngw:replicas:', commandTimeoutMs: 10_000, connectTimeoutMs: 10_000 }), ledger, gw),
          coalesce: false,
          onEvent: (e) => {
            if ((e.type === 'started' || e.type === 'queued') && e.operation === 'detail') order.push({ gw, type: e.type, caller: e.caller });
          },
        },
      });
      others.push(g);
      gateways.push(g);
    }
    const [a, b] = gateways as [Stack, Stack];
    const attackerStarts = (): number => order.filter((o) => o.type === 'started' && o.caller === ATTACKER).length;

    // The attacker's requests in flight: abandoned all at once when the test ends (their booked slots are released).
    let stop = false;
    const inFlight = new Set<AbortController>();
    haltAttack = () => {
      stop = true;
      for (const c of inFlight) c.abort();
    };
    let round = 0;
    const attack = async (): Promise<void> => {
      while (!stop) {
        const { controller, sent } = sendAttack(a.url, round++);
        inFlight.add(controller);
        await sent;
        inFlight.delete(controller);
      }
    };
    const attackers = Array.from({ length: ATTACK_REQUESTS }, () => attack());
    // The flood is on: the attacker's attempts wait for slots on A.
    await eventually(() => expect(a.economy?.metrics().limiter.byOperation.detail.queueLength).toBeGreaterThanOrEqual(1), { timeoutMs: 60_000 });
    await eventually(() => expect(attackerStarts()).toBeGreaterThanOrEqual(2 * DETAIL_LIMIT), { timeoutMs: 60_000 });

    const answers = [];
    const marks: number[] = [];
    for (let i = 0; i < VICTIM_LOOKUPS; i++) {
      marks.push(order.length);
      answers.push(await b.query<{ task: unknown }>(`{ task(taskId: "${40_000_000 + i}") { id } }`, undefined, { 'x-api-key': VICTIM_KEY }));
    }
    haltAttack();
    await Promise.all(attackers);

    expect(answers.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(Array(VICTIM_LOOKUPS).fill(undefined));
    expect(a.economy?.metrics().stateErrors).toBe(0);
    expect(b.economy?.metrics().stateErrors).toBe(0);

    // In the shared window: attacker slots (booked, never given back) from the victim's asking to its own slot, inclusive.
    const victimSlots = ledger.booked.filter((x) => x.gw === 1);
    expect(victimSlots).toHaveLength(VICTIM_LOOKUPS);
    const attackerSlots = ledger.booked.filter((x) => x.gw === 0).map((x) => x.start);
    for (const r of ledger.released.filter((x) => x.gw === 0)) attackerSlots.splice(attackerSlots.indexOf(r.start), 1);
    const ahead = victimSlots.map(({ start, waitMs }) => attackerSlots.filter((t) => t >= start - waitMs && t <= start).length);
    expect(Math.max(...ahead)).toBeLessThanOrEqual(2 * SHARED_CAP);
    // Some lookups did wait behind the attacker: the flood was on.
    expect(ahead.some((n) => n > 0)).toBe(true);

    // The same in starts handed out (both gateways run in this process, one order of events): attacker starts between each
    // victim lookup's asking and its start. A gateway times a slot from when Redis's answer reaches it, so attacker slots
    // just after the victim's may start first, by as much as that answer was late on a busy machine: this allows one
    // window of slack over the bound above, still half of the 40 slots A alone could hold for the attacker.
    const between = marks.map((from, i) => {
      const mine = order.slice(from, marks[i + 1] ?? order.length);
      const startedAt = mine.findIndex((o) => o.type === 'started' && o.caller === VICTIM);
      const askedAt = mine.findIndex((o) => o.type === 'queued' && o.caller === VICTIM);
      expect(startedAt).toBeGreaterThanOrEqual(0);
      return askedAt < 0 || askedAt > startedAt ? 0 : mine.slice(askedAt, startedAt).filter((o) => o.type === 'started').length;
    });
    expect(Math.max(...between)).toBeLessThanOrEqual(DETAIL_LIMIT);
  }, 300_000);
});
