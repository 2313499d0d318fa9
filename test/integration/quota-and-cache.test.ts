/**
 * The upstream economy over loopback against the simulator with Huawei's real rate limits
 * (url-tasks 5/s): coalescing and the cache keep identical calls to one per staleness period,
 * the limiter queues a burst so that no 429 happens and no second holds more than 5 calls,
 * and a burst too large for the deadline is refused at once instead of hanging. The economy
 * runs on a clock the tests move, so expiry and waits do not depend on the machine's speed.
 */
import { GatewayError } from '../../src/errors';
import type { CdnClient } from '../../src/cdn/client';
import type { EconomyEvent, EconomyOptions } from '../../src/cdn/economy';
import { createUpstream, type EconomyHandles } from '../../src/cdn/upstream';
import { createSimulator, DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, type Simulator, type SimulatorStats } from '../../src/simulator/index';
import { callSimulator } from '../support/sim-control';

const URL_TASKS = 'GET /v1.0/cdn/contentgateway/url-tasks';

let sim: Simulator;
const opened: Array<{ client: CdnClient; economy: EconomyHandles }> = [];

beforeAll(async () => {
  // Huawei's real limits: the economy must keep the gateway under them.
  sim = await createSimulator({ quiet: true, records: 3000 });
});

beforeEach(async () => {
  await control('POST', '/__sim/reset', {});
});

afterAll(async () => {
  for (const { client, economy } of opened) {
    await client.close();
    await economy.close();
  }
  await sim.close();
});

// A client with the economy stages; closed after all tests.
function economyClient(options: EconomyOptions = {}): { client: CdnClient; economy: EconomyHandles } {
  const { client, economy } = createUpstream({
    endpoint: sim.url,
    auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK },
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    economy: options,
  });
  if (!economy) throw new Error('createUpstream with economy options must return the economy');
  opened.push({ client, economy });
  return { client, economy };
}

// Calls the simulator's control API.
function control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  return callSimulator<T>(sim.url, method, path, body);
}

const stats = (): Promise<SimulatorStats> => control<SimulatorStats>('GET', '/__sim/stats');

// An economy clock that moves only when told: `set(ms)` puts it `ms` after the moment it was made.
function frozenClock(): { now: () => number; set: (ms: number) => void } {
  const base = Date.now();
  let t = base;
  return { now: () => t, set: (ms) => void (t = base + ms) };
}

