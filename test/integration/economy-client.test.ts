/**
 * The upstream economy over loopback against the simulator with Huawei's real rate limits
 * (url-tasks 5/s): coalescing and the cache keep identical calls to one per staleness period,
 * the limiter queues a burst so that no 429 happens and no second holds more than 5 calls,
 * and a burst too large for the deadline is refused quickly instead of hanging.
 */
import { GatewayError } from '../../src/errors';
import type { CdnClient } from '../../src/cdn/client';
import type { EconomyOptions } from '../../src/cdn/economy';
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
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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

  it('asks the upstream at most once per staleness period under a steady stream of identical calls', async () => {
    const ttlMs = 600;
    const { client, economy } = economyClient({ cacheTtlMs: ttlMs });
    const started = Date.now();
    while (Date.now() - started < 2000) {
      await Promise.all(Array.from({ length: 20 }, () => client.urlTasks({ limit: 20, offset: 40 })));
      await sleep(50);
    }
    const elapsed = Date.now() - started;
    const calls = (await stats()).requests[URL_TASKS] ?? 0;
    expect(calls).toBeGreaterThanOrEqual(2); // entries do expire
    expect(calls).toBeLessThanOrEqual(Math.floor(elapsed / ttlMs) + 1);
    expect(economy.metrics().cache.hits).toBeGreaterThan(0);
  });

  it('queues 50 different page calls under 5 per second: all succeed, no 429, never more than 5 in a second', async () => {
    const { client, economy } = economyClient({ cacheTtlMs: 2000 });
    const deadline = Date.now() + 15_000;
    const started = Date.now();
    const pages = await Promise.all(Array.from({ length: 50 }, (_, i) => client.urlTasks({ limit: 5, offset: i * 5 }, { deadline })));
    expect(pages).toHaveLength(50);
    const s = await stats();
    expect(s.requests[URL_TASKS]).toBe(50);
    expect(s.throttled).toBe(0);
    expect(s.peakPerSecond['url-tasks']).toBeLessThanOrEqual(5);
    // 50 calls at 5 per window of 1.2 s (one second and the default margin): the last batch leaves after 9 windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(9 * 1200 - 50);
    const m = economy.metrics().limiter;
    expect(m).toMatchObject({ queueLength: 0, queued: 45, rejected: 0 });
    expect(m.waitMsMax).toBeGreaterThanOrEqual(9 * 1200 - 50);
  }, 20_000);

  it('refuses quickly, with a retry hint, the calls of a burst too large for their deadline', async () => {
    const { client, economy } = economyClient({ cacheTtlMs: 2000 });
    const started = Date.now();
    const deadline = started + 1500;
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        try {
          await client.urlTasks({ limit: 5, offset: i * 5 }, { deadline });
          return { ok: true as const, at: Date.now() - started };
        } catch (e) {
          return { ok: false as const, at: Date.now() - started, error: e as GatewayError };
        }
      }),
    );
    const refused = outcomes.filter((o) => !o.ok);
    // 5 start at once and 5 after one window (1200 ms, within 1500 - 50 ms); the other 20 cannot start in time.
    expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const o of refused) {
      expect(o.error).toBeInstanceOf(GatewayError);
      expect(o.error?.code).toBe('UPSTREAM_RATE_LIMITED');
      expect(o.error?.retryAfterMs).toBeGreaterThan(1500);
      expect(o.at).toBeLessThan(300);
    }
    const s = await stats();
    expect(s.requests[URL_TASKS]).toBe(10);
    expect(s.throttled).toBe(0);
    expect(economy.metrics().limiter.rejected).toBe(20);
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
