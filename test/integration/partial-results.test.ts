/**
 * Issue 15, point 3b: a failure in one part of a query does not erase the parts that
 * succeeded. Fields that make upstream calls of their own are nullable (`urlTasks`, `tasks`,
 * `UrlTaskConnection.totalCount`, `Task.urls`), so a failed one is null with an error at its
 * path and everything else keeps its data (README, Schema notes).
 *
 * The failures are real refusals of the simulator: its own url-tasks rate limit (3/s here, with
 * a Retry-After too long to wait for), or injected 429s on one operation.
 */
import { startStack, type Stack } from '../support/stack';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// The data clock stands still; the gateway's runs (its ranges end at its own now, after dataNow).
const dataNow = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();
let stack: Stack;

type Conn = { totalCount: number | null; nodes: Array<{ id: string }> } | null;

beforeAll(async () => {
  stack = await startStack({ simulator: { now: () => dataNow, rateLimits: { 'url-tasks': 3, detail: 0, historytasks: 0 } } });
});

afterAll(async () => {
  await stack?.close();
});

afterEach(async () => {
  await stack.sim('DELETE', '/__sim/faults');
});

test('a 31-day count refused by the upstream is null with an error at its path; the page under it and the other aliases keep their data', async () => {
  // A 429 asks for a minute: longer than the request's deadline, so the gateway fails the call at once.
  await stack.sim('PUT', '/__sim/faults', { retryAfterSeconds: 60 });
  const res = await stack.query<Record<'recent' | 'failed' | 'month', Conn>>(
    `query Dashboard($dayAgo: DateTime!, $monthAgo: DateTime!) {
      recent: urlTasks(first: 2, filter: { createdAfter: $dayAgo }) { totalCount nodes { id } }
      failed: urlTasks(first: 2, filter: { createdAfter: $dayAgo, status: FAILED }) { totalCount nodes { id } }
      month: urlTasks(first: 2, filter: { createdAfter: $monthAgo }) { totalCount nodes { id } }
    }`,
    // Less than a day (one window, one call each) and 31 days less a minute (a page, then a total per other window).
    { dayAgo: iso(dataNow - DAY + HOUR), monthAgo: iso(Date.now() - 31 * DAY + 60_000) },
  );
  // Each page is one call (the three fill the simulator's second); the month's 30 window totals come after and are refused.
  expect(res.status).toBe(200);
  const data = res.data!;
  for (const alias of ['recent', 'failed'] as const) {
    expect(data[alias]!.nodes).toHaveLength(2);
    expect(data[alias]!.totalCount).toBeGreaterThanOrEqual(2);
  }
  expect(data.month!.nodes).toHaveLength(2);
  expect(data.month!.totalCount).toBeNull();
  expect(res.errors).toHaveLength(1);
  expect(res.errors![0]).toMatchObject({ path: ['month', 'totalCount'], extensions: { code: 'UPSTREAM_RATE_LIMITED', retryAfter: 60 } });
});

test('a root field whose operation is refused is null alone: `tasks` fails, `urlTasks` answers', async () => {
  await stack.sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 429, retryAfterSeconds: 60, operations: ['historytasks'], rateLimits: { 'url-tasks': 0 } });
  const res = await stack.query<{ records: Conn; tasks: unknown }>(
    `query($dayAgo: DateTime!) {
      records: urlTasks(first: 3, filter: { createdAfter: $dayAgo }) { nodes { id } }
      tasks(first: 3) { totalCount nodes { taskId } }
    }`,
    { dayAgo: iso(dataNow - DAY) },
  );
  expect(res.status).toBe(200);
  expect(res.data!.records!.nodes).toHaveLength(3);
  expect(res.data!.tasks).toBeNull();
  expect(res.errors).toHaveLength(1);
  expect(res.errors![0]).toMatchObject({ path: ['tasks'], extensions: { code: 'UPSTREAM_RATE_LIMITED' } });
});

test("a task whose detail is refused keeps its other fields: only its `urls` is null", async () => {
  await stack.sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 429, retryAfterSeconds: 60, operations: ['detail'], rateLimits: { 'url-tasks': 0 } });
  const res = await stack.query<{ tasks: { nodes: Array<{ taskId: string; total: number | null; urls: unknown }> } }>(
    `query($weekAgo: DateTime!) { tasks(first: 3, filter: { createdAfter: $weekAgo }) { nodes { taskId total urls(first: 2) { nodes { url } } } } }`,
    { weekAgo: iso(dataNow - 7 * DAY) },
  );
  expect(res.status).toBe(200);
  const nodes = res.data!.tasks.nodes;
  expect(nodes).toHaveLength(3);
  for (const node of nodes) {
    expect(node.taskId).toMatch(/^\d+$/);
    expect(node.urls).toBeNull();
  }
  expect(res.errors!.map((e) => e.path)).toEqual(expect.arrayContaining([0, 1, 2].map((i) => ['tasks', 'nodes', i, 'urls'])));
  expect(new Set(res.errors!.map((e) => e.extensions?.code))).toEqual(new Set(['UPSTREAM_RATE_LIMITED']));
});
