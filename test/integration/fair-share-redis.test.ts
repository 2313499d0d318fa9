/**
 * Fair share of the quota across replicas (docs/architecture.md, Fairness): two gateways share
 * one quota in Redis; an attacker floods `nodes(ids:)` through one and abandons its requests; a
 * second caller's 32 lookups through both all succeed, turns hold within each gateway, what one
 * gateway's flood puts ahead of the other's caller is bounded, and abandoned slots are released
 * in Redis. Skipped where no redis-server is installed (CI installs it).
 */
import { createRedisState } from '../../src/state/index';
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { findRedisServer, startRedisServer, type RedisServer } from '../support/redis-server';
import { eventually } from '../support/eventually';
import { ATTACKER_KEY, countingState, DETAIL_LIMIT, sendAttack, VICTIM_KEY } from '../support/flood';
import { startStack, type Stack } from '../support/stack';

const others: Array<{ close(): Promise<void> }> = [];
// Stops the running test's attacker, so that a failed or timed-out test leaves no loop behind for the next.
let haltAttack = (): void => undefined;

afterEach(async () => {
  haltAttack();
  for (const o of others.splice(0).reverse()) await o.close();
});

const HAVE_REDIS = findRedisServer();

(HAVE_REDIS ? describe : describe.skip)('two gateways sharing one quota in Redis', () => {
  it("keep turns within each gateway, bound what one gateway's flood puts ahead of the other's caller, and release abandoned slots in Redis", async () => {
    const redis: RedisServer = await startRedisServer();
    others.push({ close: () => redis.stop() });
    const sim: Simulator = await createSimulator({ quiet: true, records: 2000, rateLimits: { 'url-tasks': 0, detail: 0 } });
    others.push({ close: () => sim.close() });
    // One order of events across both gateways (one process): who started, between whose asking and starting.
    const order: Array<{ gw: number; type: string; caller?: string; waitingOnA?: number }> = [];
    const counted = [0, 1].map(() =>
      countingState(createRedisState({ url: redis.url, keyPrefix: 'cdngw:fair:', commandTimeoutMs: 10_000, connectTimeoutMs: 10_000 })),
    );
    const env = { AUTH_MODE: 'api-key', API_KEYS: `${ATTACKER_KEY},${VICTIM_KEY}`, REDIS_URL: redis.url, RATE_LIMIT_DETAIL: String(DETAIL_LIMIT), CACHE_TTL_MS: '0', REQUEST_TIMEOUT_MS: '20000', UPSTREAM_TIMEOUT_MS: '10000', MAX_QUEUED_PER_REQUEST: '10' };
    const gateways: Stack[] = [];
    for (const gw of [0, 1]) {
      const g = await startStack({
        upstream: sim,
        env,
        economy: {
          state: counted[gw]?.state,
          coalesce: false,
          onEvent: (e) => {
            if ((e.type === 'started' || e.type === 'queued') && e.operation === 'detail') {
              // When one asks, how many attempts wait on A holding booked slots (they may come first in time).
              const waitingOnA = gateways[0]?.economy?.metrics().limiter.byOperation.detail.queueLength;
              order.push({ gw, type: e.type, caller: e.caller, waitingOnA });
            }
          },
        },
      });
      others.push(g);
      gateways.push(g);
    }
    const [a, b] = gateways as [Stack, Stack];
    const countAttacker = (): number => order.filter((o) => o.type === 'started' && o.caller === 'api-key:key-1').length;
    // The attacker floods gateway A, 2 requests at a time (each booking at most 10 slots), each abandoned after 20 more of its lookups started.
    let stop = false;
    haltAttack = () => {
      stop = true;
    };
    let round = 0;
    const pending: Array<Promise<unknown>> = [];
    const attack = async (): Promise<void> => {
      while (!stop) {
        const before = countAttacker();
        const { controller, sent } = sendAttack(a.url, round++);
        pending.push(sent);
        await eventually(() => expect(stop || countAttacker() >= before + 20).toBe(true), { timeoutMs: 30_000 }).catch(() => undefined); // a slow machine: abandon it anyway
        controller.abort();
        await sent;
      }
    };
    const attackers = Array.from({ length: 2 }, () => attack());
    await eventually(() => expect(a.economy?.metrics().limiter.byOperation.detail.queueLength).toBeGreaterThanOrEqual(10), { timeoutMs: 90_000 });

    // The victim: 32 lookups, one after another, alternately through A and B.
    const answers = [];
    const marks: Array<{ gw: number; from: number }> = [];
    for (let i = 0; i < 32; i++) {
      const gw = i % 2;
      marks.push({ gw, from: order.length });
      answers.push(await (gw ? b : a).query<{ task: unknown }>(`{ task(taskId: "${30_000_000 + i}") { id } }`, undefined, { 'x-api-key': VICTIM_KEY }));
    }
    stop = true;
    await Promise.all(attackers);
    await Promise.all(pending);

    expect(answers.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(Array(32).fill(undefined));
    for (const [i, mark] of marks.entries()) {
      const until = marks[i + 1]?.from ?? order.length;
      const mine = order.slice(mark.from, until);
      const startedAt = mine.findIndex((o) => o.type === 'started' && o.caller === 'api-key:key-2');
      expect(startedAt).toBeGreaterThanOrEqual(0);
      // From the victim's asking (its queued event, when it waited) to its start.
      const askedAt = mine.findIndex((o) => o.type === 'queued' && o.caller === 'api-key:key-2');
      const between = askedAt < 0 || askedAt > startedAt ? [] : mine.slice(askedAt, startedAt).filter((o) => o.type === 'started');
      // On A, turns: one attacker slot at most, as in the single-gateway test. On B, the attempts A held booked slots for
      // when the victim asked (each of A's requests holds at most 10), plus at most one window of starts at the victim's own
      // moment: a slot A released before it lets later bookings start at the same millisecond, and timers due together fire
      // in any order.
      const bound = mark.gw === 0 ? 1 : (mine[askedAt]?.waitingOnA ?? 0) + DETAIL_LIMIT;
      expect(between.length).toBeLessThanOrEqual(bound);
    }
    // Nothing abandoned stays booked in Redis: every booking started or was released.
    await eventually(() => expect(a.economy?.metrics().limiter.byOperation.detail.queueLength).toBe(0));
    const startedAll = order.filter((o) => o.type === 'started').length;
    const booked = counted.reduce((n, c) => n + c.counts.booked, 0);
    const released = counted.reduce((n, c) => n + c.counts.released, 0);
    expect(released).toBeGreaterThan(0);
    expect(booked).toBe(startedAll + released);
  }, 300_000);
});
