/**
 * Lookups of records and tasks older than the task detail's 15-day retention, over real GraphQL
 * against the simulator (which keeps details 15 days, like Huawei): `node`, `nodes` and
 * `_entities` resolve the UrlTask and Task ids that `urlTasks` and `tasks` list at 3, 16, 20 and
 * 28 days with the fields those lists show, through url-tasks and historytasks in a window
 * around the creation time the id carries; the upstream calls each lookup makes are counted at
 * the simulator and bounded; the per-request allowance refuses what would spend too much.
 */
import { toTaskGlobalId, toUrlTaskGlobalId } from '../../src/graph/ids';
import { groupLookupWindows, TASK_LOOKUP_GAP_MS } from '../../src/pagination/lookup-windows';
import { OPS, startStack, type Stack } from '../support/stack';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const RECORD_FIELDS = 'id url status type taskId createdAt modifiedAt fileType mode failureReason { classification description }';
// What both paths to a UrlTask carry (the detail has no modifiedAt, fileType or mode; url-tasks no failureReason).
const COMMON_RECORD_FIELDS = ['id', 'url', 'status', 'type', 'taskId', 'createdAt'] as const;
// Aliased: UrlTask and Task share field names of different enum types, which one selection cannot merge.
const TASK_FIELDS = 'id taskId taskType: type taskStatus: status taskFileType: fileType createdAt processing succeeded failed total';
const NODE_FIELDS = `__typename ... on UrlTask { ${RECORD_FIELDS} } ... on Task { ${TASK_FIELDS} }`;

type Obj = Record<string, unknown> & { id: string };

// The simulator's data clock stands still, so statuses cannot move between two queries.
const dataNow = Date.now();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ simulator: { now: () => dataNow, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
});

afterAll(async () => {
  await stack?.close();
});

const iso = (ms: number) => new Date(ms).toISOString();

// Sends a query and returns its data, failing the test on any GraphQL error.
async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await stack.query<T>(query, variables);
  if (res.errors || !res.data) throw new Error(`unexpected answer ${res.status}: ${JSON.stringify(res.errors)}`);
  return res.data;
}

// Counts the upstream calls `run` makes, by operation, at the simulator.
async function callsOf<T>(run: () => Promise<T>): Promise<{ result: T; urlTasks: number; historyTasks: number; detail: number }> {
  const count = async () => Promise.all([stack.upstreamCalls(OPS.urlTasks), stack.upstreamCalls(OPS.historyTasks), stack.upstreamCalls(OPS.detail)]);
  const before = await count();
  const result = await run();
  const after = await count();
  return { result, urlTasks: after[0] - before[0], historyTasks: after[1] - before[1], detail: after[2] - before[2] };
}

// Records `urlTasks` lists in the six hours before `end`, newest first, and the file and directory tasks `tasks` lists there.
async function listed(end: number, first = 5): Promise<{ records: Obj[]; tasks: Obj[] }> {
  const filter = { createdAfter: iso(end - 6 * HOUR), createdBefore: iso(end) };
  const page = await data<{ urlTasks: { nodes: Obj[] }; files: { nodes: Obj[] }; dirs: { nodes: Obj[] } }>(
    `query($f: UrlTaskFilter, $t: TaskFilter, $d: TaskFilter) {
      urlTasks(first: ${first}, filter: $f) { nodes { ${RECORD_FIELDS} } }
      files: tasks(first: 3, filter: $t) { nodes { ${TASK_FIELDS} } }
      dirs: tasks(first: 2, filter: $d) { nodes { ${TASK_FIELDS} } }
    }`,
    { f: filter, t: filter, d: { ...filter, fileType: 'DIRECTORY' } },
  );
  return { records: page.urlTasks.nodes, tasks: [...page.files.nodes, ...page.dirs.nodes] };
}

const node = async (id: string) => (await data<{ node: Obj | null }>(`query($id: ID!) { node(id: $id) { ${NODE_FIELDS} } }`, { id })).node;
const nodes = async (ids: string[]) => (await data<{ nodes: Array<Obj | null> }>(`query($ids: [ID!]!) { nodes(ids: $ids) { ${NODE_FIELDS} } }`, { ids })).nodes;
const entities = async (reps: Array<{ __typename: string; id: string }>) =>
  (await data<{ _entities: Array<Obj | null> }>(`query($r: [_Any!]!) { _entities(representations: $r) { ${NODE_FIELDS} } }`, { r: reps }))._entities;

const asUrlTask = (r: Obj) => ({ __typename: 'UrlTask', ...r });
const asTask = (t: Obj) => ({ __typename: 'Task', ...t });
const pick = (o: Obj | null, keys: readonly string[]) => (o ? Object.fromEntries(keys.map((k) => [k, o[k]])) : o);
const times = (rs: Obj[]) => rs.map((r) => Date.parse(r.createdAt as string));

