/**
 * Relay object identification and Federation entities, over real GraphQL against the gateway
 * and the simulator: Query.node, Query.nodes and `_entities` for UrlTask and Task, null for
 * what is unknown, input order kept, and one detail call per distinct task whatever the
 * number of ids, because UrlTask global ids embed their task id.
 */
import { toTaskGlobalId, toUrlTaskGlobalId } from '../../src/graph/ids';
import { OPS, startStack, type Stack } from '../support/stack';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const RECORD_FIELDS = 'id url status type taskId createdAt modifiedAt fileType mode';
// Aliased: UrlTask and Task share field names of different enum types, which one selection cannot merge.
const TASK_FIELDS = 'id taskId taskType: type taskStatus: status taskFileType: fileType createdAt processing succeeded failed total';
const NODE_FIELDS = `__typename id ... on UrlTask { ${RECORD_FIELDS} } ... on Task { ${TASK_FIELDS} }`;

interface Record_ {
  __typename?: string;
  id: string;
  url: string;
  status: string;
  taskId: string;
  createdAt: string;
  task?: { id: string; taskId: string; total: number } | null;
}
type Node = { __typename: 'UrlTask' | 'Task'; id: string; taskId: string } & Record<string, unknown>;

// The simulator's data clock stands still, so statuses cannot move between two queries.
let dataNow = Date.now();
let stack: Stack;
// 100 records of a day in the past, newest first, and a few of their tasks.
let records: Record_[];

