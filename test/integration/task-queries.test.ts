/**
 * Tasks and the task loader, over real GraphQL against the gateway and the simulator:
 * Query.task, Query.tasks (a connection over historytasks), Task.urls (a connection over the
 * task detail), UrlTask.task, the detail calls a page costs, UNKNOWN filters and DateTime.
 */
import { encodeOffsetCursor } from '../../src/pagination/offset-cursor';
import { OPS, startStack, type GqlResponse, type Stack } from '../support/stack';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface TaskNode {
  id: string;
  taskId: string;
  type: string;
  status: string;
  fileType: string;
  createdAt: string;
  processing: number;
  succeeded: number;
  failed: number;
  total: number;
}
interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Connection<T> {
  totalCount: number;
  pageInfo: PageInfo;
  edges: Array<{ cursor: string; node: T }>;
}
interface UrlNode {
  id: string;
  url: string;
  status: string;
  taskId: string;
  createdAt: string;
}
interface InsertedRecord {
  id: number;
  url: string;
  task_id: number;
  create_time: number;
}

const TASK_FIELDS = 'id taskId type status fileType createdAt processing succeeded failed total';
const TASKS = /* GraphQL */ `
  query Tasks($first: Int, $after: String, $last: Int, $before: String, $filter: TaskFilter, $orderBy: TaskOrder) {
    tasks(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ${TASK_FIELDS} } }
    }
  }
`;
const TASK_URLS = /* GraphQL */ `
  query TaskUrls($taskId: ID!, $first: Int, $after: String, $last: Int, $before: String, $filter: TaskUrlFilter) {
    task(taskId: $taskId) {
      urls(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id url status taskId createdAt } }
      }
    }
  }
`;

// The simulator's data clock stands still (statuses cannot move between two calls of a test) until a test moves it.
let dataNow = Date.now();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ simulator: { now: () => dataNow, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
});

afterAll(async () => {
  await stack?.close();
});

// Sends a query and returns its data, failing the test on any GraphQL error.
async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await stack.query<T>(query, variables);
  if (res.errors || !res.data) throw new Error(`unexpected answer ${res.status}: ${JSON.stringify(res.errors)}`);
  return res.data;
}

// Sends a query that must fail with one error of `code`; returns that error.
async function failure(query: string, variables: Record<string, unknown> | undefined, code: string) {
  const res: GqlResponse = await stack.query(query, variables);
  expect(res.errors).toHaveLength(1);
  expect(res.errors?.[0]?.extensions?.code).toBe(code);
  return res.errors![0]!;
}

// Counts the detail calls `run` makes.
async function detailCallsOf<T>(run: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const before = await stack.upstreamCalls(OPS.detail);
  const result = await run();
  return { result, calls: (await stack.upstreamCalls(OPS.detail)) - before };
}

const iso = (ms: number) => new Date(ms).toISOString();
const tasksPage = async (variables: Record<string, unknown>) => (await data<{ tasks: Connection<TaskNode> }>(TASKS, variables)).tasks;
const ids = (c: Connection<{ id: string }>) => c.edges.map((e) => e.node.id);

// Pages forward with `size` until the end; checks both flags on every page.
async function pageForward(size: number, variables: Record<string, unknown>): Promise<{ nodes: TaskNode[]; pages: number; totals: Set<number> }> {
  const nodes: TaskNode[] = [];
  const totals = new Set<number>();
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    const page: Connection<TaskNode> = await tasksPage({ ...variables, first: size, after });
    totals.add(page.totalCount);
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    expect(page.edges.length).toBe(page.pageInfo.hasNextPage ? size : page.edges.length);
    nodes.push(...page.edges.map((e) => e.node));
    expect(page.pageInfo.hasNextPage).toBe(nodes.length < page.totalCount);
    if (!page.pageInfo.hasNextPage) return { nodes, pages, totals };
    after = page.pageInfo.endCursor;
    expect(pages).toBeLessThan(100);
  }
}

