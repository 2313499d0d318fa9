/**
 * A task's counts and its URLs in one query cost one detail call per task, wherever the task
 * comes from (`tasks`, `UrlTask.task`, `task`, `node`/`nodes`, `_entities`, a create payload):
 * the lookup loads the whole detail when the query reads the task's unfiltered URLs, and that
 * one answer gives both (before, a one-record summary and then the full list: two calls).
 * Counted at the simulator (`/__sim/stats`, `/__sim/requests`); the answers are checked
 * against the task details read straight from the simulator.
 */
import type { CdnClient } from '../../src/cdn/client';
import type { TaskDetailModel } from '../../src/cdn/models';
import { OPS, startStack, type Stack } from '../support/stack';
import { createTruthClient } from '../support/truth';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// What the tests select of a task: every count and the URLs (every field counts towards MAX_COST, hence few).
const TASK_VIEW = 'taskId total processing succeeded failed urls(first: 100) { totalCount nodes { url status } }';

interface TaskView {
  taskId: string;
  total: number;
  processing: number;
  succeeded: number;
  failed: number;
  urls: { totalCount: number; nodes: Array<{ url: string; status: string }> };
}
interface DetailRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

// The simulator's data clock stands still, so statuses cannot move between two queries.
const dataNow = Date.now();
// A closed range a few days back: settled tasks whose details the upstream still keeps.
const RANGE = { createdAfter: new Date(dataNow - 3 * DAY - 12 * HOUR).toISOString(), createdBefore: new Date(dataNow - 3 * DAY).toISOString() };

let stack: Stack;
let truth: CdnClient;
// The first 12 tasks of the range (global id, task id) and their details as the simulator gives them.
let listed: Array<{ id: string; taskId: string }>;
const details = new Map<string, TaskDetailModel>();

beforeAll(async () => {
  stack = await startStack({ simulator: { now: () => dataNow, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0, refresh: 0 } } });
  truth = createTruthClient(stack.simulator.url);
  listed = (await data<{ tasks: { nodes: Array<{ id: string; taskId: string }> } }>('query($f: TaskFilter) { tasks(first: 12, filter: $f) { nodes { id taskId } } }', { f: RANGE }))
    .tasks.nodes;
  expect(listed).toHaveLength(12);
});

afterAll(async () => {
  await truth?.close();
  await stack?.close();
});

// Sends a query and returns its data, failing the test on any GraphQL error.
async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await stack.query<T>(query, variables);
  if (res.errors || !res.data) throw new Error(`unexpected answer ${res.status}: ${JSON.stringify(res.errors)}`);
  return res.data;
}

// Runs `run` and returns its result with the detail calls the simulator received meanwhile (count and requests).
async function detailCallsOf<T>(run: () => Promise<T>): Promise<{ result: T; calls: number; requests: DetailRequest[] }> {
  const before = await stack.upstreamCalls(OPS.detail);
  const result = await run();
  const calls = (await stack.upstreamCalls(OPS.detail)) - before;
  // The log keeps the last 200 requests, far more than one run makes: its last `calls` detail requests are the run's.
  const log = await stack.sim<{ requests: DetailRequest[] }>('GET', '/__sim/requests');
  return { result, calls, requests: log.requests.filter((r) => r.path.endsWith('/detail')).slice(-calls || log.requests.length) };
}

// The task's detail read straight from the simulator (cached per test file: the data clock stands still).
async function detailOf(taskId: string): Promise<TaskDetailModel> {
  let detail = details.get(taskId);
  if (!detail) {
    const read = await truth.taskDetail(taskId, { pageSize: 10000, pageNumber: 1, createTime: dataNow - 3 * DAY - 12 * HOUR });
    if (!read) throw new Error(`the simulator does not know task ${taskId}`);
    details.set(taskId, (detail = read));
  }
  return detail;
}

// Checks a task's counts and URLs (the first 100) against the simulator's own detail.
async function expectTaskMatches(view: TaskView): Promise<void> {
  const detail = await detailOf(view.taskId);
  const counts = { total: detail.total, processing: detail.processing, succeeded: detail.succeeded, failed: detail.failed };
  expect({ total: view.total, processing: view.processing, succeeded: view.succeeded, failed: view.failed }).toEqual(counts);
  // The counts describe the task's URLs.
  expect(detail.urls.filter((u) => u.status === 'SUCCEED')).toHaveLength(view.succeeded);
  expect(detail.urls.filter((u) => u.status === 'FAILED')).toHaveLength(view.failed);
  expect(view.urls.totalCount).toBe(detail.urls.length);
  expect(view.urls.nodes).toEqual(detail.urls.slice(0, 100).map((u) => ({ url: u.url, status: u.status })));
}