describe('economy against the simulator', () => {
  it('serves 200 concurrent identical calls with one upstream call', async () => {
    const { client, economy } = economyClient({ cacheTtlMs: 2000 });
    const pages = await Promise.all(Array.from({ length: 200 }, () => client.urlTasks({ limit: 20 })));
    expect(new Set(pages.map((p) => JSON.stringify(p))).size).toBe(1);
    const s = await stats();
    expect(s.requests[URL_TASKS]).toBe(1);
    expect(s.throttled).toBe(0);
    expect(economy.metrics().coalesce).toEqual({ shared: 1, coalesced: 199 });
  });

  it('asks the upstream once per staleness period under a steady stream of identical calls', async () => {
    // The economy's clock is the test's: entries expire when it says so, not when the machine gets round to it.
    const ttlMs = 600;
    const clock = frozenClock();
    const { client, economy } = economyClient({ cacheTtlMs: ttlMs, now: clock.now });
    // A batch of 20 identical calls every 100 ms for 2 s: the entry made at 0 serves up to 599, the one made at 600 up to 1199...
    for (let at = 0; at < 2000; at += 100) {
      clock.set(at);
      await Promise.all(Array.from({ length: 20 }, () => client.urlTasks({ limit: 20, offset: 40 })));
    }
    expect((await stats()).requests[URL_TASKS]).toBe(4); // at 0, 600, 1200 and 1800
    const m = economy.metrics();
    expect(m.cache.misses).toBe(4);
    expect(m.cache.hits).toBeGreaterThan(0);
    // Every call was a miss, a hit or joined one of them.
    expect(m.coalesce.shared + m.coalesce.coalesced).toBe(400);
    expect(m.coalesce.shared).toBe(m.cache.hits + m.cache.misses);
  });

  it('queues 25 different page calls under 5 per window: all succeed, no 429, never more than 5 in a second', async () => {
    // A frozen economy clock makes every wait exact (one window per batch of 5); the real sleeps
    // still space the batches a window apart. The 800 ms margin over the simulator's one-second
    // window absorbs event-loop stalls between dispatch and arrival on a busy machine.
    const clock = frozenClock();
    const { client, economy } = economyClient({ cacheTtlMs: 2000, rateLimitMarginMs: 800, now: clock.now });
    const deadline = Date.now() + 20_000;
    const pages = await Promise.all(Array.from({ length: 25 }, (_, i) => client.urlTasks({ limit: 5, offset: i * 5 }, { deadline })));
    expect(pages).toHaveLength(25);
    const s = await stats();
    expect(s.requests[URL_TASKS]).toBe(25);
    expect(s.throttled).toBe(0);
    expect(s.peakPerSecond['url-tasks']).toBeLessThanOrEqual(5);
    // 5 at once, then 5 after each window of 1.8 s: waits of 1800, 3600, 5400 and 7200 ms, 5 of each.
    const m = economy.metrics().limiter;
    expect(m).toMatchObject({ queueLength: 0, queued: 20, rejected: 0, waitMsMax: 4 * 1800, waitMsTotal: 5 * 1800 * (1 + 2 + 3 + 4) });
  });

  it('refuses at once, with a retry hint, the calls of a burst too large for their deadline', async () => {
    const clock = frozenClock();
    const events: EconomyEvent[] = [];
    const { client, economy } = economyClient({ cacheTtlMs: 2000, rateLimitMarginMs: 800, now: clock.now, onEvent: (e) => events.push(e) });
    // The frozen clock stands still at the burst's start: every call has 3000 ms left as the limiter sees it.
    const deadline = clock.now() + 3000;
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        try {
          await client.urlTasks({ limit: 5, offset: i * 5 }, { deadline });
          return { ok: true as const };
        } catch (e) {
          return { ok: false as const, error: e as GatewayError };
        }
      }),
    );
    const refused = outcomes.filter((o) => !o.ok);
    // 5 start at once and 5 after one window (1800 ms, within 3000 - 50 ms); the other 20 cannot start in time.
    expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const o of refused) {
      expect(o.error).toBeInstanceOf(GatewayError);
      expect(o.error?.code).toBe('UPSTREAM_RATE_LIMITED');
      expect(o.error?.retryAfterMs).toBe(2 * 1800); // the next free slot: two windows on
    }
    // Refused at once: the 20 were rejected when they asked for a slot, and only the second batch ever waited.
    expect(events.filter((e) => e.type === 'rejected')).toHaveLength(20);
    expect(economy.metrics().limiter).toMatchObject({ queued: 5, rejected: 20, waitMsMax: 1800 });
    const s = await stats();
    expect(s.requests[URL_TASKS]).toBe(10);
    expect(s.throttled).toBe(0);
  });

  it('does not cache an upstream failure: the next call goes upstream again', async () => {
    const { client, economy } = economyClient({ cacheTtlMs: 60_000 });
    await control('PUT', '/__sim/faults', { businessErrorRate: 1, businessErrorCode: 'CDN.0005', operations: ['url-tasks'] });
    await expect(client.urlTasks({ limit: 3 })).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    await control('DELETE', '/__sim/faults');
    await client.urlTasks({ limit: 3 });
    await client.urlTasks({ limit: 3 });
    expect((await stats()).requests[URL_TASKS]).toBe(2);
    expect(economy.metrics().cache).toMatchObject({ hits: 1, misses: 2 });
  });
});