describe('Query.task', () => {
  it('returns a task with the same fields the task list shows', async () => {
    const listed = (await tasksPage({ first: 3 })).edges.map((e) => e.node);
    expect(listed).toHaveLength(3);
    for (const t of listed) {
      const { task } = await data<{ task: TaskNode }>(`query($id: ID!) { task(taskId: $id) { ${TASK_FIELDS} } }`, { id: t.taskId });
      expect(task).toEqual(t);
      expect(task.processing + task.succeeded + task.failed).toBe(task.total);
      expect(task.createdAt).toMatch(ISO_MS);
    }
  });

  it('is null for an unknown task, without an error', async () => {
    const res = await stack.query<{ task: unknown; other: unknown }>('{ task(taskId: "999999999") { id taskId } other: task(taskId: "1") { id } }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ task: null, other: null });
  });

  it('refuses a task id in neither of the upstream formats with BAD_USER_INPUT stating the rule, without calling the upstream', async () => {
    const before = await stack.upstreamCalls(OPS.detail);
    const err = await failure('{ task(taskId: "../url-tasks") { id } }', undefined, 'BAD_USER_INPUT');
    expect(err.message).toBe('taskId: a task id is 1 to 20 decimal digits or 32 hexadecimal characters; received "../url-tasks"');
    for (const bad of ['ff8080', 'g'.repeat(32), '1'.repeat(21), '12 34']) {
      await failure('query($id: ID!) { task(taskId: $id) { id } }', { id: bad }, 'BAD_USER_INPUT');
    }
    expect(await stack.upstreamCalls(OPS.detail)).toBe(before);
  });
});

describe('Query.tasks', () => {
  // A closed range in the past: its tasks do not change while the tests run.
  const range = { createdAfter: iso(dataNow - 3 * DAY - 6 * HOUR), createdBefore: iso(dataNow - 3 * DAY) };

  it('pages forward to the end with exact flags, newest first, each task once, inside the range', async () => {
    const { nodes, pages, totals } = await pageForward(7, { filter: range });
    expect(totals.size).toBe(1);
    expect(nodes.length).toBe([...totals][0]);
    expect(nodes.length).toBeGreaterThan(14);
    expect(pages).toBe(Math.ceil(nodes.length / 7));
    expect(new Set(nodes.map((n) => n.taskId)).size).toBe(nodes.length);
    const times = nodes.map((n) => Date.parse(n.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(Date.parse(range.createdAfter));
      expect(t).toBeLessThan(Date.parse(range.createdBefore));
    }
  });

  it('pages backward from the end with exact flags and meets the same tasks in the same order', async () => {
    const forward = (await pageForward(7, { filter: range })).nodes;
    const backward: TaskNode[] = [];
    let before: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: Connection<TaskNode> = await tasksPage({ filter: range, last: 7, before });
      expect(page.totalCount).toBe(forward.length);
      expect(page.pageInfo.hasNextPage).toBe(before !== null);
      backward.unshift(...page.edges.map((e) => e.node));
      expect(page.pageInfo.hasPreviousPage).toBe(backward.length < forward.length);
      if (!page.pageInfo.hasPreviousPage) break;
      expect(page.edges).toHaveLength(7);
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(forward);
  });

  it('serves a middle page both ways: after a cursor and before one', async () => {
    const all = (await tasksPage({ filter: range, first: 20 })).edges;
    const after = await tasksPage({ filter: range, first: 5, after: all[4]!.cursor });
    expect(ids(after)).toEqual(all.slice(5, 10).map((e) => e.node.id));
    expect(after.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const before = await tasksPage({ filter: range, last: 5, before: all[10]!.cursor });
    expect(ids(before)).toEqual(all.slice(5, 10).map((e) => e.node.id));
    expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    // The cursors of a page are the cursors of the same positions on any other page.
    expect(before.edges.map((e) => e.cursor)).toEqual(after.edges.map((e) => e.cursor));
  });

  it('answers first: 0 with an empty page, null cursors and exact flags', async () => {
    const page = await tasksPage({ filter: range, first: 0 });
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null });
    expect(page.totalCount).toBeGreaterThan(0);
  });

  it('answers an empty range with an empty page and totalCount 0', async () => {
    const page = await tasksPage({ filter: { createdAfter: iso(dataNow + DAY), createdBefore: iso(dataNow + 2 * DAY) } });
    expect(page).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
  });

  it('filters by status, task type and file type: each part matches and the parts add up to the FILE tasks listed by default', async () => {
    // The last hours hold both running and finished tasks; the data clock stands still, so separate queries agree.
    const recent = { createdAfter: iso(dataNow - 6 * HOUR), createdBefore: iso(dataNow) };
    const [all, inProcess, done, refresh, preheating, file, directory] = await Promise.all(
      [
        {},
        { status: 'IN_PROCESS' },
        { status: 'DONE' },
        { taskType: 'REFRESH' },
        { taskType: 'PREHEATING' },
        { fileType: 'FILE' },
        { fileType: 'DIRECTORY' },
      ].map((f) => tasksPage({ first: 100, filter: { ...recent, ...f } })),
    );
    expect(all!.pageInfo.hasNextPage).toBe(false);
    // fileType defaults to FILE, so `all` and every other part list file tasks only; directories are their own list.
    expect(ids(all!)).toEqual(ids(file!));
    expect(all!.totalCount).toBe(file!.totalCount);
    expect(directory!.totalCount).toBeGreaterThan(0);
    expect(directory!.edges.every((e) => e.node.fileType === 'DIRECTORY')).toBe(true);
    expect(all!.edges.every((e) => e.node.fileType === 'FILE')).toBe(true);
    const parts: Array<[Connection<TaskNode>, Connection<TaskNode>, (t: TaskNode) => boolean]> = [
      [inProcess!, done!, (t) => t.status === 'IN_PROCESS'],
      [refresh!, preheating!, (t) => t.type === 'REFRESH'],
    ];
    for (const [yes, no, test] of parts) {
      expect(yes.totalCount).toBeGreaterThan(0);
      expect(no.totalCount).toBeGreaterThan(0);
      expect(yes.totalCount + no.totalCount).toBe(all!.totalCount);
      expect(yes.edges.every((e) => test(e.node))).toBe(true);
      expect(no.edges.every((e) => !test(e.node))).toBe(true);
      expect(new Set([...ids(yes), ...ids(no)])).toEqual(new Set(ids(all!)));
    }
    expect(inProcess!.edges.every((e) => e.node.processing > 0)).toBe(true);
    expect(done!.edges.every((e) => e.node.processing === 0)).toBe(true);
  });

  it('orders by the requested field and direction, across pages', async () => {
    const whole = await tasksPage({ filter: range, first: 30, orderBy: { field: 'TOTAL', direction: 'DESC' } });
    const totals = whole.edges.map((e) => e.node.total);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(new Set(totals).size).toBeGreaterThan(1);
    const first = await tasksPage({ filter: range, first: 12, orderBy: { field: 'TOTAL', direction: 'DESC' } });
    const second = await tasksPage({ filter: range, first: 18, after: first.pageInfo.endCursor, orderBy: { field: 'TOTAL', direction: 'DESC' } });
    expect([...ids(first), ...ids(second)]).toEqual(ids(whole));

    const ascending = await tasksPage({ filter: range, first: 100, orderBy: { field: 'CREATED_AT', direction: 'ASC' } });
    const descending = await tasksPage({ filter: range, first: 100 });
    expect(ids(ascending)).toEqual([...ids(descending)].reverse());
  });

  it('refuses a cursor used with another order or filter with BAD_USER_INPUT', async () => {
    const page = await tasksPage({ filter: range, first: 3, orderBy: { field: 'TOTAL', direction: 'DESC' } });
    const cursor = page.pageInfo.endCursor;
    const otherOrder = await failure(TASKS, { filter: range, first: 3, after: cursor, orderBy: { field: 'TOTAL', direction: 'ASC' } }, 'BAD_USER_INPUT');
    expect(otherOrder.message).toMatch(/different filter arguments/);
    await failure(TASKS, { filter: { ...range, taskType: 'REFRESH' }, first: 3, after: cursor, orderBy: { field: 'TOTAL', direction: 'DESC' } }, 'BAD_USER_INPUT');
    await failure(TASKS, { filter: range, last: 3, before: cursor }, 'BAD_USER_INPUT');
  });

  it.each([
    ['garbage', 'garbage', /malformed/],
    // Well-formed and for this very connection, but signed with another gateway's secret.
    ['a cursor of another gateway', encodeOffsetCursor({ connection: 'tasks', filter: {}, secret: 'another-gateway-secret' }, { offset: 2 }), /signature check failed/],
  ])('refuses %s as a cursor with BAD_USER_INPUT, never restarting from the first page', async (_name, cursor, message) => {
    const err = await failure(TASKS, { first: 3, after: cursor }, 'BAD_USER_INPUT');
    expect(err.message).toMatch(message);
    await failure(TASKS, { last: 3, before: cursor }, 'BAD_USER_INPUT');
  });

  it('refuses a tampered cursor and cursors of other connections with BAD_USER_INPUT', async () => {
    const page = await tasksPage({ first: 2 });
    const cursor = page.pageInfo.endCursor!;
    // Moves the offset inside the payload (`v2~tasks~binding~offset~frozenEnd`, then a 16-byte mac): the signature no longer matches.
    const bytes = Buffer.from(cursor, 'base64url');
    const payload = bytes.subarray(0, -16).toString('latin1');
    const forged = Buffer.concat([Buffer.from(payload.replace(/^(v2~tasks~[^~]+~)1~/, '$17~'), 'latin1'), bytes.subarray(-16)]).toString('base64url');
    expect(forged).not.toBe(cursor);
    expect((await failure(TASKS, { first: 2, after: forged }, 'BAD_USER_INPUT')).message).toMatch(/signature check failed/);

    const urlTasks = await data<{ urlTasks: { pageInfo: PageInfo } }>('{ urlTasks(first: 2) { pageInfo { endCursor } } }');
    await failure(TASKS, { first: 2, after: urlTasks.urlTasks.pageInfo.endCursor }, 'BAD_USER_INPUT');

    const taskId = page.edges[0]!.node.taskId;
    const urls = await data<{ task: { urls: Connection<UrlNode> } }>(TASK_URLS, { taskId, first: 1 });
    await failure(TASKS, { first: 2, after: urls.task.urls.edges[0]!.cursor }, 'BAD_USER_INPUT');
  });

  it.each([
    ['status', { status: 'UNKNOWN' }],
    ['taskType', { taskType: 'UNKNOWN' }],
    ['fileType', { fileType: 'UNKNOWN' }],
  ])('refuses UNKNOWN as filter.%s with BAD_USER_INPUT', async (field, filter) => {
    const err = await failure(TASKS, { first: 1, filter }, 'BAD_USER_INPUT');
    expect(err.message).toContain(`filter.${field}: UNKNOWN`);
  });

  it.each([
    [{ first: -1 }, /first must not be negative/],
    [{ first: 101 }, /first must be at most 100/],
    [{ first: 1, last: 1 }, /first and last cannot be combined/],
    [{ filter: { createdAfter: '2026-11-02T00:00:00Z', createdBefore: '2026-11-01T00:00:00Z' } }, /createdAfter must be before filter.createdBefore/],
  ])('refuses %j with BAD_USER_INPUT', async (variables, message) => {
    expect((await failure(TASKS, variables, 'BAD_USER_INPUT')).message).toMatch(message);
  });

  it('keeps paging where it was when new tasks arrive: the first page froze the range end', async () => {
    const original = await tasksPage({ first: 10 });
    const first = await tasksPage({ first: 5 });
    expect(ids(first)).toEqual(ids(original).slice(0, 5));

    dataNow = Date.now() + 1;
    for (let i = 0; i < 3; i++) await stack.sim('POST', '/__sim/url-tasks', { count: 2, status: 'SUCCEED' });

    const fresh = await tasksPage({ first: 3 });
    expect(fresh.totalCount).toBe(original.totalCount + 3);
    expect(ids(fresh)).not.toEqual(ids(original).slice(0, 3));

    const second = await tasksPage({ first: 5, after: first.pageInfo.endCursor });
    expect(ids(second)).toEqual(ids(original).slice(5, 10));
    expect(second.totalCount).toBe(original.totalCount);
    expect(second.pageInfo.hasPreviousPage).toBe(true);
    const back = await tasksPage({ last: 5, before: second.pageInfo.startCursor });
    expect(ids(back)).toEqual(ids(first));
    expect(back.pageInfo.hasPreviousPage).toBe(false);
  });
});

describe('Task.urls', () => {
  let taskId: string;
  // The task's records, newest first (the order of Task.urls).
  let records: InsertedRecord[];
  let failed: Set<number>;

  beforeAll(async () => {
    dataNow = Date.now() + 1;
    const inserted = await stack.sim<{ result: InsertedRecord[] }>('POST', '/__sim/url-tasks', { count: 25, status: 'SUCCEED' });
    records = [...inserted.result].sort((a, b) => b.id - a.id);
    taskId = String(records[0]!.task_id);
    failed = new Set([records[1]!.id, records[7]!.id, records[8]!.id, records[20]!.id]);
    for (const id of failed) await stack.sim('PATCH', `/__sim/url-tasks/${id}`, { status: 'FAILED' });
  });

  const urlsPage = async (variables: Record<string, unknown>, id = taskId) => (await data<{ task: { urls: Connection<UrlNode> } }>(TASK_URLS, { taskId: id, ...variables })).task.urls;
  const urlsOf = (c: Connection<UrlNode>) => c.edges.map((e) => e.node.url);

  it('pages forward through all of a task\'s URLs, newest first, with exact flags', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const flags: Array<[boolean, boolean]> = [];
    for (let i = 0; i < 10; i++) {
      const page: Connection<UrlNode> = await urlsPage({ first: 10, after });
      expect(page.totalCount).toBe(25);
      flags.push([page.pageInfo.hasPreviousPage, page.pageInfo.hasNextPage]);
      seen.push(...urlsOf(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(records.map((r) => r.url));
    expect(flags).toEqual([
      [false, true],
      [true, true],
      [true, false],
    ]);
  });

  it('pages backward from the end with exact flags', async () => {
    const seen: string[] = [];
    let before: string | null = null;
    const flags: Array<[boolean, boolean]> = [];
    for (let i = 0; i < 10; i++) {
      const page: Connection<UrlNode> = await urlsPage({ last: 10, before });
      flags.push([page.pageInfo.hasPreviousPage, page.pageInfo.hasNextPage]);
      seen.unshift(...urlsOf(page));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(seen).toEqual(records.map((r) => r.url));
    expect(flags).toEqual([
      [true, false],
      [true, true],
      [false, true],
    ]);
  });

  it('filters by status and by url, with exact totals', async () => {
    const failedPage = await urlsPage({ first: 10, filter: { status: 'FAILED' } });
    expect(failedPage.totalCount).toBe(4);
    expect(urlsOf(failedPage)).toEqual(records.filter((r) => failed.has(r.id)).map((r) => r.url));
    expect(failedPage.edges.every((e) => e.node.status === 'FAILED')).toBe(true);
    expect(failedPage.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

    const succeeded = await urlsPage({ first: 5, filter: { status: 'SUCCEED' } });
    expect(succeeded.totalCount).toBe(21);
    expect(succeeded.pageInfo.hasNextPage).toBe(true);
    const next = await urlsPage({ first: 20, after: succeeded.pageInfo.endCursor, filter: { status: 'SUCCEED' } });
    expect([...urlsOf(succeeded), ...urlsOf(next)]).toEqual(records.filter((r) => !failed.has(r.id)).map((r) => r.url));

    const one = records[12]!;
    const byUrl = await urlsPage({ first: 10, filter: { url: one.url } });
    expect(byUrl.totalCount).toBe(1);
    expect(byUrl.edges.map((e) => e.node)).toEqual([expect.objectContaining({ url: one.url, taskId, createdAt: iso(one.create_time) })]);

    const none = await urlsPage({ first: 10, filter: { url: 'https://nowhere.example/none' } });
    expect(none).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
  });

  it('gives a record the same global id as urlTasks does', async () => {
    const one = records[3]!;
    const fromTask = await urlsPage({ first: 1, filter: { url: one.url } });
    const fromList = await data<{ urlTasks: { nodes: UrlNode[] } }>('query($f: UrlTaskFilter) { urlTasks(first: 5, filter: $f) { nodes { id url taskId createdAt } } }', {
      f: { url: one.url, createdAfter: iso(one.create_time - HOUR), createdBefore: iso(one.create_time + HOUR) },
    });
    expect(fromList.urlTasks.nodes).toHaveLength(1);
    expect(fromList.urlTasks.nodes[0]!.id).toBe(fromTask.edges[0]!.node.id);
  });

  it('refuses cursors of another task, of another filter, and tampered ones with BAD_USER_INPUT', async () => {
    const page = await urlsPage({ first: 5 });
    const cursor = page.pageInfo.endCursor!;
    const other = (await tasksPage({ first: 1, filter: { createdBefore: iso(dataNow - HOUR) } })).edges[0]!.node.taskId;
    expect((await failure(TASK_URLS, { taskId: other, first: 5, after: cursor }, 'BAD_USER_INPUT')).message).toMatch(/different connection/);
    await failure(TASK_URLS, { taskId, first: 5, after: cursor, filter: { status: 'SUCCEED' } }, 'BAD_USER_INPUT');
    await failure(TASK_URLS, { taskId, first: 5, after: `${cursor.slice(0, -2)}xx` }, 'BAD_USER_INPUT');
    await failure(TASK_URLS, { taskId, first: 5, filter: { status: 'UNKNOWN' } }, 'BAD_USER_INPUT');
  });

  it('costs one detail call per task for the URLs of a page of tasks', async () => {
    const { result, calls } = await detailCallsOf(() =>
      data<{ tasks: { nodes: Array<{ total: number; urls: { totalCount: number; nodes: Array<{ taskId: string }> } ; taskId: string }> } }>(
        '{ tasks(first: 10) { nodes { taskId total urls(first: 3) { totalCount nodes { taskId } } } } }',
      ),
    );
    const tasks = result.tasks.nodes;
    expect(tasks).toHaveLength(10);
    expect(calls).toBe(10);
    for (const t of tasks) {
      expect(t.urls.totalCount).toBe(t.total);
      expect(t.urls.nodes.length).toBe(Math.min(3, t.total));
      expect(t.urls.nodes.every((u) => u.taskId === t.taskId)).toBe(true);
    }
  });
});

describe('UrlTask.task through the per-request loader', () => {
  const PAGE = /* GraphQL */ `
    query($f: UrlTaskFilter) {
      urlTasks(first: 100, filter: $f) {
        edges { node { id taskId createdAt task { id taskId total createdAt } } }
        nodes { taskId task { taskId status processing } }
      }
    }
  `;
  type Page = { urlTasks: { edges: Array<{ node: { taskId: string; createdAt: string; task: { taskId: string; total: number; createdAt: string } | null } }> } };

  it('costs at most one detail call per distinct task for a page of 100 records', async () => {
    const f = { createdAfter: iso(dataNow - 2 * DAY), createdBefore: iso(dataNow - DAY) };
    const { result, calls } = await detailCallsOf(() => data<Page>(PAGE, { f }));
    const records = result.urlTasks.edges.map((e) => e.node);
    expect(records).toHaveLength(100);
    const distinct = new Set(records.map((r) => r.taskId)).size;
    // Records share tasks, so the bound is below one call per record.
    expect(distinct).toBeLessThan(100);
    expect(calls).toBeLessThanOrEqual(distinct);
    for (const r of records) {
      expect(r.task?.taskId).toBe(r.taskId);
      expect(r.task!.total).toBeGreaterThanOrEqual(1);
    }
    // Every record of one task on the page sees that task.
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.taskId, (counts.get(r.taskId) ?? 0) + 1);
    for (const r of records) expect(r.task!.total).toBeGreaterThanOrEqual(counts.get(r.taskId)!);
  });

  it('finds tasks 7 to 15 days old through the records\' creation time', async () => {
    const f = { createdAfter: iso(dataNow - 10 * DAY - 6 * HOUR), createdBefore: iso(dataNow - 10 * DAY) };
    const res = await stack.query<Page>(PAGE, { f });
    expect(res.errors).toBeUndefined();
    const records = res.data!.urlTasks.edges.map((e) => e.node);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.task?.taskId === r.taskId)).toBe(true);
  });

  it('gives null, not an error, for records whose task the upstream no longer holds (older than 15 days), without asking the detail API', async () => {
    const f = { createdAfter: iso(dataNow - 20 * DAY - 6 * HOUR), createdBefore: iso(dataNow - 20 * DAY) };
    const { result: res, calls } = await detailCallsOf(() => stack.query<Page>(PAGE, { f }));
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    const records = res.data!.urlTasks.edges.map((e) => e.node);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.task === null)).toBe(true);
    // Past its retention (DETAIL_RETENTION_DAYS) the detail API could only answer CDN.0108: no call is made.
    expect(calls).toBe(0);
  });
});