beforeAll(async () => {
  stack = await startStack({ simulator: { now: () => dataNow, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
  const page = await data<{ urlTasks: { nodes: Record_[] } }>(`query($f: UrlTaskFilter) { urlTasks(first: 100, filter: $f) { nodes { ${RECORD_FIELDS} } } }`, {
    f: { createdAfter: iso(dataNow - 2 * DAY), createdBefore: iso(dataNow - DAY) },
  });
  records = page.urlTasks.nodes;
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

// Counts the detail calls `run` makes.
async function detailCallsOf<T>(run: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const before = await stack.upstreamCalls(OPS.detail);
  const result = await run();
  return { result, calls: (await stack.upstreamCalls(OPS.detail)) - before };
}

const nodes = async (ids: string[], fields = NODE_FIELDS) => (await data<{ nodes: Array<Node | null> }>(`query($ids: [ID!]!) { nodes(ids: $ids) { ${fields} } }`, { ids })).nodes;
const node = async (id: string) => (await data<{ node: Node | null }>(`query($id: ID!) { node(id: $id) { ${NODE_FIELDS} } }`, { id })).node;
const taskOf = async (taskId: string) => (await data<{ task: Node }>(`query($id: ID!) { task(taskId: $id) { __typename ${TASK_FIELDS} } }`, { id: taskId })).task;
// A urlTasks record as a lookup by id shows it: through the task detail, which has no modify time, file type or mode.
const viaDetail = (r: Record_) => ({ __typename: 'UrlTask', ...r, modifiedAt: null, fileType: null, mode: null });
const distinctTasks = (rs: Array<{ taskId: string }>) => new Set(rs.map((r) => r.taskId)).size;

describe('Query.node', () => {
  it('returns a UrlTask as urlTasks shows it, without what task details do not carry (modifiedAt, fileType, mode)', async () => {
    expect(records).toHaveLength(100);
    for (const r of [records[0]!, records[37]!, records[99]!]) {
      expect(await node(r.id)).toEqual(viaDetail(r));
    }
  });

  it('returns a Task exactly as Query.task shows it, and the UrlTask id leads to its task', async () => {
    const { node: found } = await data<{ node: Record_ }>(`query($id: ID!) { node(id: $id) { ... on UrlTask { taskId task { id } } } }`, { id: records[5]!.id });
    const task = await taskOf(records[5]!.taskId);
    expect(found.task!.id).toBe(task.id);
    expect(await node(task.id)).toEqual(task);
    expect(task.__typename).toBe('Task');
  });

  it('finds a task 7 to 15 days old: its global id carries the creation time the upstream needs', async () => {
    const old = await data<{ urlTasks: { nodes: Array<{ taskId: string; task: { id: string } | null }> } }>(
      'query($f: UrlTaskFilter) { urlTasks(first: 3, filter: $f) { nodes { taskId task { id } } } }',
      { f: { createdAfter: iso(dataNow - 10 * DAY - 6 * HOUR), createdBefore: iso(dataNow - 10 * DAY) } },
    );
    const record = old.urlTasks.nodes[0]!;
    expect(record.task).not.toBeNull();
    expect(await node(record.task!.id)).toMatchObject({ __typename: 'Task', taskId: record.taskId });
  });

  it.each([
    ['garbage', 'garbage!'],
    ['an empty id', ''],
    ['base64 of nothing we know', Buffer.from('Pin:1:2').toString('base64url')],
    ['a Task id of an unknown task', toTaskGlobalId('999999999', Date.now())],
    ['a UrlTask id of an unknown task', toUrlTaskGlobalId('999999999', 1, Date.now())],
  ])('is null for %s, without an error', async (_name, id) => {
    const res = await stack.query<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ node: null });
  });

  it('finds a record older than 15 days through url-tasks, but no Task by the url-tasks task_id of a task historytasks lists under a 32-hex id', async () => {
    // More in node-lookup-past-retention.test.ts. The simulator gives tasks older than 12 days 32-hex history ids (docs/upstream.md#ids).
    const old = await data<{ urlTasks: { nodes: Record_[] } }>(`query($f: UrlTaskFilter) { urlTasks(first: 1, filter: $f) { nodes { ${RECORD_FIELDS} } } }`, {
      f: { createdAfter: iso(dataNow - 25 * DAY - 6 * HOUR), createdBefore: iso(dataNow - 25 * DAY) },
    });
    const r = old.urlTasks.nodes[0]!;
    const res = await stack.query<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on UrlTask { ${RECORD_FIELDS} } } }`, {
      ids: [r.id, toTaskGlobalId(r.taskId, Date.parse(r.createdAt))],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ nodes: [{ __typename: 'UrlTask', ...r }, null] });
  });

  it('is null for a UrlTask id naming a record its task does not hold', async () => {
    const r = records[10]!;
    const forged = toUrlTaskGlobalId(r.taskId, 1, Date.parse(r.createdAt));
    const res = await stack.query<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: forged });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ node: null });
  });

  it('reads fresh data on every request: loaders are never shared between requests', async () => {
    const inserted = await stack.sim<{ result: Array<{ id: number; task_id: number; create_time: number }> }>('POST', '/__sim/url-tasks', { count: 1, status: 'PROCESSING' });
    const rec = inserted.result[0]!;
    const id = toUrlTaskGlobalId(String(rec.task_id), rec.id, rec.create_time);
    expect(await node(id)).toMatchObject({ status: 'PROCESSING' });
    await stack.sim('PATCH', `/__sim/url-tasks/${rec.id}`, { status: 'SUCCEED' });
    expect(await node(id)).toMatchObject({ status: 'SUCCEED' });
  });
});

describe('Query.nodes', () => {
  it('keeps input order and length, with null for unknown and garbage ids', async () => {
    const task = await taskOf(records[0]!.taskId);
    const ids = [records[3]!.id, 'garbage', task.id, toTaskGlobalId('999999999', Date.now()), records[3]!.id, '', records[60]!.id, toUrlTaskGlobalId('999999999', 1, 1)];
    const res = await nodes(ids, '__typename id');
    expect(res).toEqual([
      { __typename: 'UrlTask', id: records[3]!.id },
      null,
      { __typename: 'Task', id: task.id },
      null,
      { __typename: 'UrlTask', id: records[3]!.id },
      null,
      { __typename: 'UrlTask', id: records[60]!.id },
      null,
    ]);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await nodes([])).toEqual([]);
  });

  it('resolves 100 UrlTask ids with one detail call per distinct task', async () => {
    const { result, calls } = await detailCallsOf(() => nodes(records.map((r) => r.id)));
    expect(result).toEqual(records.map(viaDetail));
    const distinct = distinctTasks(records);
    expect(distinct).toBeLessThan(100);
    expect(calls).toBe(distinct);
  });

  it('answers the records\' tasks and their URLs from the same detail calls', async () => {
    const { result, calls } = await detailCallsOf(() =>
      nodes(
        records.map((r) => r.id),
        '... on UrlTask { id taskId task { taskId total urls(first: 2) { totalCount nodes { taskId } } } }',
      ),
    );
    expect(calls).toBe(distinctTasks(records));
    for (const n of result) {
      const task = n!.task as { taskId: string; total: number; urls: { totalCount: number; nodes: Array<{ taskId: string }> } };
      expect(task.taskId).toBe(n!.taskId);
      expect(task.urls.totalCount).toBe(task.total);
      expect(task.urls.nodes.every((u) => u.taskId === n!.taskId)).toBe(true);
    }
  });

  it('resolves Task ids with one detail call per distinct task, duplicates included', async () => {
    const taskIds = [...new Set(records.map((r) => r.taskId))].slice(0, 8);
    const tasks = await Promise.all(taskIds.map(taskOf));
    const ids = [...tasks.map((t) => t.id), ...tasks.map((t) => t.id)];
    const { result, calls } = await detailCallsOf(() => nodes(ids));
    expect(result).toEqual([...tasks, ...tasks]);
    expect(calls).toBe(taskIds.length);
  });

  it('resolves a record and its task asked for together with one detail call per task', async () => {
    const sample = records.slice(0, 30);
    const taskIds = (await nodes(sample.map((r) => r.id), '... on UrlTask { task { id } }')).map((n) => (n!.task as { id: string }).id);
    const ids = sample.flatMap((r, i) => [r.id, taskIds[i]!]);
    const { result, calls } = await detailCallsOf(() => nodes(ids, '__typename id'));
    expect(result).toEqual(ids.map((id, i) => ({ __typename: i % 2 === 0 ? 'UrlTask' : 'Task', id })));
    expect(calls).toBe(distinctTasks(sample));
  });

  it('refuses more than 100 ids with BAD_USER_INPUT', async () => {
    const res = await stack.query(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [...records.map((r) => r.id), records[0]!.id] });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/at most 100 ids; got 101/);
  });
});

describe('Federation _entities', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on UrlTask { id url taskId task { taskId } } ... on Task { id taskId total } } }`;

  it('resolves 100 UrlTask representations with one detail call per distinct task, in order', async () => {
    const { result, calls } = await detailCallsOf(() =>
      data<{ _entities: Array<Record<string, unknown> | null> }>(ENTITIES, { r: records.map((r) => ({ __typename: 'UrlTask', id: r.id })) }),
    );
    expect(result._entities).toEqual(records.map((r) => ({ __typename: 'UrlTask', id: r.id, url: r.url, taskId: r.taskId, task: { taskId: r.taskId } })));
    expect(calls).toBe(distinctTasks(records));
  });

  it('resolves Task representations, and null for well-formed ids of unknown objects', async () => {
    const task = await taskOf(records[20]!.taskId);
    const res = await data<{ _entities: Array<Record<string, unknown> | null> }>(ENTITIES, {
      r: [
        { __typename: 'Task', id: task.id },
        { __typename: 'Task', id: toTaskGlobalId('999999999', Date.now()) },
        { __typename: 'UrlTask', id: toUrlTaskGlobalId('999999999', 1, Date.now()) },
      ],
    });
    expect(res._entities).toEqual([{ __typename: 'Task', id: task.id, taskId: task.taskId, total: task.total }, null, null]);
  });

  it('refuses a malformed id with BAD_USER_INPUT (a router only sends back ids this subgraph gave it; see hostile-clients.test.ts)', async () => {
    const res = await stack.query(ENTITIES, { r: [{ __typename: 'UrlTask', id: 'garbage' }] });
    expect(res.status).toBe(400);
    expect(res.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
      ['BAD_USER_INPUT', expect.stringMatching(/^_entities: 1 of 1 representations cannot be resolved, so none was: \[0\] id is not the global id of a UrlTask\. /)],
    ]);
  });
});
