/**
 * Two gateway replicas sharing one Redis: one upstream quota (5 url-tasks calls a second
 * across both) and one response cache. Runs against a throwaway
 * redis-server; without redis-server on PATH a test named so says loudly that it did not run.
 */
import { Redis } from 'ioredis';
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { createRedisState } from '../../src/state/redis';
import { eventually } from '../support/eventually';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server';
import { OPS, startStack, type GqlResponse, type Stack } from '../support/stack';

const HOUR_MS = 3_600_000;
const BASE = Date.now() - HOUR_MS;

const DASHBOARD = /* GraphQL */ `
  query Dashboard($filter: UrlTaskFilter) {
    urlTasks(first: 10, filter: $filter) { nodes { id } }
  }
`;
const filter = (shift: number): Record<string, string> => ({
  createdAfter: new Date(BASE - 5 * HOUR_MS - shift * 60_000).toISOString(),
  createdBefore: new Date(BASE - shift * 60_000).toISOString(),
});
type Dashboard = { urlTasks: { nodes: Array<{ id: string }> } };
const ok = (r: GqlResponse<Dashboard>): boolean => r.status === 200 && r.errors === undefined && (r.data?.urlTasks.nodes.length ?? 0) > 0;

describeWithRedis('Two gateways sharing one Redis', 'test/integration/redis-gateways.test.ts', () => {
  let redis: RedisServer;
  let sim: Simulator;
  let gateways: Stack[] = [];

  beforeAll(async () => {
    [redis, sim] = await Promise.all([startRedisServer(), createSimulator({ quiet: true, records: 5000 })]);
  });

  afterEach(async () => {
    for (const g of gateways) await g.close();
    gateways = [];
  });

  afterAll(async () => {
    await sim?.close();
    await redis?.stop();
  });

  // Runs `fn` with a plain connection to the test Redis.
  async function withRaw<T>(fn: (raw: Redis) => Promise<T>): Promise<T> {
    const raw = new Redis(redis.url);
    try {
      return await fn(raw);
    } finally {
      raw.disconnect();
    }
  }

  // The production Redis state both replicas share (one prefix), with command and connect timeouts that a busy machine's
  // event-loop stalls cannot reach: the defaults (250 ms, 2 s) would send a stalled reservation to the memory fallback, or
  // fail a start-up, and change what the tests count.
  function patientRedisState() {
    return createRedisState({ url: redis.url, keyPrefix: 'cdngw:shared:', commandTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
  }

  async function twoGateways(): Promise<[Stack, Stack]> {
    // The attempt timeout is the whole deadline, so that a slow attempt on a busy machine is not cut and retried (a retry
    // would be one more upstream call than queries). The widest window margin (a 2 s window) gives the burst's
    // reservations two seconds to all reach Redis before the first window ends.
    const env = { REDIS_URL: redis.url, REQUEST_TIMEOUT_MS: '15000', UPSTREAM_TIMEOUT_MS: '15000', CACHE_TTL_MS: '5000', RATE_LIMIT_MARGIN_MS: '1000' };
    gateways = await Promise.all([0, 1].map(() => startStack({ upstream: sim, env, economy: { state: patientRedisState() } })));
    // Warm both (connections, compiled code paths), as serving replicas are, then start counting afresh.
    await Promise.all(gateways.map((g, i) => g.query(DASHBOARD, { filter: filter(1000 + i) })));
    await gateways[0]?.sim('POST', '/__sim/reset', {});
    // The warm-up's reservations and cache entries go too.
    await withRaw((raw) => raw.flushall());
    return gateways as [Stack, Stack];
  }

  it('two gateways share one quota: of 2 × 6 different queries at once, more wait for their turn than two quotas of 5 would make wait', async () => {
    const [a, b] = await twoGateways();
    // The simulator's own limit is lifted: it counts a second from when calls arrive, and on a busy machine calls reserved a
    // second apart can arrive closer together than that. What is shared is the reservation book, which the economies report on.
    await a.sim('PUT', '/__sim/faults', { rateLimits: { 'url-tasks': 0 } });
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).query<Dashboard>(DASHBOARD, { filter: filter(i + 1) })));
    expect(responses.filter((r) => !ok(r)).map((r) => r.errors?.[0]?.extensions?.code)).toEqual([]);
    const stats = await a.sim<{ requests: Record<string, number>; throttled: number }>('GET', '/__sim/stats');
    expect(stats).toMatchObject({ requests: { [OPS.urlTasks]: 12 }, throttled: 0 });
    // One quota: 5 go at once and 7 wait. Two quotas of 5 would make at most 1 of each gateway's 6 wait. Fewer than 3
    // waiting would need 10 reservations to find a free slot: the burst spread over more than a 2 s window.
    expect((a.economy?.metrics().limiter.queued ?? 0) + (b.economy?.metrics().limiter.queued ?? 0)).toBeGreaterThan(2);
    expect(a.economy?.metrics().state).toBe('redis');
  });

  it('two gateways share one cache: a query one answered costs the other no upstream call', async () => {
    const [a, b] = await twoGateways();
    const first = await a.query<Dashboard>(DASHBOARD, { filter: filter(100) });
    // The cache write is not awaited by the caller: wait until Redis holds it.
    await eventually(() => withRaw(async (raw) => expect(await raw.keys('cdngw:*:cache:*')).toHaveLength(1)));
    const second = await b.query<Dashboard>(DASHBOARD, { filter: filter(100) });
    expect(ok(first)).toBe(true);
    expect(second.data).toEqual(first.data);
    expect(await a.upstreamCalls(OPS.urlTasks)).toBe(1);
    expect(b.economy?.metrics().cache.hits).toBe(1);
  });
});
