/**
 * The Redis shared state against a real redis-server (started here on a free port): the Lua
 * limiter's arithmetic, two clients sharing one quota and one cache through it, tenants kept
 * apart, and the gateway carrying on when Redis goes away. Without redis-server on PATH these
 * tests cannot run, and a test named so says it loudly.
 */
import { Redis } from 'ioredis';
import type { CdnClient } from '../../src/cdn/client';
import { createEconomy, type EconomyOptions } from '../../src/cdn/economy';
import { createUpstream, type EconomyHandles } from '../../src/cdn/upstream';
import { createRedisState } from '../../src/state/redis';
import { createSimulator, DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, type Simulator, type SimulatorStats } from '../../src/simulator/index';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server';
import { eventually } from '../support/eventually';
import { callSimulator } from '../support/sim-control';

const URL_TASKS = 'GET /v1.0/cdn/contentgateway/url-tasks';

describeWithRedis('The Redis economy tests', 'test/integration/redis-economy.test.ts', () => {
  let redis: RedisServer;
  let sim: Simulator;
  const opened: Array<{ client?: CdnClient; economy: Pick<EconomyHandles, 'close'> }> = [];

  beforeAll(async () => {
    [redis, sim] = await Promise.all([startRedisServer(), createSimulator({ quiet: true, records: 3000 })]);
  });

  beforeEach(async () => {
    stateErrors = [];
    await control('POST', '/__sim/reset', {});
  });

  afterEach(async () => {
    for (const { client, economy } of opened.splice(0)) {
      await client?.close();
      await economy.close();
    }
  });

  afterAll(async () => {
    await sim?.close();
    await redis?.stop();
  });

  // Redis errors of the replicas' shared states (a timed-out command falls back to memory and counts here).
  let stateErrors: Error[] = [];

  // Two replicas' worth of client + economy on the same Redis.
  async function replica(options: EconomyOptions = {}): Promise<{ client: CdnClient; economy: EconomyHandles }> {
    const { client, economy } = createUpstream({
      endpoint: sim.url,
      auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK },
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      economy: { redisUrl: redis.url, scope: 'tenant-a', cacheTtlMs: 2000, ...options },
    });
    if (!economy) throw new Error('createUpstream with economy options must return the economy');
    opened.push({ client, economy });
    await economy.connect();
    return { client, economy };
  }

  // The production Redis state, with command and connect timeouts that a busy machine's event-loop stalls cannot reach (the
  // defaults are 250 ms and 2 s: a stall that long sends a reservation to the memory fallback and changes what a test counts).
  // Its errors are collected in `stateErrors`.
  function patientRedisState() {
    return createRedisState({
      url: redis.url,
      keyPrefix: 'cdngw:patient:',
      commandTimeoutMs: 10_000,
      connectTimeoutMs: 10_000,
      onError: (_component, error) => void stateErrors.push(error),
    });
  }

  // Calls the simulator's control API.
  function control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return callSimulator<T>(sim.url, method, path, body);
  }

  const stats = (): Promise<SimulatorStats> => control<SimulatorStats>('GET', '/__sim/stats');

  // Runs `fn` with a plain connection to the test Redis.
  async function withRaw<T>(fn: (raw: Redis) => Promise<T>): Promise<T> {
    const raw = new Redis(redis.url);
    try {
      return await fn(raw);
    } finally {
      raw.disconnect();
    }
  }

  // Waits until Redis holds `count` cached responses (a caller gets its answer before the cache write lands).
  const cached = (count: number): Promise<void> => eventually(() => withRaw(async (raw) => expect(await raw.keys('cdngw:*:cache:*')).toHaveLength(count)));

  describe('Redis limiter script', () => {
    it('spaces a burst one window apart per `limit` calls, on the Redis clock, and refuses without reserving', async () => {
      const state = createRedisState({ url: redis.url, keyPrefix: `t${Date.now()}:` });
      opened.push({ economy: { close: () => state.close() } });
      await state.connect();
      // Redis's clock moves on between calls (by however long they take on this machine): each wait is at most the ideal one,
      // and short of it by no more than the time since the first call (and a millisecond of rounding).
      const started = Date.now();
      const reserve = async (maxWaitMs: number): Promise<{ granted: boolean; waitMs: number; floor: (ideal: number) => number }> => {
        const outcome = await state.limiter.reserve('url-tasks', 3, 1000, maxWaitMs);
        const elapsed = Date.now() - started;
        return { ...outcome, floor: (ideal) => ideal - elapsed - 1 };
      };
      const ideal = [0, 0, 0, 1000, 1000, 1000, 2000];
      for (const wait of ideal) {
        const outcome = await reserve(60_000);
        expect(outcome.waitMs).toBeLessThanOrEqual(wait);
        expect(outcome.waitMs).toBeGreaterThanOrEqual(outcome.floor(wait));
      }
      const refused = await reserve(500);
      expect(refused.granted).toBe(false);
      expect(refused.waitMs).toBeGreaterThanOrEqual(refused.floor(2000));
      const next = await reserve(60_000);
      expect(next.granted).toBe(true);
      expect(next.waitMs).toBeGreaterThanOrEqual(next.floor(2000)); // the refusal took no slot
      expect(next.waitMs).toBeLessThanOrEqual(2000);
    });

    it('gives a released start to the next booking, atomically on Redis', async () => {
      // A generous command timeout: a slow answer must not send a booking to the memory fallback (another clock).
      const state = createRedisState({ url: redis.url, keyPrefix: `r${Date.now()}:`, commandTimeoutMs: 5000 });
      opened.push({ economy: { close: () => state.close() } });
      await state.connect();
      // A long window, so that Redis's clock moving on between the calls cannot free anything by itself.
      const book = () => state.limiter.book('detail', 2, 60_000, 600_000);
      const first = await book();
      const second = await book();
      expect(second.start).toBeGreaterThanOrEqual(first.start as number);
      const third = await book();
      expect(third.granted).toBe(true);
      expect(third.start).toBe((first.start as number) + 60_000);
      await state.limiter.release('detail', third.start as number);
      // The released start is free again: the next booking gets exactly it, not a window later.
      expect((await book()).start).toBe(third.start);
      expect((await book()).start).toBe((second.start as number) + 60_000);
      // Releasing what the store does not hold changes nothing.
      await state.limiter.release('detail', 42);
      expect((await book()).start).toBe((first.start as number) + 120_000);
    });

    it("holds a caller to its share of future slots across replicas: others book past it, a release or the slot's time frees it", async () => {
      const prefix = `s${Date.now()}:`;
      // Two replicas' states on one Redis; patient commands, so that nothing falls back to a replica's memory.
      const [one, two] = [0, 1].map(() => createRedisState({ url: redis.url, keyPrefix: prefix, commandTimeoutMs: 5000 }));
      for (const s of [one!, two!]) {
        opened.push({ economy: { close: () => s.close() } });
        await s.connect();
      }
      const attacker = { caller: 'api-key:key-1', cap: 2 };
      // A full window of 1, a minute long: every further booking lies in the future and counts against its caller.
      await one!.limiter.book('detail', 1, 60_000, 600_000);
      const a1 = await one!.limiter.book('detail', 1, 60_000, 600_000, undefined, attacker);
      const a2 = await two!.limiter.book('detail', 1, 60_000, 600_000, undefined, attacker);
      expect([a1.granted, a2.granted]).toEqual([true, true]);
      // The cap is per caller over both replicas: a third is refused without booking, until the earliest is due.
      const a3 = await one!.limiter.book('detail', 1, 60_000, 600_000, undefined, attacker);
      expect(a3).toMatchObject({ granted: false, callerFull: true });
      expect(a3.waitMs).toBeGreaterThan(50_000);
      expect(a3.waitMs).toBeLessThanOrEqual(60_001);
      // Another caller is not held by the attacker's share: it books the next slot, right after the attacker's two.
      const victim = await two!.limiter.book('detail', 1, 60_000, 600_000, undefined, { caller: 'api-key:key-2', cap: 2 });
      expect(victim.start).toBe((a2.start as number) + 60_000);
      // Released through the other replica, the attacker's slot frees its share: it may book again.
      await two!.limiter.release('detail', a2.start as number, attacker.caller);
      expect(await one!.limiter.book('detail', 1, 60_000, 600_000, undefined, attacker)).toMatchObject({ granted: true });
      // A slot that comes due stops counting by itself (a replica that died leaves nothing held): a full 3 s window, a
      // caller with a share of 1 books the next slot, and may book again once that slot's time has come, released or not.
      await one!.limiter.book('fast', 1, 3000, 60_000);
      const quick = { caller: 'api-key:key-3', cap: 1 };
      expect(await one!.limiter.book('fast', 1, 3000, 60_000, undefined, quick)).toMatchObject({ granted: true });
      const held = await two!.limiter.book('fast', 1, 3000, 60_000, undefined, quick);
      expect(held).toMatchObject({ granted: false, callerFull: true });
      expect(held.waitMs).toBeLessThanOrEqual(3001);
      await eventually(async () => expect(await two!.limiter.book('fast', 1, 3000, 60_000, undefined, quick)).toMatchObject({ granted: true }), { timeoutMs: 15_000 });
      // Redis holds hashes of callers, never their names.
      await withRaw(async (raw) => {
        const keys = await raw.keys(`${prefix}*`);
        expect(keys.some((k) => k.includes('rate-caller:detail:'))).toBe(true);
        expect(keys.join(' ')).not.toContain('key-1');
      });
    });

    it('stores cache entries with an expiry, under a prefix', async () => {
      const prefix = `c${Date.now()}:`;
      const state = createRedisState({ url: redis.url, keyPrefix: prefix });
      opened.push({ economy: { close: () => state.close() } });
      await state.connect();
      await state.cache.set('GET /x?a=1', { status: 200, headers: { 'x-request-id': 'r1' }, body: '{"ok":true}', requestId: 'r1', producedAt: 5 }, 300);
      expect(await state.cache.get('GET /x?a=1')).toEqual({ status: 200, headers: { 'x-request-id': 'r1' }, body: '{"ok":true}', requestId: 'r1', producedAt: 5 });
      const raw = new Redis(redis.url);
      try {
        const keys = await raw.keys(`${prefix}cache:*`);
        expect(keys).toHaveLength(1);
        const ttl = await raw.pttl(keys[0] as string);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(300);
      } finally {
        raw.disconnect();
      }
      // Redis expires it on its own clock.
      await eventually(async () => expect(await state.cache.get('GET /x?a=1')).toBeUndefined());
    });
    it('keeps list generation counters under the prefix, without expiry, and reads none while Redis is unreachable', async () => {
      const prefix = `g${Date.now()}:`;
      const own = await startRedisServer();
      const state = createRedisState({ url: own.url, keyPrefix: prefix, onError: (_c, e) => void stateErrors.push(e) });
      opened.push({ economy: { close: () => state.close() } });
      try {
        await state.connect();
        expect(await state.generations.current('lists')).toBe('0');
        expect(await state.generations.bump('lists')).toBe(true);
        expect(await state.generations.bump('lists')).toBe(true);
        expect(await state.generations.current('lists')).toBe('2');
        const raw = new Redis(own.url);
        try {
          expect(await raw.keys(`${prefix}gen:*`)).toEqual([`${prefix}gen:lists`]);
          // It must outlive every cache entry keyed under its value.
          expect(await raw.pttl(`${prefix}gen:lists`)).toBe(-1);
        } finally {
          raw.disconnect();
        }
        await own.stop();
        // Unreadable, not "0": a list call must then bypass the cache rather than read entries of an old generation.
        await eventually(async () => expect(await state.generations.current('lists')).toBeUndefined());
        expect(await state.generations.bump('lists')).toBe(false);
      } finally {
        await own.stop();
      }
    });
  });

  describe('two replicas on one Redis', () => {
    it('share one quota: of 2 × 6 different calls at once, 5 go at once and the other 7 wait for their turn', async () => {
      // The simulator's own limit is lifted: it counts a second from when calls arrive, and on a busy machine calls reserved a
      // second apart can arrive closer together than that. What is shared is the reservation book, which this reads. The
      // book runs on Redis's clock: a 2.8 s window (1800 ms margin) gives the 12 reservations that long to all land in it.
      await control('PUT', '/__sim/faults', { rateLimits: { 'url-tasks': 0 } });
      const a = await replica({ rateLimitMarginMs: 1800, state: patientRedisState() });
      const b = await replica({ rateLimitMarginMs: 1800, state: patientRedisState() });
      const deadline = Date.now() + 15_000;
      const calls = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).client.urlTasks({ limit: 5, offset: i * 5 }, { deadline }));
      expect(await Promise.all(calls)).toHaveLength(12);
      const s = await stats();
      expect({ calls: s.requests[URL_TASKS], throttled: s.throttled }).toEqual({ calls: 12, throttled: 0 });
      // Two quotas of 5 would have let 10 go at once and queued 2.
      expect(a.economy.metrics().limiter.queued + b.economy.metrics().limiter.queued).toBe(7);
      expect(a.economy.metrics().state).toBe('redis');
      expect(stateErrors).toEqual([]);
    });

    it('share one cache: a page one replica fetched is served to the other', async () => {
      await withRaw((raw) => raw.flushall());
      const a = await replica();
      const b = await replica();
      const first = await a.client.urlTasks({ limit: 7, offset: 3 });
      await cached(1);
      // A replica answers from the shared cache once the upstream has accepted its own credentials (docs/architecture.md, Shared state).
      await b.client.urlTasks({ limit: 1 });
      await cached(2);
      const second = await b.client.urlTasks({ offset: 3, limit: 7 });
      expect(second).toEqual(first);
      expect((await stats()).requests[URL_TASKS]).toBe(2);
      expect(b.economy.metrics().cache).toMatchObject({ hits: 1, misses: 1, unprovenMisses: 1 });
    });

    it('keep tenants apart: another scope has its own quota and cache', async () => {
      await withRaw((raw) => raw.flushall());
      const a = await replica({ scope: 'tenant-a' });
      const other = await replica({ scope: 'tenant-b' });
      await a.client.urlTasks({ limit: 4 });
      await cached(1);
      await other.client.urlTasks({ limit: 4 });
      expect((await stats()).requests[URL_TASKS]).toBe(2);
      await cached(2);
    });
  });

  describe('without Redis', () => {
    it('names the unreachable Redis at start-up without echoing its password', async () => {
      const economy = createEconomy({ redisUrl: 'redis://:s3cret-pass@127.0.0.1:1' });
      opened.push({ economy });
      await expect(economy.connect()).rejects.toThrow(/^REDIS_URL: could not reach Redis at redis:\/\/127\.0\.0\.1:1 \(/);
      await economy.connect().catch((e: Error) => expect(e.message).not.toContain('s3cret'));
    });

    it('keeps serving when Redis goes away: cache misses and this replica limits itself', async () => {
      const own = await startRedisServer();
      const frozenAt = Date.now();
      const { client, economy } = createUpstream({
        endpoint: sim.url,
        auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK },
        // The fallback limiter runs on this clock, frozen at the burst: its waits do not depend on how fast the calls arrive.
        economy: { redisUrl: own.url, scope: 'outage', cacheTtlMs: 2000, now: () => frozenAt },
      });
      if (!economy) throw new Error('createUpstream with economy options must return the economy');
      opened.push({ client, economy });
      await economy.connect();
      try {
        await own.stop();
        // As above, the simulator's limit is lifted so that what is read is this replica's own limiting, not arrival times.
        await control('PUT', '/__sim/faults', { rateLimits: { 'url-tasks': 0 } });
        const deadline = Date.now() + 8000;
        const pages = await Promise.all(Array.from({ length: 8 }, (_, i) => client.urlTasks({ limit: 3, offset: i * 3 }, { deadline })));
        expect(pages).toHaveLength(8);
        expect((await stats()).requests[URL_TASKS]).toBe(8);
        expect(economy.metrics()).toMatchObject({ limiter: { queued: 3 } });
        expect(economy.metrics().stateErrors).toBeGreaterThan(0);
      } finally {
        await own.stop();
      }
    });
  });
});
