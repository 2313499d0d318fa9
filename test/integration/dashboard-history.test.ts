/**
 * Issue 15, point 3a: a 31-day dashboard, three `totalCount`s with different filters, loaded
 * twice within a minute, at the simulator's default rate limits (url-tasks 5/s) and the
 * gateway's default cache settings. The first load pays for every 24-hour window (about 32
 * calls per count); the second is served from the cache but for the windows that move with
 * "now": the live last 24 h, the partial day behind it and the oldest partial day (the
 * dashboard asks for "the last 31 days" afresh), so three calls per count (measured: 98, then 9)
 * (src/cdn/freshness.ts, src/pagination/windows.ts).
 *
 * The counts are checked against a second simulator with the same seed and data clock,
 * counted window by window without the gateway; records added between the loads (in the live
 * window) must show in the second load, so the cache holds back only what cannot change.
 */
import { createSimulator, type Simulator } from '../../src/simulator/index';
import type { CdnClient } from '../../src/cdn/client';
import { OPS, startStack, type Stack } from '../support/stack';
import { callSimulator } from '../support/sim-control';
import { createTruthClient } from '../support/truth';

jest.setTimeout(90_000);

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const FILTERS = {
  refreshes: { taskType: 'REFRESH' },
  preheats: { taskType: 'PREHEATING' },
  failed: { status: 'FAILED' },
} as const;
type Counts = Record<keyof typeof FILTERS, number>;

const DASHBOARD = `query Dashboard($since: DateTime!) {
  refreshes: urlTasks(filter: { createdAfter: $since, taskType: REFRESH }) { totalCount }
  preheats: urlTasks(filter: { createdAfter: $since, taskType: PREHEATING }) { totalCount }
  failed: urlTasks(filter: { createdAfter: $since, status: FAILED }) { totalCount }
}`;

// The data clock stands still (statuses cannot move between the loads); the gateway's clock runs.
const dataNow = Date.now();
const SIMULATOR = { seed: 7, records: 20_000, now: () => dataNow, quiet: true };
let stack: Stack;
let twin: Simulator;
let truth: CdnClient;

beforeAll(async () => {
  stack = await startStack({
    simulator: SIMULATOR,
    economy: true,
    // The first load needs about 100 url-tasks calls at 5/s: longer than the default 15 s deadline.
    env: { REQUEST_TIMEOUT_MS: '45000', SHUTDOWN_TIMEOUT_MS: '45000' },
  });
  twin = await createSimulator({ ...SIMULATOR, port: 0, rateLimits: { 'url-tasks': 0 } });
  truth = createTruthClient(twin.url);
});

afterAll(async () => {
  await stack?.close();
  await truth?.close();
  await twin?.close();
});

// The dashboard as a browser loads it: "the last 31 days" computed at load time (a minute short, so it never exceeds MAX_RANGE_DAYS).
async function loadDashboard(): Promise<{ since: number; counts: Counts; calls: number }> {
  const since = Date.now() - 31 * DAY + MINUTE;
  const before = await stack.upstreamCalls(OPS.urlTasks);
  const res = await stack.query<{ [K in keyof Counts]: { totalCount: number } }>(DASHBOARD, { since: new Date(since).toISOString() });
  const calls = (await stack.upstreamCalls(OPS.urlTasks)) - before;
  expect(res.errors).toBeUndefined();
  const d = res.data as { [K in keyof Counts]: { totalCount: number } };
  return { since, calls, counts: { refreshes: d.refreshes.totalCount, preheats: d.preheats.totalCount, failed: d.failed.totalCount } };
}

// The counts as the twin simulator answers them, in 24-hour windows of its own, with limit=1 calls.
async function expectedCounts(since: number): Promise<Counts> {
  const count = async (filter: { taskType?: 'REFRESH' | 'PREHEATING'; status?: string }) => {
    let total = 0;
    for (let end = dataNow + 1000; end > since; end -= DAY) {
      total += (await truth.urlTasks({ ...filter, startTime: Math.max(since, end - DAY), endTime: end, offset: 0, limit: 1 })).total;
    }
    return total;
  };
  return { refreshes: await count(FILTERS.refreshes), preheats: await count(FILTERS.preheats), failed: await count(FILTERS.failed) };
}

test('a 31-day dashboard of three counts costs about 100 calls once, then three per count (four across a UTC midnight), and stays exact', async () => {
  const first = await loadDashboard();
  expect(first.counts).toEqual(await expectedCounts(first.since));
  expect(first.calls).toBeGreaterThanOrEqual(3 * 31);

  // New records arrive in the live window between the loads: the second load must count them.
  const added = { count: 2, type: 'REFRESH', status: 'FAILED' };
  await stack.sim('POST', '/__sim/url-tasks', added);
  await callSimulator(twin.url, 'POST', '/__sim/url-tasks', added);

  // The truth sees them: at the first load's range, two more refreshes and two more failures.
  expect(await expectedCounts(first.since)).toEqual({ ...first.counts, refreshes: first.counts.refreshes + 2, failed: first.counts.failed + 2 });

  const second = await loadDashboard();
  expect(second.since).toBeLessThan(first.since + MINUTE);
  expect(second.counts).toEqual(await expectedCounts(second.since));
  // Three windows per count move with "now"; a fourth when the loads straddle a UTC midnight (the day
  // before it turns from the partial day behind the live 24 h into a whole day).
  expect(second.calls).toBeLessThanOrEqual(3 * 4);
});
