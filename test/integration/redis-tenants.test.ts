/**
 * Gateways of different tenants on one Redis (docs/architecture.md, Shared state): different IAM
 * tokens share neither cache nor quota, a refused gateway is never answered from another's cached
 * data, gateways with the same AK still share both, and different enterprise projects never share
 * a cached history-tasks answer. Runs against a throwaway redis-server and the simulator; the
 * Redis key prefixes are derived as in production (from the credentials each gateway signs with).
 */
import { Redis } from 'ioredis';
import type { CdnAuth } from '../../src/cdn/options';
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { eventually } from '../support/eventually';
import { callSimulator } from '../support/sim-control';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server';
import { OPS, startStack, type GqlResponse, type Stack } from '../support/stack';

const HOUR_MS = 3_600_000;
const BASE = Date.now() - HOUR_MS;

const TOKEN_A = 'MIIFtenant-a-iam-token-0123456789abcdef';
const TOKEN_B = 'MIIFtenant-b-iam-token-0123456789abcdef';
const EXPIRING = 'MIIFtenant-e-iam-token-0123456789abcdef';
const REFUSED = 'MIIFnever-issued-iam-token-0123456789ab';

const DASHBOARD = /* GraphQL */ `
  query Dashboard($filter: UrlTaskFilter) {
    urlTasks(first: 10, filter: $filter) { nodes { id } }
  }
`;
// A fixed range: without one the range ends now, and each call would be another cache key.
const TASKS = /* GraphQL */ `
  query Tasks($filter: TaskFilter) { tasks(first: 5, filter: $filter) { nodes { id } } }
`;
const TASK_RANGE = { filter: { createdAfter: new Date(BASE - 24 * HOUR_MS).toISOString(), createdBefore: new Date(BASE).toISOString() } };
const filter = (shift: number): Record<string, string> => ({
  createdAfter: new Date(BASE - 5 * HOUR_MS - shift * 60_000).toISOString(),
  createdBefore: new Date(BASE - shift * 60_000).toISOString(),
});
type Dashboard = { urlTasks: { nodes: Array<{ id: string }> } | null };
const ok = (r: GqlResponse<Dashboard>): boolean => r.status === 200 && r.errors === undefined && (r.data?.urlTasks?.nodes.length ?? 0) > 0;

