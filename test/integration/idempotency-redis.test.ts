/**
 * Idempotency keys shared by two gateway replicas through one Redis (issue 19): a repeat on the
 * other replica replays the first create, concurrent repeats on both send one POST, a repeat that
 * outwaits its deadline gets IDEMPOTENCY_KEY_IN_USE, a dead replica's claim expires, and when
 * Redis stops each replica carries on in its own memory, says so in /readyz and /metrics, and
 * shares again once Redis is back. Runs against throwaway redis-servers; without redis-server on
 * PATH a test named so says loudly that it did not run.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { routeKey } from '../../src/cdn/operations';
import { createIdempotentRunner } from '../../src/graph/idempotency';
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { createRedisState } from '../../src/state/redis';
import { eventually } from '../support/eventually';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server';
import { callSimulator } from '../support/sim-control';
import { startStack, type GqlResponse, type Stack } from '../support/stack';

const REFRESH = routeKey('refresh');

const CREATE = /* GraphQL */ `
  mutation Refresh($urls: [String!]!, $key: String) {
    createRefreshTask(input: { urls: $urls, idempotencyKey: $key }) { taskId replayed }
  }
`;
type Created = { createRefreshTask: { taskId: string; replayed: boolean } | null };

// Command and connect timeouts a busy machine's event-loop stalls cannot reach: the defaults (250 ms, 2 s) could send a
// stalled claim to the memory fallback and change what the tests count. A stopped Redis still fails at once (no offline queue).
const PATIENT = { redisTimeouts: { commandTimeoutMs: 10_000, connectTimeoutMs: 10_000 } };