describe.each([16, 20, 28])('ids of records and tasks %i days old', (age) => {
  let records: Obj[];
  let tasks: Obj[];

  beforeAll(async () => {
    ({ records, tasks } = await listed(dataNow - age * DAY));
    expect(records).toHaveLength(5);
    expect(tasks.length).toBeGreaterThanOrEqual(4);
  });

  it('node(id:) resolves a UrlTask with exactly the fields urlTasks shows, from one url-tasks call and no detail call', async () => {
    for (const r of [records[0]!, records[4]!]) {
      const t = Date.parse(r.createdAt as string);
      // The window the lookup reads (a second on each side): one call holds it when it has at most 100 records.
      const around = await data<{ urlTasks: { totalCount: number } }>('query($f: UrlTaskFilter) { urlTasks(first: 1, filter: $f) { totalCount } }', {
        f: { createdAfter: iso(t - 1000), createdBefore: iso(t + 1001) },
      });
      const { result, urlTasks, historyTasks, detail } = await callsOf(() => node(r.id));
      expect(result).toEqual(asUrlTask(r));
      expect({ historyTasks, detail }).toEqual({ historyTasks: 0, detail: 0 });
      expect(urlTasks).toBe(around.urlTasks.totalCount <= 100 ? 1 : 2);
    }
  });

  it('node(id:) resolves a Task with exactly the fields tasks shows, from one historytasks call per file type searched', async () => {
    for (const t of tasks) {
      const { result, urlTasks, historyTasks, detail } = await callsOf(() => node(t.id));
      expect(result).toEqual(asTask(t));
      expect({ urlTasks, detail }).toEqual({ urlTasks: 0, detail: 0 });
      // File tasks are found by the first call; directories by a second one, of file_type=directory.
      expect(historyTasks).toBe(t.taskFileType === 'FILE' ? 1 : 2);
    }
  });

  it('nodes(ids:) and _entities resolve them all in input order, one url-tasks call per window of close ids and one historytasks call per file type', async () => {
    const ids = [...records.map((r) => r.id), ...tasks.map((t) => t.id), 'garbage', records[2]!.id];
    const expected = [...records.map(asUrlTask), ...tasks.map(asTask), null, asUrlTask(records[2]!)];
    const windows = groupLookupWindows(times(records)).length;
    // Tasks within 24 hours share a window: one call for file tasks, one more for the directories it did not hold.
    expect(groupLookupWindows(times(tasks), TASK_LOOKUP_GAP_MS)).toHaveLength(1);

    const viaNodes = await callsOf(() => nodes(ids));
    expect(viaNodes.result).toEqual(expected);
    expect(viaNodes).toMatchObject({ urlTasks: windows, historyTasks: 2, detail: 0 });

    // _entities refuses a malformed id outright (test/integration/hostile-clients.test.ts), so the garbage item is left out here.
    const garbage = ids.indexOf('garbage');
    const representations = ids.flatMap((id, i) => (i === garbage ? [] : [{ __typename: i < records.length || i === ids.length - 1 ? 'UrlTask' : 'Task', id }]));
    const viaEntities = await callsOf(() => entities(representations));
    expect(viaEntities.result).toEqual(expected.filter((_, i) => i !== garbage));
    expect(viaEntities).toMatchObject({ urlTasks: windows, historyTasks: 2, detail: 0 });
  });

  it('asks the detail API nothing for the task of an old record: it is null, as urlTasks shows it', async () => {
    const { result, detail } = await callsOf(() => data<{ node: { task: unknown } }>(`query($id: ID!) { node(id: $id) { ... on UrlTask { task { id } } } }`, { id: records[1]!.id }));
    expect(result.node.task).toBeNull();
    expect(detail).toBe(0);
  });
});

describe('ids of records and tasks 3 days old (the detail API still holds them)', () => {
  let records: Obj[];
  let tasks: Obj[];

  beforeAll(async () => {
    ({ records, tasks } = await listed(dataNow - 3 * DAY));
  });

  it('resolve through the task detail as before: the fields urlTasks and tasks show, the detail-only ones aside', async () => {
    const ids = [...records.map((r) => r.id), ...tasks.map((t) => t.id)];
    const { result, urlTasks, historyTasks, detail } = await callsOf(() => nodes(ids));
    expect(result.slice(0, records.length).map((n) => pick(n, COMMON_RECORD_FIELDS))).toEqual(records.map((r) => pick(r, COMMON_RECORD_FIELDS)));
    // The task detail carries no modifiedAt, fileType or mode (docs/upstream.md#task-detail).
    for (const n of result.slice(0, records.length)) expect(n).toMatchObject({ __typename: 'UrlTask', modifiedAt: null, fileType: null, mode: null });
    expect(result.slice(records.length)).toEqual(tasks.map(asTask));
    expect({ urlTasks, historyTasks }).toEqual({ urlTasks: 0, historyTasks: 0 });
    expect(detail).toBe(new Set([...records.map((r) => r.taskId), ...tasks.map((t) => t.taskId)]).size);
  });

  it('_entities resolves them alike', async () => {
    const found = await entities([{ __typename: 'UrlTask', id: records[0]!.id }, { __typename: 'Task', id: tasks[0]!.id }]);
    expect(pick(found[0]!, COMMON_RECORD_FIELDS)).toEqual(pick(records[0]!, COMMON_RECORD_FIELDS));
    expect(found[1]).toEqual(asTask(tasks[0]!));
  });
});