describeWithRedis('Gateways of several tenants on one Redis', 'test/integration/redis-tenants.test.ts', () => {
  let redis: RedisServer;
  let sim: Simulator;
  let tokenNow = Date.now();
  let gateways: Stack[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    sim = await createSimulator({
      quiet: true,
      records: 5000,
      tokenClock: () => tokenNow,
      tokens: [TOKEN_A, TOKEN_B].map((token) => ({ token, expiresAt: Number.MAX_SAFE_INTEGER })).concat({ token: EXPIRING, expiresAt: tokenNow + HOUR_MS }),
    });
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

  // The distinct `cdngw:<hash>:` prefixes of the keys of one kind (`rate` or `cache`) in Redis.
  const prefixes = (kind: 'rate' | 'cache'): Promise<string[]> =>
    withRaw(async (raw) => [...new Set((await raw.keys(`cdngw:*:${kind}:*`)).map((k) => k.split(':')[1] ?? ''))].sort());

  /**
   * Starts one gateway per entry on the shared Redis and simulator, warms each (its credentials are then proven if the
   * simulator accepts them), and starts counting afresh. Redis timeouts are lengthened so that a busy machine's stalls
   * do not send a call to the memory fallback; the key prefix is the production one.
   */
  async function start(specs: Array<{ auth?: CdnAuth; env?: Record<string, string> }>): Promise<[Stack, Stack, Stack]> {
    const base = { REDIS_URL: redis.url, REQUEST_TIMEOUT_MS: '15000', UPSTREAM_TIMEOUT_MS: '15000', CACHE_TTL_MS: '60000', RATE_LIMIT_MARGIN_MS: '1000' };
    gateways = await Promise.all(
      specs.map((spec) =>
        startStack({
          upstream: sim,
          ...(spec.auth ? { auth: spec.auth } : {}),
          env: { ...base, ...spec.env },
          economy: { redisTimeouts: { commandTimeoutMs: 10_000, connectTimeoutMs: 10_000 } },
        }),
      ),
    );
    await Promise.all(gateways.map((g, i) => g.query(DASHBOARD, { filter: filter(1000 + i) })));
    await callSimulator(sim.url, 'POST', '/__sim/reset', {});
    await withRaw((raw) => raw.flushall());
    // Callers destructure as many as they started.
    return gateways as [Stack, Stack, Stack];
  }

  it('two IAM-token gateways with different tokens share no cache entry and no quota', async () => {
    const [a, b] = await start([{ auth: { kind: 'token', token: TOKEN_A } }, { auth: { kind: 'token', token: TOKEN_B } }]);
    // Separate quotas: 5 different queries on each at once fit each tenant's 5/s book, so none waits.
    // One shared book of 5 would make at least 5 of the 10 wait (the 2 s window outlasts the burst).
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).query<Dashboard>(DASHBOARD, { filter: filter(i + 1) })));
    expect(burst.filter((r) => !ok(r)).map((r) => r.errors?.[0]?.extensions?.code)).toEqual([]);
    expect((a.economy?.metrics().limiter.queued ?? -1) + (b.economy?.metrics().limiter.queued ?? -1)).toBe(0);
    expect(await prefixes('rate')).toHaveLength(2);

    // No cache hit across them: b asks the upstream for what a just answered and stored.
    const first = await a.query<Dashboard>(DASHBOARD, { filter: filter(100) });
    await eventually(async () => expect(await withRaw((raw) => raw.keys('cdngw:*:cache:*'))).toHaveLength(11));
    const second = await b.query<Dashboard>(DASHBOARD, { filter: filter(100) });
    expect(ok(first) && ok(second)).toBe(true);
    expect(second.data).toEqual(first.data);
    expect(await a.upstreamCalls(OPS.urlTasks)).toBe(12);
    expect(a.economy?.metrics().cache.hits).toBe(0);
    expect(b.economy?.metrics().cache.hits).toBe(0);
    expect(await prefixes('cache')).toHaveLength(2);
    // Neither token, nor the old fixed scope, is readable in Redis.
    const keys = await withRaw((raw) => raw.keys('*'));
    expect(keys.join('\n')).not.toMatch(/MIIF|iam-token/);
  });

  it('a gateway whose token the upstream refuses gets UPSTREAM_UNAUTHORIZED, never the cached answers of a gateway it shares a quota with', async () => {
    // The operator declares both one account: they share the quota book, which is the closest a refused gateway gets.
    const env = { UPSTREAM_ACCOUNT_ID: 'acct-0001' };
    const [a, refused] = await start([
      { auth: { kind: 'token', token: TOKEN_A }, env },
      { auth: { kind: 'token', token: REFUSED }, env },
    ]);
    const queries = [100, 101, 102].map((shift) => ({ filter: filter(shift) }));
    const before = refused.economy?.metrics().cache;
    for (const v of queries) expect(ok(await a.query<Dashboard>(DASHBOARD, v))).toBe(true);
    await eventually(async () => expect(await withRaw((raw) => raw.keys('cdngw:*:cache:*'))).toHaveLength(3));
    for (const v of queries) {
      const answer = await refused.query<Dashboard>(DASHBOARD, v);
      expect(answer.data?.urlTasks ?? null).toBeNull();
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAUTHORIZED']);
    }
    const after = refused.economy?.metrics().cache;
    // Every lookup skipped (its warm-up was refused too), none served.
    expect(after?.hits).toBe(0);
    expect([(after?.misses ?? 0) - (before?.misses ?? 0), (after?.unprovenMisses ?? 0) - (before?.unprovenMisses ?? 0)]).toEqual([3, 3]);
    // One quota book for the declared account, and still one cache partition (a's).
    expect(await prefixes('rate')).toHaveLength(1);
    expect(await prefixes('cache')).toHaveLength(1);
  });

  it('a gateway whose token expires stops answering from the cache at the first refusal', async () => {
    const [g] = await start([{ auth: { kind: 'token', token: EXPIRING } }]);
    const cached = { filter: filter(200) };
    expect(ok(await g.query<Dashboard>(DASHBOARD, cached))).toBe(true);
    expect(ok(await g.query<Dashboard>(DASHBOARD, cached))).toBe(true);
    expect(g.economy?.metrics().cache.hits).toBe(1);
    tokenNow += 2 * HOUR_MS;
    try {
      expect((await g.query<Dashboard>(DASHBOARD, { filter: filter(201) })).errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAUTHORIZED');
      // The entry is still in Redis (60 s bound), but the credentials were just refused.
      const after = await g.query<Dashboard>(DASHBOARD, cached);
      expect(after.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAUTHORIZED']);
      expect(g.economy?.metrics().cache.hits).toBe(1);
      expect(await g.upstreamCalls(OPS.urlTasks)).toBe(3);
    } finally {
      tokenNow -= 2 * HOUR_MS;
    }
  });

  it('two AK/SK gateways with the same AK still share one cache and one quota book', async () => {
    const [a, b] = await start([{}, {}]);
    const first = await a.query<Dashboard>(DASHBOARD, { filter: filter(300) });
    await eventually(async () => expect(await withRaw((raw) => raw.keys('cdngw:*:cache:*'))).toHaveLength(1));
    const second = await b.query<Dashboard>(DASHBOARD, { filter: filter(300) });
    expect(ok(first)).toBe(true);
    expect(second.data).toEqual(first.data);
    expect(await a.upstreamCalls(OPS.urlTasks)).toBe(1);
    expect(b.economy?.metrics().cache.hits).toBe(1);
    expect(await prefixes('rate')).toHaveLength(1);
  });

  it('gateways of different enterprise projects do not share cached history-tasks answers; the same project does', async () => {
    const [p0, pAll, p0Again] = await start([
      { env: { HUAWEICLOUD_ENTERPRISE_PROJECT_ID: '0' } },
      { env: { HUAWEICLOUD_ENTERPRISE_PROJECT_ID: 'all' } },
      { env: { HUAWEICLOUD_ENTERPRISE_PROJECT_ID: '0' } },
    ]);
    const first = await p0.query(TASKS, TASK_RANGE);
    expect(first.errors).toBeUndefined();
    await eventually(async () => expect(await withRaw((raw) => raw.keys('cdngw:*:cache:*'))).toHaveLength(1));
    expect((await pAll.query(TASKS, TASK_RANGE)).errors).toBeUndefined();
    expect(await p0.upstreamCalls(OPS.historyTasks)).toBe(2);
    expect(pAll.economy?.metrics().cache.hits).toBe(0);
    // Control: a gateway of the same project is answered from the entry p0 stored.
    expect((await p0Again.query(TASKS, TASK_RANGE)).data).toEqual(first.data);
    expect(p0Again.economy?.metrics().cache.hits).toBe(1);
    expect(await p0.upstreamCalls(OPS.historyTasks)).toBe(2);
  });
});