describe('UNKNOWN filters and DateTime through GraphQL', () => {
  const URL_TASKS = 'query($f: UrlTaskFilter) { urlTasks(first: 3, filter: $f) { nodes { id createdAt modifiedAt } } }';

  it.each([['status'], ['taskType'], ['fileType']])('refuses UNKNOWN as urlTasks filter.%s with BAD_USER_INPUT', async (field) => {
    const err = await failure(URL_TASKS, { f: { [field]: 'UNKNOWN' } }, 'BAD_USER_INPUT');
    expect(err.message).toContain(`filter.${field}: UNKNOWN`);
  });

  it('serializes times as ISO-8601 UTC with milliseconds', async () => {
    const res = await data<{ urlTasks: { nodes: Array<{ createdAt: string; modifiedAt: string | null }> } }>(URL_TASKS, {
      f: { createdAfter: iso(dataNow - 2 * DAY), createdBefore: iso(dataNow - DAY) },
    });
    expect(res.urlTasks.nodes).toHaveLength(3);
    for (const n of res.urlTasks.nodes) {
      expect(n.createdAt).toMatch(ISO_MS);
      expect(n.modifiedAt).toMatch(ISO_MS);
    }
  });

  it('reads the same instant from ISO with Z, ISO with an offset and epoch milliseconds', async () => {
    const after = Math.floor((dataNow - 2 * DAY) / 1000) * 1000;
    const before = after + 6 * HOUR;
    const offset = (ms: number) => `${new Date(ms + 8 * HOUR).toISOString().slice(0, 19)}+08:00`;
    const answers = await Promise.all(
      [
        { createdAfter: iso(after), createdBefore: iso(before) },
        { createdAfter: offset(after), createdBefore: offset(before) },
        { createdAfter: after, createdBefore: before },
      ].map((f) => data<{ tasks: { totalCount: number; nodes: Array<{ id: string }> } }>('query($f: TaskFilter) { tasks(first: 5, filter: $f) { totalCount nodes { id } } }', { f })),
    );
    expect(answers[0]!.tasks.totalCount).toBeGreaterThan(0);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it.each([
    ['an ISO timestamp without a zone', '2026-11-20T00:00:00'],
    ['garbage', 'last tuesday'],
    ['a day February does not have', '2026-02-30T00:00:00Z'],
    ['epoch ms beyond what a date holds', 9e15],
  ])('refuses %s in a variable with BAD_USER_INPUT', async (_name, value) => {
    const res = await stack.query(URL_TASKS, { f: { createdAfter: value } });
    expect(res.status).toBe(400);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/DateTime must be an ISO-8601 timestamp with a zone/);
  });

  it('refuses a bad DateTime literal before running anything', async () => {
    const before = await stack.upstreamCalls();
    const res = await stack.query('{ tasks(first: 1, filter: { createdAfter: "2026-11-20T00:00:00" }) { totalCount } }');
    expect(res.status).toBe(400);
    expect(res.errors![0]!.message).toMatch(/DateTime must be an ISO-8601 timestamp with a zone/);
    expect(await stack.upstreamCalls()).toBe(before);
  });
});
