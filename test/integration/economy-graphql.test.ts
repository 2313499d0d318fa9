/**
 * The quota scenarios end to end: GraphQL clients → gateway (with the upstream economy) →
 * simulator with Huawei's real limits (url-tasks 5/s), over loopback.
 *   1. 200 concurrent identical dashboard queries all succeed on one upstream call per staleness period;
 *   2. 50 different page queries at once all succeed, queued: no 429, never more than 5 calls in a second;
 *   3. a burst too large for the request deadline gets UPSTREAM_RATE_LIMITED quickly instead of hanging.
 */
import { OPS, startStack, type GqlResponse, type Stack } from '../support/stack';

const HOUR_MS = 3_600_000;
// A dashboard shows a fixed range: identical queries make identical upstream calls.
const BASE = Date.now() - HOUR_MS;

const DASHBOARD = /* GraphQL */ `
  query Dashboard($filter: UrlTaskFilter) {
    urlTasks(first: 20, filter: $filter) {
      nodes { id url status }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

// One window of a few hours: a single url-tasks call answers it. `shift` makes a different query.
const filter = (shift = 0): Record<string, string> => ({
  createdAfter: new Date(BASE - 5 * HOUR_MS - shift * 60_000).toISOString(),
  createdBefore: new Date(BASE - shift * 60_000).toISOString(),
});

type Dashboard = { urlTasks: { nodes: Array<{ id: string }> } };

interface Stats {
  requests: Record<string, number>;
  throttled: number;
  peakPerSecond: Record<string, number>;
}

let stack: Stack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function start(env: Record<string, string>): Promise<Stack> {
  stack = await startStack({ simulator: { records: 20_000 }, env, economy: true });
  return stack;
}

const ok = (r: GqlResponse<Dashboard>): boolean => r.status === 200 && r.errors === undefined && (r.data?.urlTasks.nodes.length ?? 0) > 0;

describe('GraphQL clients on a 5 calls/s upstream quota', () => {
  it('answers 200 concurrent identical dashboard queries with at most one url-tasks call per staleness period', async () => {
    const ttlMs = 2000;
    const s = await start({ CACHE_TTL_MS: String(ttlMs), REQUEST_TIMEOUT_MS: '10000', UPSTREAM_TIMEOUT_MS: '5000' });
    const started = Date.now();
    const burst = await Promise.all(Array.from({ length: 200 }, () => s.query<Dashboard>(DASHBOARD, { filter: filter() })));
    const elapsed = Date.now() - started;
    expect(burst.every(ok)).toBe(true);
    expect(new Set(burst.map((r) => JSON.stringify(r.data))).size).toBe(1);
    const calls = await s.upstreamCalls(OPS.urlTasks);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(Math.floor(elapsed / ttlMs) + 1);
    // Once the period is over, the next queries make exactly one more call between them.
    await new Promise((r) => setTimeout(r, ttlMs + 50));
    const later = await Promise.all(Array.from({ length: 20 }, () => s.query<Dashboard>(DASHBOARD, { filter: filter() })));
    expect(later.every(ok)).toBe(true);
    expect(await s.upstreamCalls(OPS.urlTasks)).toBe(calls + 1);
    const stats = await s.sim<Stats>('GET', '/__sim/stats');
    expect(stats.throttled).toBe(0);
    const m = s.economy?.metrics();
    expect((m?.coalesce.coalesced ?? 0) + (m?.cache.hits ?? 0)).toBe(220 - calls - 1);
  });

  it('queues 50 different page queries: all succeed, no 429 reaches a client, never more than 5 url-tasks calls in a second', async () => {
    const s = await start({ REQUEST_TIMEOUT_MS: '16000', UPSTREAM_TIMEOUT_MS: '5000' });
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => s.query<Dashboard>(DASHBOARD, { filter: filter(i + 1) })));
    const failed = responses.filter((r) => !ok(r));
    expect(failed.map((r) => r.errors?.[0]?.extensions?.code)).toEqual([]);
    const stats = await s.sim<Stats>('GET', '/__sim/stats');
    expect(stats.requests[OPS.urlTasks]).toBe(50);
    expect(stats.throttled).toBe(0);
    expect(stats.peakPerSecond['url-tasks']).toBeLessThanOrEqual(5);
    expect(s.economy?.metrics().limiter.queued).toBe(45);
  }, 25_000);

  it('refuses quickly with UPSTREAM_RATE_LIMITED and a retryAfter hint the queries a burst cannot serve before their deadline', async () => {
    const s = await start({ REQUEST_TIMEOUT_MS: '1500', UPSTREAM_TIMEOUT_MS: '1500' });
    const started = Date.now();
    const timed = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const r = await s.query<Dashboard>(DASHBOARD, { filter: filter(i + 1) });
        return { r, ms: Date.now() - started };
      }),
    );
    const refused = timed.filter(({ r }) => r.errors?.[0]?.extensions?.code === 'UPSTREAM_RATE_LIMITED');
    const served = timed.filter(({ r }) => ok(r));
    // Two windows' worth (5 now, 5 after 1.2 s) fit in 1.5 s; the rest cannot start in time.
    expect(served.length).toBeGreaterThanOrEqual(5);
    expect(served.length + refused.length).toBe(30);
    expect(refused.length).toBeGreaterThanOrEqual(15);
    for (const { r, ms } of refused) {
      expect(ms).toBeLessThan(700);
      expect(r.errors?.[0]?.extensions?.retryAfter).toBeGreaterThanOrEqual(2);
    }
    const stats = await s.sim<Stats>('GET', '/__sim/stats');
    expect(stats.throttled).toBe(0);
    expect(stats.requests[OPS.urlTasks]).toBe(served.length);
  });
});
