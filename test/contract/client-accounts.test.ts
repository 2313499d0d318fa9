/**
 * Account shapes the SDK models allow, through real GraphQL against the simulator: older
 * tasks with 32-hex `ff8080…` ids (through `tasks`, `node(id:)` and `task(taskId:)`), and
 * accounts with enterprise projects, which need `enterprise_project_id` on every API but url-tasks.
 */
import { api } from '../support/sim-api';
import { startStack, type Stack } from '../support/stack';

const DAY = 86_400_000;
const HEX_ID = /^ff8080[0-9a-f]{26}$/;
const UNLIMITED = { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 };
const clock = Date.UTC(2026, 10, 30, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

let stack: Stack;
let scoped: Stack;

beforeAll(async () => {
  stack = await startStack({ simulator: { now: () => clock, records: 6000, rateLimits: UNLIMITED } });
  scoped = await startStack({ upstream: stack.simulator, env: { HUAWEICLOUD_ENTERPRISE_PROJECT_ID: '0' } });
});
afterAll(async () => {
  await scoped?.close();
  await stack?.close();
});
afterEach(async () => {
  await stack.sim('POST', '/__sim/reset');
});

describe('32-hex task ids of older tasks', () => {
  it('are listed by `tasks` and resolve through `node(id:)` (the global id carries the creation time)', async () => {
    const listed = await stack.query<{ tasks: { nodes: Array<{ id: string; taskId: string; total: number }> } }>(
      'query($f: TaskFilter) { tasks(first: 100, filter: $f) { nodes { id taskId total } } }',
      { f: { createdAfter: iso(clock - 14 * DAY), createdBefore: iso(clock - 12 * DAY - 3_600_000) } },
    );
    expect(listed.errors).toBeUndefined();
    const old = listed.data!.tasks.nodes.find((t) => HEX_ID.test(t.taskId));
    expect(old).toBeDefined();
    const res = await stack.query('query($id: ID!) { node(id: $id) { ... on Task { taskId total urls(first: 3) { nodes { taskId } } } } }', { id: old!.id });
    expect(res.errors).toBeUndefined();
    const node = res.data!.node as { taskId: string; total: number; urls: { nodes: Array<{ taskId: string }> } };
    expect([node.taskId, node.total]).toEqual([old!.taskId, old!.total]);
    expect(node.urls.nodes.length).toBeGreaterThan(0);
    expect(new Set(node.urls.nodes.map((u) => u.taskId))).toEqual(new Set([old!.taskId]));
  });

  it('resolve through `task(taskId:)` when the task is within the detail API\'s 7 days', async () => {
    // A data set ending 6 days after the data clock: its hex-id tasks (older than 12 days at its
    // end) include some from the data clock's last 7 days, which the detail finds without create_time.
    await stack.sim('POST', '/__sim/reset', { now: clock + 6 * DAY });
    const listed = await api(stack.simulator, 'GET', '/v1.0/cdn/historytasks', { query: { start_date: clock - 7 * DAY + 3_600_000, end_date: clock - 6 * DAY, page_size: 10000, page_number: 1 } });
    const hex = (listed.json.tasks as Array<{ id: string; total: number }>).find((t) => HEX_ID.test(t.id));
    expect(hex).toBeDefined();
    const res = await stack.query('query($id: ID!) { task(taskId: $id) { taskId total urls(first: 3) { nodes { taskId } } } }', { id: hex!.id });
    expect(res.errors).toBeUndefined();
    const task = res.data!.task as { taskId: string; total: number; urls: { nodes: Array<{ taskId: string }> } };
    expect([task.taskId, task.total]).toEqual([hex!.id, hex!.total]);
    expect(new Set(task.urls.nodes.map((u) => u.taskId))).toEqual(new Set([hex!.id]));
  });
});

describe('an account with enterprise projects (enterpriseProjectRequired)', () => {
  const READ = /* GraphQL */ `{ tasks(first: 1) { nodes { taskId } } }`;
  const DETAIL = /* GraphQL */ `query($id: ID!) { task(taskId: $id) { taskId } }`;
  const CREATE = /* GraphQL */ `mutation($u: String!) { createRefreshTask(input: { urls: [$u] }) { taskId } }`;
  const URLS = /* GraphQL */ `query($f: UrlTaskFilter) { urlTasks(first: 2, filter: $f) { nodes { id } } }`;
  const window = { f: { createdAfter: iso(clock - DAY), createdBefore: iso(clock) } };

  it('works for a gateway configured with a project, url-tasks included', async () => {
    const [task] = (await api(stack.simulator, 'GET', '/v1.0/cdn/historytasks')).json.tasks;
    await stack.sim('PUT', '/__sim/faults', { enterpriseProjectRequired: true });
    for (const [query, variables] of [[READ, {}], [DETAIL, { id: task.id }], [CREATE, { u: 'https://eps.example.com/a.js' }], [URLS, window]] as const) {
      const res = await scoped.query(query, variables);
      expect([query, res.errors]).toEqual([query, undefined]);
    }
    expect((await scoped.query<{ task: { taskId: string } }>(DETAIL, { id: task.id })).data!.task.taskId).toBe(task.id);
  });

  it('keeps /readyz ready for a gateway configured with a project (its probe names the project too)', async () => {
    await stack.sim('PUT', '/__sim/faults', { enterpriseProjectRequired: true });
    const readyz = (s: Stack) => fetch(s.url.replace(/\/graphql$/, '/readyz')).then(async (r) => [r.status, ((await r.json()) as { status: string }).status]);
    const fresh = await startStack({ upstream: stack.simulator, env: { HUAWEICLOUD_ENTERPRISE_PROJECT_ID: '0' } });
    const bare = await startStack({ upstream: stack.simulator });
    try {
      expect(await readyz(fresh)).toEqual([200, 'ready']);
      expect(await readyz(bare)).toEqual([503, 'unready']);
      // url-tasks takes no project, so only the historytasks probe can catch the missing setting.
      const body = (await (await fetch(bare.url.replace(/\/graphql$/, '/readyz'))).json()) as { operation: string; code: string; message: string };
      expect(body).toMatchObject({ operation: 'historytasks', code: 'UPSTREAM_FORBIDDEN' });
      expect(body.message).toContain('set HUAWEICLOUD_ENTERPRISE_PROJECT_ID');
    } finally {
      await fresh.close();
      await bare.close();
    }
  });

  it('fails task queries and creates with a clear code for a gateway without one, while urlTasks works', async () => {
    const [task] = (await api(stack.simulator, 'GET', '/v1.0/cdn/historytasks')).json.tasks;
    await stack.sim('PUT', '/__sim/faults', { enterpriseProjectRequired: true });
    for (const [query, variables] of [[READ, {}], [DETAIL, { id: task.id }], [CREATE, { u: 'https://eps.example.com/b.js' }]] as const) {
      const res = await stack.query(query, variables);
      // A refusal of the gateway's setup, not of the request: UPSTREAM_FORBIDDEN, telling the operator what to set.
      expect([query, res.errors?.map((e) => e.extensions?.code)]).toEqual([query, ['UPSTREAM_FORBIDDEN']]);
      // The upstream's own refusal, passed on: HTTP 400 CDN.0001 and its message.
      expect(res.errors![0]!.extensions?.upstream).toMatchObject({ status: 400, code: 'CDN.0001', requestId: expect.any(String) });
      expect(res.errors![0]!.message).toContain('enterprise_project_id is required');
      expect(res.errors![0]!.message).toContain('set HUAWEICLOUD_ENTERPRISE_PROJECT_ID to the project of the CDN domains (or `all` for every project)');
    }
    const urls = await stack.query<{ urlTasks: { nodes: unknown[] } }>(URLS, window);
    expect(urls.errors).toBeUndefined();
    expect(urls.data!.urlTasks.nodes.length).toBeGreaterThan(0);
  });
});