describe('a task with its counts and its URLs costs one detail call', () => {
  it('tasks(first: 12) { nodes { total succeeded … urls { nodes { url } } } }: 12 calls', async () => {
    const { result, calls } = await detailCallsOf(() => data<{ tasks: { nodes: TaskView[] } }>(`query($f: TaskFilter) { tasks(first: 12, filter: $f) { nodes { ${TASK_VIEW} } } }`, { f: RANGE }));
    expect(result.tasks.nodes.map((t) => t.taskId)).toEqual(listed.map((t) => t.taskId));
    expect(calls).toBe(12);
    for (const t of result.tasks.nodes) await expectTaskMatches(t);
  });

  it('nodes(ids:) of 12 Task ids, and _entities of the same, with counts and URLs: 12 calls each, every one the whole detail', async () => {
    const ids = listed.map((t) => t.id);
    const nodes = await detailCallsOf(() => data<{ nodes: TaskView[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Task { ${TASK_VIEW} } } }`, { ids }));
    expect(nodes.calls).toBe(12);
    expect(nodes.requests.map((r) => r.query.page_size)).toEqual(Array(12).fill('10000'));
    const entities = await detailCallsOf(() =>
      data<{ _entities: TaskView[] }>(`query($r: [_Any!]!) { _entities(representations: $r) { ...T } } fragment T on Task { ${TASK_VIEW} }`, {
        r: ids.map((id) => ({ __typename: 'Task', id })),
      }),
    );
    expect(entities.calls).toBe(12);
    expect(entities.result._entities).toEqual(nodes.result.nodes);
    expect(nodes.result.nodes.map((t) => t.taskId)).toEqual(listed.map((t) => t.taskId));
    for (const t of nodes.result.nodes) await expectTaskMatches(t);
  });

  it('UrlTask.task with counts and URLs costs one call per distinct task (was two)', async () => {
    type Page = { urlTasks: { nodes: Array<{ taskId: string; task: TaskView }> } };
    const { result, calls } = await detailCallsOf(() =>
      data<Page>(`query($f: UrlTaskFilter) { urlTasks(first: 12, filter: $f) { nodes { taskId task { ${TASK_VIEW} } } } }`, { f: RANGE }),
    );
    const records = result.urlTasks.nodes;
    expect(records).toHaveLength(12);
    expect(calls).toBe(new Set(records.map((r) => r.taskId)).size);
    for (const r of records) {
      expect(r.task.taskId).toBe(r.taskId);
      await expectTaskMatches(r.task);
    }
  });

  it('task(taskId:) and node(id:) follow fragments and aliases: one whole-detail call each', async () => {
    const [a, b] = listed as [{ id: string; taskId: string }, { id: string; taskId: string }];
    const query = `query($a: ID!, $b: ID!) {
      byTaskId: task(taskId: $a) { ...Counts list: urls(first: 100) { totalCount nodes { url status } } }
      byNode: node(id: $b) { ... on Node { ...Counts } ...Urls }
    }
    fragment Counts on Task { taskId total processing succeeded failed }
    fragment Urls on Task { urls(first: 100) { totalCount nodes { url status } } }`;
    type Answer = { byTaskId: Omit<TaskView, 'urls'> & { list: TaskView['urls'] }; byNode: TaskView };
    const { result, calls, requests } = await detailCallsOf(() => data<Answer>(query, { a: a.taskId, b: b.id }));
    expect(calls).toBe(2);
    expect(requests.map((r) => r.query.page_size)).toEqual(['10000', '10000']);
    const { list, ...counts } = result.byTaskId;
    await expectTaskMatches({ ...counts, urls: list });
    await expectTaskMatches(result.byNode);
  });

  it('a create payload with the task\'s counts and URLs costs one detail call', async () => {
    const urls = [`https://cdn.example.com/${Date.now()}/one.js`, `https://cdn.example.com/${Date.now()}/fail-two.js`];
    type Created = { createRefreshTask: { taskId: string; task: TaskView } };
    const { result, calls } = await detailCallsOf(() =>
      data<Created>(`mutation($input: CreateRefreshTaskInput!) { createRefreshTask(input: $input) { taskId task { ${TASK_VIEW} } } }`, { input: { urls } }),
    );
    expect(calls).toBe(1);
    const task = result.createRefreshTask.task;
    expect(task.taskId).toBe(result.createRefreshTask.taskId);
    expect(task.total).toBe(2);
    expect(task.urls.nodes.map((u) => u.url).sort()).toEqual([...urls].sort());
  });

  it('still loads only the one-record summary when the URLs are not read: counts alone, URLs skipped, or filtered URLs (their own call)', async () => {
    const [a] = listed as [{ id: string; taskId: string }];
    const alone = await detailCallsOf(() => data(`query($a: ID!) { task(taskId: $a) { total succeeded } }`, { a: a.taskId }));
    expect(alone.requests.map((r) => r.query.page_size)).toEqual(['1']);
    const skipped = await detailCallsOf(() =>
      data(`query($a: ID!, $no: Boolean!) { task(taskId: $a) { total urls @include(if: $no) { totalCount } } }`, { a: a.taskId, no: false }),
    );
    expect(skipped.requests.map((r) => r.query.page_size)).toEqual(['1']);
    const filtered = await detailCallsOf(() =>
      data<{ task: { total: number; failed: number; urls: { totalCount: number } } }>(`query($a: ID!) { task(taskId: $a) { total failed urls(filter: { status: FAILED }) { totalCount } } }`, {
        a: a.taskId,
      }),
    );
    expect(filtered.requests.map((r) => [r.query.page_size, r.query.status])).toEqual([
      ['1', undefined],
      ['10000', 'failed'],
    ]);
    expect(filtered.result.task.urls.totalCount).toBe(filtered.result.task.failed);
  });
});
