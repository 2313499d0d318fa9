/**
 * The client's tolerance of what the SDK models allow, through real GraphQL against the
 * simulator: every response field is optional (an omitted one becomes null, the rest stays
 * intact; only fields the gateway cannot work without give UPSTREAM_BAD_RESPONSE naming the
 * field), enums may grow (UNKNOWN), older tasks carry 32-hex ids, and accounts with
 * enterprise projects need `enterprise_project_id` on every API but url-tasks.
 */
import { api } from '../support/sim-api';
import { startStack, type GqlResponse, type Stack } from '../support/stack';

const DAY = 86_400_000;
const HEX_ID = /^ff8080[0-9a-f]{26}$/;
const UNLIMITED = { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 };
const clock = Date.UTC(2026, 10, 30, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

const URL_TASKS = /* GraphQL */ `
  query($f: UrlTaskFilter) { urlTasks(first: 100, filter: $f) { nodes { id url status type taskId createdAt modifiedAt fileType mode } } }
`;
const TASKS = /* GraphQL */ `
  { tasks(first: 20) { nodes { taskId type status fileType createdAt processing succeeded failed total } } }
`;
const DETAIL = /* GraphQL */ `
  query($id: ID!) {
    task(taskId: $id) {
      taskId type status fileType createdAt processing succeeded failed total
      urls(first: 100) { nodes { id url status type taskId createdAt failureReason { classification description } } }
    }
  }
`;

type Node = Record<string, unknown> & { failureReason?: Record<string, unknown> | null };

let stack: Stack;
let scoped: Stack;
let taskId: string;
let variables: Record<string, Record<string, unknown>>;

beforeAll(async () => {
  stack = await startStack({ simulator: { now: () => clock, records: 6000, rateLimits: UNLIMITED } });
  scoped = await startStack({ upstream: stack.simulator, env: { HUAWEICLOUD_ENTERPRISE_PROJECT_ID: 'all' } });
  const listed = await api(stack.simulator, 'GET', '/v1.0/cdn/historytasks', { query: { start_date: clock - 2 * DAY, page_size: 10000, page_number: 1 } });
  // A recent refresh with failed URLs, so its detail carries every field.
  taskId = listed.json.tasks.find((t: { failed: number; total: number; task_type: string }) => t.failed > 0 && t.total > 1 && t.task_type === 'refresh').id;
  variables = { 'url-tasks': { f: { createdAfter: iso(clock - DAY), createdBefore: iso(clock) } }, historytasks: {}, detail: { id: taskId }, 'detail-urls': { id: taskId } };
});
afterAll(async () => {
  await scoped?.close();
  await stack?.close();
});
afterEach(async () => {
  await stack.sim('DELETE', '/__sim/faults');
});

const QUERIES: Record<string, string> = { 'url-tasks': URL_TASKS, historytasks: TASKS, detail: DETAIL, 'detail-urls': DETAIL };

// Runs a scope's query and returns its answer.
function ask(scope: string): Promise<GqlResponse<Record<string, unknown>>> {
  return stack.query(QUERIES[scope]!, variables[scope]);
}

// Returns the nodes of a scope's answer that the scope's records become.
function nodesOf(scope: string, data: Record<string, unknown>): Node[] {
  const d = data as { urlTasks?: { nodes: Node[] }; tasks?: { nodes: Node[] }; task?: Node & { urls: { nodes: Node[] } } };
  if (scope === 'url-tasks') return d.urlTasks!.nodes;
  if (scope === 'historytasks') return d.tasks!.nodes;
  if (scope === 'detail') return [d.task!];
  return d.task!.urls.nodes;
}

// Asks with no reshaping and returns the data, failing on errors.
async function baseline(scope: string): Promise<Record<string, unknown>> {
  const res = await ask(scope);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

// The GraphQL field each optional wire field becomes (failureReason.* for the detail URL failure fields).
const OPTIONAL: Record<string, Record<string, string>> = {
  'url-tasks': { url: 'url', status: 'status', type: 'type', modify_time: 'modifiedAt', file_type: 'fileType', mode: 'mode' },
  historytasks: { task_type: 'type', status: 'status', processing: 'processing', succeed: 'succeeded', failed: 'failed', create_time: 'createdAt', file_type: 'fileType' },
  detail: { task_type: 'type', status: 'status', processing: 'processing', succeed: 'succeeded', failed: 'failed', total: 'total', create_time: 'createdAt', file_type: 'fileType' },
  'detail-urls': { url: 'url', status: 'status', task_type: 'type', create_time: 'createdAt', fail_classify: 'failureReason.classification', fail_desc: 'failureReason.description' },
};

// Sets a (possibly dotted) field of every node that has it to `value`; returns how many had a non-null value before.
function setEach(nodes: Node[], field: string, value: unknown): number {
  const [head, leaf] = field.split('.') as [string, string | undefined];
  let before = 0;
  for (const node of nodes) {
    const holder = leaf === undefined ? node : (node[head] as Record<string, unknown> | null);
    if (!holder) continue;
    const key = leaf ?? head;
    if (holder[key] !== null && holder[key] !== undefined) before++;
    holder[key] = value;
  }
  return before;
}

describe('omitted optional fields (omitFields)', () => {
  const cases = Object.entries(OPTIONAL).flatMap(([scope, fields]) => Object.entries(fields).map(([wire, graph]) => [scope, wire, graph] as const));

  it.each(cases)('%s without %s: the query answers, %s is null, the rest intact', async (scope, wire, graph) => {
    const expected = await baseline(scope);
    expect(setEach(nodesOf(scope, expected), graph, null)).toBeGreaterThan(0);
    // Documented consequences (schema.graphql): a failure reason shows only on FAILED records,
    // and a record's global id embeds its creation time (an absent one leaves it out).
    if (scope === 'detail-urls' && wire === 'status') setEach(nodesOf(scope, expected), 'failureReason', null);
    if (scope === 'detail-urls' && wire === 'create_time') setEach(nodesOf(scope, expected), 'id', expect.any(String));
    await stack.sim('PUT', '/__sim/faults', { omitFields: { [scope]: [wire] } });
    const res = await ask(scope);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual(expected);
  });

  it('url-tasks without count, and detail URLs without task_id, answer as before (the gateway derives both)', async () => {
    for (const [scope, wire] of [['url-tasks', 'count'], ['detail-urls', 'task_id']] as const) {
      const expected = await baseline(scope);
      await stack.sim('PUT', '/__sim/faults', { omitFields: { [scope]: [wire] } });
      const res = await ask(scope);
      expect([scope, wire, res.errors]).toEqual([scope, wire, undefined]);
      expect(res.data).toEqual(expected);
    }
  });

  it('a detail without urls answers the task with no URLs', async () => {
    const expected = await baseline('detail');
    (expected.task as { urls: { nodes: unknown[] } }).urls.nodes = [];
    await stack.sim('PUT', '/__sim/faults', { omitFields: { detail: ['urls'] } });
    const res = await ask('detail');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual(expected);
  });
});

describe('omitted fields the gateway cannot work without', () => {
  it.each([
    ['url-tasks', 'id'],
    ['url-tasks', 'create_time'],
    ['url-tasks', 'task_id'],
    ['url-tasks', 'total'],
    ['url-tasks', 'result'],
    ['historytasks', 'id'],
    ['historytasks', 'tasks'],
    ['detail', 'id'],
    ['detail-urls', 'id'],
  ])('%s without %s: UPSTREAM_BAD_RESPONSE naming the field', async (scope, wire) => {
    await stack.sim('PUT', '/__sim/faults', { omitFields: { [scope]: [wire] } });
    const res = await ask(scope);
    expect(res.errors?.length).toBeGreaterThan(0);
    const error = res.errors![0]!;
    expect(error.extensions?.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toMatch(new RegExp(`[(.]${wire}: `));
  });
});

describe('creates without their task id', () => {
  it.each([
    ['refresh', 'refresh_task', 'mutation { createRefreshTask(input: { urls: ["https://tolerance.example.com/a.js"] }) { taskId } }'],
    ['preheat', 'preheating_task', 'mutation { createPreheatTask(input: { urls: ["https://tolerance.example.com/b.js"] }) { taskId } }'],
  ])('%s without %s: UPSTREAM_BAD_RESPONSE naming the field', async (scope, wire, mutation) => {
    await stack.sim('PUT', '/__sim/faults', { omitFields: { [scope]: [wire] } });
    const res = await stack.query(mutation);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    expect(res.errors![0]!.message).toMatch(new RegExp(`\\(${wire}: `));
  });
});

describe('unknown enum values (unknownEnumValues)', () => {
  it('status and type fields become UNKNOWN everywhere', async () => {
    await stack.sim('PUT', '/__sim/faults', { unknownEnumValues: true });
    for (const scope of ['url-tasks', 'historytasks', 'detail', 'detail-urls']) {
      const res = await ask(scope);
      expect([scope, res.errors]).toEqual([scope, undefined]);
      const nodes = nodesOf(scope, res.data!);
      expect(nodes.length).toBeGreaterThan(0);
      for (const node of nodes) expect([scope, node.status, node.type]).toEqual([scope, 'UNKNOWN', 'UNKNOWN']);
    }
  });

  it('file_type, mode and fail_classify become UNKNOWN when picked', async () => {
    await stack.sim('PUT', '/__sim/faults', {
      unknownEnumValues: { 'url-tasks': ['file_type', 'mode'], historytasks: ['file_type'], detail: ['file_type'], 'detail-urls': ['fail_classify'] },
    });
    const urls = nodesOf('url-tasks', (await ask('url-tasks')).data!);
    expect(new Set(urls.map((n) => n.fileType))).toEqual(new Set(['UNKNOWN']));
    expect(new Set(urls.map((n) => n.mode))).toContain('UNKNOWN');
    expect(new Set(nodesOf('historytasks', (await ask('historytasks')).data!).map((n) => n.fileType))).toEqual(new Set(['UNKNOWN']));
    const detail = (await ask('detail')).data!;
    expect(nodesOf('detail', detail)[0]!.fileType).toBe('UNKNOWN');
    const reasons = nodesOf('detail-urls', detail).flatMap((n) => (n.failureReason ? [n.failureReason.classification] : []));
    expect(reasons.length).toBeGreaterThan(0);
    expect(new Set(reasons)).toEqual(new Set(['UNKNOWN']));
  });
});