describeWithRedis('Idempotency keys shared through Redis', 'test/integration/idempotency-redis.test.ts', () => {
  let redis: RedisServer;
  let sim: Simulator;
  let opened: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    [redis, sim] = await Promise.all([startRedisServer(), createSimulator({ quiet: true, records: 2000 })]);
  });

  afterEach(async () => {
    for (const o of opened.reverse()) await o.close();
    opened = [];
    await callSimulator(sim.url, 'DELETE', '/__sim/faults');
  });

  afterAll(async () => {
    await sim?.close();
    await redis?.stop();
  });

  // A gateway replica on `url`'s Redis, through REDIS_URL as in production (its keys under the account's prefix).
  async function replica(url: string, env: Record<string, string> = {}): Promise<Stack> {
    const stack = await startStack({ upstream: sim, env: { REDIS_URL: url, ...env }, economy: PATIENT });
    opened.push(stack);
    return stack;
  }

  const create = (g: Stack, key: string, urls = [`https://cdn.example.com/${key}.js`]) => g.query<Created>(CREATE, { urls, key });
  const refreshPosts = async (): Promise<number> => (await callSimulator<{ requests: Record<string, number> }>(sim.url, 'GET', '/__sim/stats')).requests[REFRESH] ?? 0;
  const created = (r: GqlResponse<Created>) => {
    expect(r.errors).toBeUndefined();
    return r.data?.createRefreshTask as { taskId: string; replayed: boolean };
  };
  const origin = (g: Stack): string => g.url.replace(/\/graphql$/, '');
  const readyz = async (g: Stack) => {
    const res = await fetch(`${origin(g)}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string; sharedState?: { store: string; degraded: boolean; local: string[]; message?: string } } };
  };
  const fallbackGauge = async (g: Stack): Promise<Record<string, number>> => {
    const text = await (await fetch(`${origin(g)}/metrics`)).text();
    const gauge: Record<string, number> = {};
    for (const [, part, value] of text.matchAll(/^gateway_shared_state_fallback\{part="([a-z]+)"\} (\d+)$/gm)) gauge[part as string] = Number(value);
    return gauge;
  };

  // Runs `fn` with a plain connection to `url`.
  async function withRaw<T>(url: string, fn: (raw: Redis) => Promise<T>): Promise<T> {
    const raw = new Redis(url);
    try {
      return await fn(raw);
    } finally {
      raw.disconnect();
    }
  }

  it('replays a keyed create made through one replica to its repeat through the other: one task, one POST', async () => {
    const [a, b] = await Promise.all([replica(redis.url), replica(redis.url)]);
    const before = await refreshPosts();
    const key = randomUUID();
    const first = created(await create(a, key));
    const again = created(await create(b, key));
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ taskId: first.taskId, replayed: true });
    expect((await refreshPosts()) - before).toBe(1);
    // The record is under the account's prefix and only a hash of the caller and key: no caller id or key is readable in Redis.
    const keys = await withRaw(redis.url, (raw) => raw.keys('cdngw:*:idem:*'));
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(keys.join(' ')).not.toContain(key);
    expect(keys.join(' ')).not.toContain('127.0.0.1');
  });

  it('sends one POST for the same keyed create sent to both replicas at once, and answers both with its task', async () => {
    const [a, b] = await Promise.all([replica(redis.url), replica(redis.url)]);
    // A slow create, so that the second replica finds the key claimed while the first one's POST is on its way.
    await callSimulator(sim.url, 'PUT', '/__sim/faults', { latencyMs: 1500, operations: ['refresh'] });
    const before = await refreshPosts();
    const key = randomUUID();
    const answers = (await Promise.all([create(a, key), create(b, key)])).map(created);
    expect((await refreshPosts()) - before).toBe(1);
    expect(answers[0]?.taskId).toBe(answers[1]?.taskId);
    expect(answers.map((x) => x.replayed).sort()).toEqual([false, true]);
  });

  it('answers a repeat that outwaits its deadline with IDEMPOTENCY_KEY_IN_USE, sending nothing, and with the task once the first call finished', async () => {
    // The first replica's attempt outlasts the slow POST by far; the second gives up long before the POST ends.
    const a = await replica(redis.url, { REQUEST_TIMEOUT_MS: '20000', UPSTREAM_TIMEOUT_MS: '20000', SHUTDOWN_TIMEOUT_MS: '20000' });
    const b = await replica(redis.url, { REQUEST_TIMEOUT_MS: '1500', UPSTREAM_TIMEOUT_MS: '1500' });
    await callSimulator(sim.url, 'PUT', '/__sim/faults', { latencyMs: 6000, operations: ['refresh'] });
    const before = await refreshPosts();
    const key = randomUUID();
    const first = create(a, key);
    // The first call holds the claim (it waits for the slow POST).
    await eventually(async () => expect(await refreshPosts()).toBe(before + 1), { timeoutMs: 10_000 });
    const waited = await create(b, key);
    expect(waited.data).toBeNull();
    expect(waited.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
    expect(waited.errors?.[0]?.extensions?.retryAfter).toEqual(expect.any(Number));
    expect(waited.errors?.[0]?.message).toMatch(/is still running .* Repeat this call with the same key later/);
    const firstTask = created(await first);
    expect(created(await create(b, key))).toEqual({ taskId: firstTask.taskId, replayed: true });
    expect((await refreshPosts()) - before).toBe(1);
  });

  it('lets a repeat take over a claim whose replica died, once the claim expires', async () => {
    const keyPrefix = `died${Date.now()}:`;
    const dead = createRedisState({ url: redis.url, keyPrefix, ...PATIENT.redisTimeouts });
    const alive = createRedisState({ url: redis.url, keyPrefix, ...PATIENT.redisTimeouts });
    opened.push(dead, alive);
    await Promise.all([dead.connect(), alive.connect()]);
    const id = JSON.stringify(['', 'caller', 'k']);
    // The dead replica's claim: it never finishes nor releases.
    expect(await dead.idempotency.claim(id, 'input', 600)).toMatchObject({ claimed: true });
    const runner = createIdempotentRunner({ ttlMs: 60_000, store: alive.idempotency });
    let runs = 0;
    const outcome = await runner.run({ scope: 'caller', key: 'k', fingerprint: 'input', deadline: Date.now() + 20_000 }, async () => ++runs);
    expect(outcome).toEqual({ ok: true, value: 1, replayed: false });
    expect(runs).toBe(1);
    // And its outcome is what the next repeat gets, from either replica.
    expect(await createIdempotentRunner({ ttlMs: 60_000, store: dead.idempotency }).run({ scope: 'caller', key: 'k', fingerprint: 'input' }, async () => ++runs)).toEqual({
      ok: true,
      value: 1,
      replayed: true,
    });
  });

  it('keeps records in Redis as the store promises: a claim released only by its own token, an outcome for the window', async () => {
    const keyPrefix = `store${Date.now()}:`;
    const a = createRedisState({ url: redis.url, keyPrefix, ...PATIENT.redisTimeouts });
    const b = createRedisState({ url: redis.url, keyPrefix, ...PATIENT.redisTimeouts });
    opened.push(a, b);
    await Promise.all([a.connect(), b.connect()]);
    const claim = await a.idempotency.claim('id-1', 'input', 30_000);
    if (!claim.claimed) throw new Error('the first claim must win');
    // Another replica sees the claim, and cannot release it with a token of its own.
    expect(await b.idempotency.claim('id-1', 'input', 30_000)).toMatchObject({ claimed: false, record: { state: 'running', fingerprint: 'input' } });
    await b.idempotency.release('id-1', 'not-the-token');
    expect(await b.idempotency.read('id-1')).toMatchObject({ state: 'running' });
    await a.idempotency.release('id-1', claim.token);
    expect(await b.idempotency.read('id-1')).toBeUndefined();
    // A finished outcome replaces the claim and expires with the window, on Redis's clock.
    const again = await b.idempotency.claim('id-1', 'input', 30_000);
    if (!again.claimed) throw new Error('a released key is free');
    await b.idempotency.finish('id-1', again.token, 'input', '{"ok":true,"value":{"taskId":"7"}}', 60_000);
    expect(await a.idempotency.read('id-1')).toMatchObject({ state: 'done', outcome: '{"ok":true,"value":{"taskId":"7"}}' });
    const ttls = await withRaw(redis.url, async (raw) => Promise.all((await raw.keys(`${keyPrefix}idem:*`)).map((k) => raw.pttl(k))));
    expect(ttls).toHaveLength(1);
    expect(ttls[0]).toBeGreaterThan(30_000);
    expect(ttls[0]).toBeLessThanOrEqual(60_000);
  });

  it('carries on in memory while Redis is down (creates answer, repeats on the same replica replay), says so in /readyz and /metrics, and shares again once Redis is back', async () => {
    const own = await startRedisServer();
    opened.push({ close: () => own.stop() });
    const g = await replica(own.url);
    const before = await refreshPosts();
    const shared = await readyz(g);
    expect(shared).toMatchObject({ status: 200, body: { status: 'ready', sharedState: { store: 'redis', degraded: false, local: [] } } });
    expect(await fallbackGauge(g)).toEqual({ cache: 0, limiter: 0, idempotency: 0, pollers: 0 });
    const earlier = randomUUID();
    const first = created(await create(g, earlier));

    await own.stop();
    await eventually(async () => expect(await fallbackGauge(g)).toEqual({ cache: 1, limiter: 1, idempotency: 1, pollers: 1 }), { timeoutMs: 10_000 });
    const down = await readyz(g);
    expect(down).toMatchObject({ status: 200, body: { status: 'ready', sharedState: { store: 'redis', degraded: true, local: ['cache', 'limiter', 'idempotency', 'pollers'] } } });
    expect(down.body.sharedState?.message).toMatch(/^Redis is unreachable or failing: cache, limiter, idempotency, pollers run on this replica's memory/);
    // A key used before the outage still replays here (this replica kept its outcome); a new key creates once and replays.
    expect(created(await create(g, earlier))).toEqual({ taskId: first.taskId, replayed: true });
    const during = randomUUID();
    const made = created(await create(g, during));
    expect(made.replayed).toBe(false);
    expect(created(await create(g, during))).toEqual({ taskId: made.taskId, replayed: true });
    expect((await refreshPosts()) - before).toBe(2);

    const back = await startRedisServer({ port: own.port });
    opened.push({ close: () => back.stop() });
    await eventually(async () => expect(await fallbackGauge(g)).toEqual({ cache: 0, limiter: 0, idempotency: 0, pollers: 0 }), { timeoutMs: 15_000, intervalMs: 100 });
    expect((await readyz(g)).body.sharedState).toEqual({ store: 'redis', degraded: false, local: [] });
    // Nothing made during the outage is lost on this replica, although the new Redis holds none of it.
    expect(created(await create(g, during))).toEqual({ taskId: made.taskId, replayed: true });
    expect((await refreshPosts()) - before).toBe(2);
  });
});
