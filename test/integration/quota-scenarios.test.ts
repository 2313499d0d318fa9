/**
 * The quota scenarios end to end: GraphQL clients → gateway (with the upstream economy) →
 * simulator with Huawei's real limits (url-tasks 5/s), over loopback.
 *   1. 200 concurrent identical dashboard queries all succeed on one upstream call per staleness period;
 *   2. 25 different page queries at once all succeed, queued: no 429, never more than 5 calls in a second;
 *   3. a burst too large for the request deadline gets UPSTREAM_RATE_LIMITED at once instead of hanging.
 * The economy runs on a clock the tests move, so expiry and waits do not depend on the machine's speed.
 */
import type { EconomyEvent, EconomyOptions } from '../../src/cdn/economy';
import { OPS, startStack, type GqlResponse, type Stack } from '../support/stack';

const HOUR_MS = 3_600_000;
// A dashboard shows a fixed range: identical queries make identical upstream calls. It ends a
// minute ago, within the live margin (src/cdn/freshness.ts: 5 minutes), so its answers are fresh for
// CACHE_TTL_MS; a range that ended longer ago is settled history, kept far longer (cache-freshness tests).
const BASE = Date.now() - 60_000;

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

// The economy's clock: it stands still until the test moves it (`set`, ms after `start`), so cache
// expiry and limiter waits are exact whatever the machine's speed. Real sleeps still space the calls.
let clockBase = 0;
let clockAt = 0;
const clock = {
  now: (): number => clockAt,
  start: (): void => void (clockAt = clockBase = Date.now()),
  set: (ms: number): void => void (clockAt = clockBase + ms),
};

async function start(env: Record<string, string>, economy: EconomyOptions = {}): Promise<Stack> {
  clock.start();
  stack = await startStack({ simulator: { records: 20_000 }, env, economy: { now: clock.now, ...economy } });
  return stack;
}

const ok = (r: GqlResponse<Dashboard>): boolean => r.status === 200 && r.errors === undefined && (r.data?.urlTasks.nodes.length ?? 0) > 0;

describe('GraphQL clients on a 5 calls/s upstream quota', () => {
  it('answers 200 concurrent identical dashboard queries with one url-tasks call per staleness period', async () => {
    const ttlMs = 2000;
    const s = await start({ CACHE_TTL_MS: String(ttlMs), REQUEST_TIMEOUT_MS: '10000', UPSTREAM_TIMEOUT_MS: '5000' });
    const burst = await Promise.all(Array.from({ length: 200 }, () => s.query<Dashboard>(DASHBOARD, { filter: filter() })));
    expect(burst.every(ok)).toBe(true);
    expect(new Set(burst.map((r) => JSON.stringify(r.data))).size).toBe(1);
    expect(await s.upstreamCalls(OPS.urlTasks)).toBe(1);
    // Within the period, later queries are answered from the cache...
    clock.set(ttlMs - 1);
    const within = await Promise.all(Array.from({ length: 20 }, () => s.query<Dashboard>(DASHBOARD, { filter: filter() })));
    expect(within.every(ok)).toBe(true);
    expect(await s.upstreamCalls(OPS.urlTasks)).toBe(1);
    // ...and once it is over, the next queries make exactly one more call between them.
    clock.set(ttlMs);
    const later = await Promise.all(Array.from({ length: 20 }, () => s.query<Dashboard>(DASHBOARD, { filter: filter() })));
    expect(later.every(ok)).toBe(true);
    expect(await s.upstreamCalls(OPS.urlTasks)).toBe(2);
    const stats = await s.sim<Stats>('GET', '/__sim/stats');
    expect(stats.throttled).toBe(0);
    const m = s.economy?.metrics();
    expect((m?.coalesce.coalesced ?? 0) + (m?.cache.hits ?? 0)).toBe(240 - 2);
  });

  it('queues 25 different page queries: all succeed, no 429 reaches a client, never more than 5 url-tasks calls in a second', async () => {
    // An 800 ms margin over the simulator's one-second window (1.8 s per 5 calls) absorbs event-loop
    // stalls between the gateway's dispatch and the simulator's count of arrivals on a busy machine.
    const s = await start({ REQUEST_TIMEOUT_MS: '20000', UPSTREAM_TIMEOUT_MS: '5000' }, { rateLimitMarginMs: 800 });
    const responses = await Promise.all(Array.from({ length: 25 }, (_, i) => s.query<Dashboard>(DASHBOARD, { filter: filter(i + 1) })));
    const failed = responses.filter((r) => !ok(r));
    expect(failed.map((r) => r.errors?.[0]?.extensions?.code)).toEqual([]);
    const stats = await s.sim<Stats>('GET', '/__sim/stats');
    expect(stats.requests[OPS.urlTasks]).toBe(25);
    expect(stats.throttled).toBe(0);
    expect(stats.peakPerSecond['url-tasks']).toBeLessThanOrEqual(5);
    // 5 at once, then 5 a window later, four times over.
    expect(s.economy?.metrics().limiter).toMatchObject({ queued: 20, rejected: 0, waitMsMax: 4 * 1800 });
  });

  it('refuses at once with UPSTREAM_RATE_LIMITED and a retryAfter hint the queries a burst cannot serve before their deadline', async () => {
    const events: EconomyEvent[] = [];
    const s = await start({ REQUEST_TIMEOUT_MS: '2500', UPSTREAM_TIMEOUT_MS: '2500' }, { rateLimitMarginMs: 800, onEvent: (e) => events.push(e) });
    clock.start(); // the burst's start: each query has at least 2500 ms left as the limiter sees it
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => s.query<Dashboard>(DASHBOARD, { filter: filter(i + 1) })));
    const refused = answers.filter((r) => r.errors?.[0]?.extensions?.code === 'UPSTREAM_RATE_LIMITED');
    const admitted = answers.filter((r) => !refused.includes(r));
    const served = admitted.filter(ok);
    // A window is 1.8 s: 5 calls now and 5 at 1.8 s fit in 2.5 s; the next slot (3.6 s) does not. An admitted
    // query is answered, or, on a machine too busy to answer within its 2.5 s, runs out of time: never refused late.
    expect(admitted.filter((r) => !ok(r)).map((r) => r.errors?.[0]?.extensions?.code).filter((code) => code !== 'UPSTREAM_TIMEOUT')).toEqual([]);
    expect(admitted.length).toBeGreaterThanOrEqual(5);
    expect(refused.length).toBeGreaterThanOrEqual(15);
    // Refused at once: each refusal was the limiter's answer to its request for a slot, and only admitted queries waited.
    const rejected = events.flatMap((e) => (e.type === 'rejected' ? [e.waitMs] : []));
    expect(rejected).toHaveLength(refused.length);
    expect(s.economy?.metrics().limiter).toMatchObject({ queued: admitted.length - 5, rejected: refused.length });
    // The hint is the wait for the next free slot, in whole seconds rounded up.
    const hints = refused.map((r) => r.errors?.[0]?.extensions?.retryAfter as number).sort();
    expect(hints).toEqual(rejected.map((ms) => Math.ceil(ms / 1000)).sort());
    for (const hint of hints) expect(hint).toBeGreaterThanOrEqual(2);
    const stats = await s.sim<Stats>('GET', '/__sim/stats');
    expect(stats.throttled).toBe(0);
    expect(stats.requests[OPS.urlTasks]).toBeGreaterThanOrEqual(served.length);
    expect(stats.requests[OPS.urlTasks]).toBeLessThanOrEqual(admitted.length);
  });
});