describe('records the detail API does not show', () => {
  it('finds a record 13 days old whose task the detail lists under another id, through url-tasks after the detail said no', async () => {
    // The simulator gives tasks older than 12 days 32-hex history ids; their url-tasks records keep a decimal task_id the detail does not know.
    const { records } = await listed(dataNow - 13 * DAY, 1);
    const { result, urlTasks, detail } = await callsOf(() => node(records[0]!.id));
    expect(result).toEqual(asUrlTask(records[0]!));
    expect({ urlTasks, detail }).toEqual({ urlTasks: 1, detail: 1 });
  });

  it('returns null, without an error, for an id naming a record that is not where its id says', async () => {
    const [r] = (await listed(dataNow - 20 * DAY, 1)).records;
    const t = Date.parse(r!.createdAt as string);
    const res = await stack.query<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids: [
        toUrlTaskGlobalId(String(r!.taskId), 1, t), // no such record id
        toUrlTaskGlobalId('999999999', Number(Buffer.from(r!.id, 'base64url').toString().split(':')[2]), t), // the record, but another task
        toUrlTaskGlobalId(String(r!.taskId), 1, dataNow + DAY), // created tomorrow
        toTaskGlobalId('999999999', t),
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ nodes: [null, null, null, null] });
  });
});

describe('a task of 1000 URLs created 20 days ago', () => {
  let inserted: Array<{ id: number; task_id: number; create_time: number }>;
  const createTime = dataNow - 20 * DAY + 7 * MINUTE;

  beforeAll(async () => {
    ({ result: inserted } = await stack.sim<{ result: typeof inserted }>('POST', '/__sim/url-tasks', { count: 1000, createTime, status: 'SUCCEED' }));
  });

  const idOf = (r: (typeof inserted)[number]) => toUrlTaskGlobalId(String(r.task_id), r.id, r.create_time);

  it('finds any of its records with at most two url-tasks calls: the window top, then the offset its id gives', async () => {
    for (const i of [0, 99, 100, 517, 999]) {
      const r = inserted[i]!;
      const { result, urlTasks } = await callsOf(() => node(idOf(r)));
      expect(result).toMatchObject({ __typename: 'UrlTask', id: idOf(r), url: `https://inserted.simulator.example/${createTime}/${999 - i}.html`, status: 'SUCCEED' });
      expect(urlTasks).toBe(i < 100 ? 1 : 2);
    }
  });

  it('finds ten records spread over it with one call for the top and one per record further down', async () => {
    const sample = [5, 150, 260, 370, 480, 590, 700, 810, 920, 998].map((i) => inserted[i]!);
    const { result, urlTasks } = await callsOf(() => nodes(sample.map(idOf)));
    expect(result.map((n) => n?.id)).toEqual(sample.map(idOf));
    expect(urlTasks).toBe(1 + 9);
  });

  it('lists its URLs under Task.urls through url-tasks, as the detail would, with totals and filters', async () => {
    const taskId = String(inserted[0]!.task_id);
    const found = await data<{ tasks: { nodes: Obj[] } }>(`query($f: TaskFilter) { tasks(first: 1, filter: $f) { nodes { id taskId total } } }`, {
      f: { createdAfter: iso(createTime), createdBefore: iso(createTime + 1) },
    });
    const task = found.tasks.nodes[0]!;
    expect(task).toMatchObject({ taskId, total: 1000 });
    const { result, urlTasks, detail } = await callsOf(() =>
      data<{ node: { total: number; urls: { totalCount: number; nodes: Obj[] }; failed: { totalCount: number } } }>(
        `query($id: ID!) { node(id: $id) { ... on Task { total urls(first: 3) { totalCount nodes { id url } } failed: urls(filter: { status: FAILED }) { totalCount } } } }`,
        { id: task.id },
      ),
    );
    expect(result.node.urls.totalCount).toBe(1000);
    expect(result.node.urls.nodes).toEqual(inserted.slice(0, 3).map((r) => ({ id: idOf(r), url: `https://inserted.simulator.example/${createTime}/${r.id - inserted[999]!.id}.html` })));
    expect(result.node.failed.totalCount).toBe(0);
    // One historytasks call finds the task; its window's 1000 records take 10 url-tasks calls, shared by both connections.
    expect({ urlTasks, detail }).toEqual({ urlTasks: 10, detail: 0 });
  });
});

