/**
 * Read-your-writes across replicas: two gateways share one Redis (cache and list generation);
 * a create through gateway A makes gateway B's next list call go upstream and show the new
 * records, although B had the same lists cached in Redis. Runs against a throwaway
 * redis-server; without redis-server on PATH a test named so says loudly that it did not run.
 *
 * The gateways' clocks stand still, so that a refetch is the very same upstream call as the
 * fetch before it; the cache holds answers for a minute, so that without the invalidation B
 * would certainly be answered from the page it cached before the create.
 */
import { Redis } from 'ioredis';
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { createRedisState } from '../../src/state/redis';
import { eventually } from '../support/eventually';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server';
import { OPS, startStack, type Stack } from '../support/stack';

// The gateways' "now": later than anything this file creates, fixed for the whole run.
const FROZEN = Date.now() + 10 * 60_000;
const UNLIMITED = { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 };

const LISTS = /* GraphQL */ `
  query Lists {
    urlTasks(first: 10) { nodes { url taskId } }
    tasks(first: 5) { nodes { taskId total } }
  }
`;
const CREATE_REFRESH = 'mutation($urls: [String!]!) { createRefreshTask(input: { urls: $urls }) { taskId } }';

interface Lists {
  urlTasks: { nodes: Array<{ url: string; taskId: string }> };
  tasks: { nodes: Array<{ taskId: string; total: number }> };
}

describeWithRedis('Read-your-writes across gateways sharing one Redis', 'test/integration/read-your-writes-redis.test.ts', () => {
  let redis: RedisServer;
  let sim: Simulator;
  let a: Stack;
  let b: Stack;
  let serial = 0;
  const unique = (name: string) => `https://cdn.example.com/ryw-redis-${Date.now()}-${++serial}/${name}`;

  beforeAll(async () => {
    [redis, sim] = await Promise.all([startRedisServer(), createSimulator({ quiet: true, records: 5000, rateLimits: UNLIMITED })]);
    // One Redis state per gateway, one prefix (the same account), with timeouts a busy machine's stalls cannot reach.
    const state = () => createRedisState({ url: redis.url, keyPrefix: 'cdngw:shared:', commandTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
    const env = { REDIS_URL: redis.url, CACHE_TTL_MS: '60000' };
    const start = () => startStack({ upstream: sim, env, economy: { state: state(), now: () => FROZEN, rateLimits: UNLIMITED }, now: () => FROZEN });
    [a, b] = await Promise.all([start(), start()]);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
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

  // Sends a query through a gateway and returns its data, failing the test on any GraphQL error.
  async function data<T>(gateway: Stack, query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await gateway.query<T>(query, variables);
    if (res.errors || !res.data) throw new Error(`unexpected answer ${res.status}: ${JSON.stringify(res.errors)}`);
    return res.data;
  }

  // The upstream list calls the simulator has received (from both gateways).
  const listCalls = async () => (await a.upstreamCalls(OPS.urlTasks)) + (await a.upstreamCalls(OPS.historyTasks));

  it('a create through gateway A shows on gateway B at once (3 of 3), though B had the lists cached in Redis', async () => {
    for (let trial = 1; trial <= 3; trial++) {
      const before = await data<Lists>(b, LISTS);
      // B's lists are cached in Redis: asking again costs no upstream call (once the writes, which the
      // caller does not await, have reached Redis).
      await eventually(async () => {
        const calls = await listCalls();
        expect(await data<Lists>(b, LISTS)).toEqual(before);
        expect(await listCalls()).toBe(calls);
      });

      const urls = [unique(`t${trial}-a.js`), unique(`t${trial}-b.css`)];
      const { createRefreshTask } = await data<{ createRefreshTask: { taskId: string } }>(a, CREATE_REFRESH, { urls });
      const calls = await listCalls();

      const after = await data<Lists>(b, LISTS);
      expect(after.urlTasks.nodes.filter((n) => n.taskId === createRefreshTask.taskId).map((n) => n.url).sort()).toEqual([...urls].sort());
      expect(after.tasks.nodes[0]).toEqual({ taskId: createRefreshTask.taskId, total: 2 });
      expect(await listCalls()).toBeGreaterThan(calls);
    }
    // One counter for the tenant, bumped once per create, and no entry was deleted to get there.
    expect(await withRaw((raw) => raw.get('cdngw:shared:gen:lists'))).toBe('3');
  });
});