describe('Task.urls of tasks older than 15 days, in a tasks page', () => {
  it('lists each decimal task\'s url-tasks records, one window read for the page; a 32-hex task has none to show', async () => {
    const t = dataNow - 22 * DAY + 11 * MINUTE;
    const sizes = [3, 4, 5];
    const inserted = [];
    for (const [i, count] of sizes.entries()) {
      inserted.push((await stack.sim<{ result: Array<{ task_id: number; url: string }> }>('POST', '/__sim/url-tasks', { count, createTime: t + i * 2 * MINUTE })).result);
    }
    const query = `query($f: TaskFilter) { tasks(first: 50, filter: $f) { nodes { taskId total urls(first: 10) { totalCount nodes { url taskId } } } } }`;
    const f = { createdAfter: iso(t - 30 * MINUTE), createdBefore: iso(t + 10 * MINUTE) };
    const { result, urlTasks, detail } = await callsOf(() => data<{ tasks: { nodes: Array<{ taskId: string; total: number; urls: { totalCount: number; nodes: Obj[] } }> } }>(query, { f }));
    const byId = new Map(result.tasks.nodes.map((n) => [n.taskId, n]));
    for (const records of inserted) {
      const task = byId.get(String(records[0]!.task_id))!;
      expect(task.urls).toEqual({ totalCount: records.length, nodes: records.map((r) => ({ url: r.url, taskId: String(r.task_id) })) });
    }
    const hex = result.tasks.nodes.filter((n) => /^[0-9a-f]{32}$/.test(n.taskId));
    expect(hex.length).toBeGreaterThan(0);
    for (const task of hex) expect(task.urls).toEqual({ totalCount: 0, nodes: [] });
    // The decimal tasks lie within minutes of each other: one url-tasks window holds their records. No detail call.
    expect({ urlTasks, detail }).toEqual({ urlTasks: 1, detail: 0 });
  });
});

describe('what one request may spend on old ids', () => {
  const spread = (n: number, from: number) => Array.from({ length: n }, (_, i) => toUrlTaskGlobalId('424242', 1 + i, from + i * HOUR));

  it('refuses, before any upstream call, more windows of old ids than MAX_DETAIL_LOOKUPS allows (6 per url-tasks window)', async () => {
    const before = await stack.upstreamCalls();
    const refused = await stack.query(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: spread(34, dataNow - 27 * DAY) });
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.errors?.[0]?.message).toMatch(/^Query may make 204 task detail lookups, over the limit of 200 \(MAX_DETAIL_LOOKUPS\)/);
    const viaEntities = await stack.query(`query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`, {
      r: spread(34, dataNow - 27 * DAY).map((id) => ({ __typename: 'UrlTask', id })),
    });
    expect(viaEntities.errors?.[0]?.message).toMatch(/^Query may make 204 task detail lookups/);
    const viaNode = await stack.query(`{ a: node(id: "${spread(1, dataNow - 27 * DAY)[0]}") { id } b: node(id: "${spread(1, dataNow - 3 * DAY)[0]}") { id } }`);
    expect(viaNode.errors).toBeUndefined();
    // The two refusals called nothing; the old node one url-tasks call, the young one its detail and then url-tasks.
    expect(await stack.upstreamCalls()).toBe(before + 3);

    const { result, urlTasks } = await callsOf(() => stack.query<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: spread(33, dataNow - 27 * DAY) }));
    expect(result.errors).toBeUndefined();
    expect(result.data?.nodes).toEqual(Array(33).fill(null));
    expect(urlTasks).toBe(33);
  });

  it('stops at 33 url-tasks calls when young ids the detail does not know fall back to url-tasks, says why, and keeps what was found', async () => {
    const [old] = (await listed(dataNow - 20 * DAY, 1)).records;
    const ids = [old!.id, ...spread(99, dataNow - 10 * DAY)];
    const { result, urlTasks } = await callsOf(() => stack.query<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids }));
    expect(urlTasks).toBe(33);
    // The old record's window came first (its id is old: no detail call to wait for); 32 young ids got a call, 67 did not.
    expect(result.data?.nodes).toEqual([{ id: old!.id }, ...Array(99).fill(null)]);
    const codes = new Set(result.errors?.map((e) => e.extensions?.code));
    expect(codes).toEqual(new Set(['BAD_USER_INPUT']));
    expect(result.errors).toHaveLength(67);
    for (const e of result.errors ?? []) expect(e.path).toEqual(['nodes', expect.any(Number)]);
    expect(result.errors?.[0]?.message).toMatch(/at most 33 url-tasks calls per request \(MAX_DETAIL_LOOKUPS 200/);
  });
});
