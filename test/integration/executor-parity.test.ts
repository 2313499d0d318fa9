/**
 * The graphql-jit executor against Apollo's own graphql-js, over real HTTP: two gateways on one
 * simulator, alike except for `executor`, answer the project's query corpus (pages with every
 * field, cursors both ways, filters, tasks, nodes, Federation entities and traces,
 * introspection, directives, and each kind of error) with the same status, the same body and
 * the same number of upstream calls.
 */
import type { CdnClient } from '../../src/cdn/client';
import { createCdnClient } from '../../src/cdn/upstream';
import { DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, loadConfig } from '../../src/config';
import type { ExecutorKind } from '../../src/graph/executor';
import { toUrlTaskGlobalId } from '../../src/graph/ids';
import { createLogger } from '../../src/logger';
import { createGateway, type Gateway } from '../../src/server';
import { createSimulator, type Simulator } from '../../src/simulator/index';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The data clock stands still; the gateways share a clock that moves only between two pairs of
// requests, so both freeze the same range ends into their cursors.
const NOW = Math.floor(Date.now() / 60_000) * 60_000;
let clock = Date.now();
const UNLIMITED = { 'url-tasks': 0, detail: 0, historytasks: 0, refresh: 0, preheat: 0 };
// Traces go only to a router holding this secret (FEDERATION_TRACE_SECRET).
const TRACE_SECRET = 'parity-trace-secret-0123456789';

const RECORD = 'id url status type taskId createdAt modifiedAt fileType mode';
const TASK = 'id taskId type status fileType createdAt processing succeeded failed total';
const PAGE = `query Page($first: Int, $after: String, $last: Int, $before: String, $filter: UrlTaskFilter) {
  urlTasks(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { ${RECORD} task { ${TASK} } } }
    nodes { id }
  }
}`;
const iso = (ms: number) => new Date(ms).toISOString();
const DAY_AGO = { createdAfter: iso(NOW - 2 * DAY), createdBefore: iso(NOW - DAY) };

interface Answer {
  readonly status: number;
  readonly cacheControl: string | null;
  readonly body: unknown;
  readonly upstreamCalls: number;
}

interface Side {
  readonly gateway: Gateway;
  readonly cdn: CdnClient;
  readonly url: string;
}

let simulator: Simulator;
const sides = {} as Record<ExecutorKind, Side>;
let requestCount = 0;

beforeAll(async () => {
  simulator = await createSimulator({ port: 0, quiet: true, now: () => NOW, rateLimits: UNLIMITED });
  for (const executor of ['jit', 'graphql-js'] as const) {
    const config = loadConfig({ CDN_ENDPOINT: simulator.url, PORT: '0', LOG_LEVEL: 'silent', CURSOR_SECRET: 'parity-cursor-secret-0123456789', UPSTREAM_MAX_ATTEMPTS: '1', FEDERATION_TRACE_SECRET: TRACE_SECRET });
    const cdn = createCdnClient({ endpoint: simulator.url, auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK }, retry: { maxAttempts: 1 } });
    const gateway = await createGateway(config, { cdn, logger: createLogger('silent'), now: () => clock, executor });
    sides[executor] = { gateway, cdn, url: await gateway.listen(0, '127.0.0.1') };
  }
});

afterAll(async () => {
  for (const side of Object.values(sides)) {
    await side.gateway.close();
    await side.cdn.close();
  }
  await simulator?.close();
});

// Calls the simulator's control API.
async function sim<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(simulator.url + path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return (await res.json()) as T;
}

async function upstreamCalls(): Promise<number> {
  const stats = await sim<{ requests: Record<string, number> }>('GET', '/__sim/stats');
  return Object.values(stats.requests).reduce((a, b) => a + b, 0);
}

// Request ids differ per call and traces hold timings: they are replaced by what must match.
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (key === 'upstream' && v && typeof v === 'object') return [key, { ...v, requestId: typeof (v as { requestId?: unknown }).requestId }];
      // Each gateway makes its own request id for every request.
      if (key === 'requestId') return [key, typeof v];
      if (key === 'ftv1') return [key, typeof v === 'string' && v.length > 0 ? 'a trace' : v];
      if (key === 'message' && typeof v === 'string') return [key, v.replace(/\b[0-9a-f]{32}\b/g, '<upstream request id>')];
      return [key, normalize(v)];
    }),
  );
}

// Sends one request to one gateway, counting the upstream calls it causes.
async function ask(executor: ExecutorKind, query: string, variables: Record<string, unknown> | undefined, headers: Record<string, string>, requestId: string, operationName?: string): Promise<Answer> {
  const before = await upstreamCalls();
  const res = await fetch(sides[executor].url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
    body: JSON.stringify({ query, variables, operationName }),
  });
  const body = normalize(await res.json());
  return { status: res.status, cacheControl: res.headers.get('cache-control'), body, upstreamCalls: (await upstreamCalls()) - before };
}

// Asks both gateways and expects the same answer; returns graphql-js's body for follow-up queries.
async function same(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}, operationName?: string): Promise<{ status: number; cacheControl: string | null; body: { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: Record<string, unknown> }>; extensions?: Record<string, unknown> } }> {
  const requestId = `parity-${++requestCount}`;
  clock = Date.now();
  const reference = await ask('graphql-js', query, variables, headers, requestId, operationName);
  const jit = await ask('jit', query, variables, headers, requestId, operationName);
  expect(jit).toEqual(reference);
  return reference as never;
}

describe('graphql-jit answers like graphql-js', () => {
  let firstPage: { edges: Array<{ cursor: string; node: { id: string; taskId: string; task: { id: string } | null } }>; pageInfo: { endCursor: string } };

  it('a page with every field, cursors, page info, totals and tasks (one loader batch)', async () => {
    const { status, cacheControl, body } = await same(PAGE, { first: 50, filter: DAY_AGO });
    expect(status).toBe(200);
    // Apollo's CacheControl plugin is off; the answer keeps the header it would have sent.
    expect(cacheControl).toBe('no-store');
    expect(body.errors).toBeUndefined();
    firstPage = (body.data as { urlTasks: typeof firstPage }).urlTasks;
    expect(firstPage.edges).toHaveLength(50);
    expect(firstPage.edges.some((e) => e.node.task !== null)).toBe(true);
  });

  it('the next page after a cursor, and a page backwards before one', async () => {
    await same(PAGE, { first: 30, after: firstPage.pageInfo.endCursor, filter: DAY_AGO });
    await same(PAGE, { last: 20, before: firstPage.pageInfo.endCursor, filter: DAY_AGO });
    await same(PAGE, { last: 10, filter: DAY_AGO });
  });

  it.each([
    ['status', { status: 'SUCCEED' }],
    ['task type', { taskType: 'PREHEATING' }],
    ['file type', { fileType: 'DIRECTORY' }],
    ['a range over several 24-hour windows', { createdAfter: iso(NOW - 4 * DAY), createdBefore: iso(NOW - DAY - 5 * HOUR) }],
  ])('filters: %s', async (_name, filter) => {
    await same(PAGE, { first: 40, filter: { ...DAY_AGO, ...filter } });
  });

  it('a task with its URL connection, and a list of tasks in an order', async () => {
    const taskId = firstPage.edges[0]!.node.taskId;
    await same(`query($id: ID!) { task(taskId: $id) { ${TASK} urls(first: 3) { totalCount edges { cursor node { ${RECORD} } } pageInfo { hasNextPage endCursor } } } }`, { id: taskId });
    await same(`{ tasks(first: 15, filter: { createdAfter: "${DAY_AGO.createdAfter}", createdBefore: "${DAY_AGO.createdBefore}" }, orderBy: { field: TOTAL, direction: DESC }) { totalCount edges { cursor node { ${TASK} } } pageInfo { hasNextPage hasPreviousPage } } }`);
  });

  it('node and nodes through both types, unknown and foreign ids included', async () => {
    const urlTaskIds = firstPage.edges.slice(0, 12).map((e) => e.node.id);
    const taskIds = firstPage.edges.slice(0, 5).flatMap((e) => (e.node.task ? [e.node.task.id] : []));
    const fields = `__typename id ... on UrlTask { ${RECORD} } ... on Task { taskId total taskStatus: status }`;
    await same(`query($id: ID!) { node(id: $id) { ${fields} } }`, { id: urlTaskIds[0] });
    await same(`query($ids: [ID!]!) { nodes(ids: $ids) { ${fields} } }`, { ids: [...urlTaskIds, ...taskIds, 'VXJsVGFzazoxOjE6MQ', 'not-an-id'] });
  });

  it('Federation: _entities, _service, and an inline trace when the router asks for one', async () => {
    const representations = [
      { __typename: 'UrlTask', id: firstPage.edges[1]!.node.id },
      ...(firstPage.edges[1]!.node.task ? [{ __typename: 'Task', id: firstPage.edges[1]!.node.task.id }] : []),
      { __typename: 'UrlTask', id: toUrlTaskGlobalId('999999999', 1, 1) },
    ];
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on UrlTask { url status } ... on Task { total status } } }`;
    await same(entities, { r: representations });
    await same('{ _service { sdl } }');
    const traced = await same(entities, { r: representations }, { 'apollo-federation-include-trace': 'ftv1', 'x-federation-trace-secret': TRACE_SECRET });
    expect(traced.body.extensions?.ftv1).toBe('a trace');
  });

  it('introspection, aliases, fragments, directives and __typename', async () => {
    await same('{ __type(name: "UrlTask") { name kind fields { name type { kind name ofType { kind name } } } } __schema { queryType { name } mutationType { name } } }');
    await same(
      `query($withTask: Boolean!, $skipUrl: Boolean!, $f: UrlTaskFilter) { __typename
        recent: urlTasks(first: 5, filter: $f) { nodes { ...R task @include(if: $withTask) { total } } }
        older: urlTasks(first: 2, filter: { createdAfter: "${iso(NOW - 5 * DAY)}", createdBefore: "${iso(NOW - 4 * DAY)}" }) { nodes { __typename key: id url @skip(if: $skipUrl) } }
      }
      fragment R on UrlTask { id status createdAt }`,
      { withTask: true, skipUrl: true, f: DAY_AGO },
    );
  });

  it.each([
    ['a negative page size', '{ urlTasks(first: -1) { nodes { id } } }'],
    ['a malformed cursor', '{ urlTasks(first: 5, after: "not-a-cursor") { nodes { id } } }'],
    ['UNKNOWN as a filter', '{ urlTasks(first: 5, filter: { status: UNKNOWN }) { nodes { id } } }'],
    ['a range ending before it starts', `{ urlTasks(first: 5, filter: { createdAfter: "${iso(NOW - DAY)}", createdBefore: "${iso(NOW - 2 * DAY)}" }) { nodes { id } } }`],
    ['a non-numeric task id', '{ task(taskId: "abc") { id } }'],
    ['too many node ids', `{ nodes(ids: [${Array.from({ length: 101 }, (_, i) => `"x${i}"`).join(', ')}]) { id } }`],
    ['an unknown field (validation)', '{ urlTasks(first: 5) { nodes { nope } } }'],
    ['a malformed DateTime literal', '{ urlTasks(first: 5, filter: { createdAfter: "yesterday" }) { nodes { id } } }'],
    ['an invalid create input (mutation, nothing sent)', 'mutation { createRefreshTask(input: { urls: [] }) { taskId } }'],
    ['a partial failure: one field fails, its sibling answers', `{ task(taskId: "abc") { id } recent: urlTasks(first: 2, filter: { createdAfter: "${DAY_AGO.createdAfter}", createdBefore: "${DAY_AGO.createdBefore}" }) { nodes { id } } }`],
  ])('errors: %s', async (_name, query) => {
    const { body } = await same(query);
    expect(body.errors?.length).toBeGreaterThan(0);
  });

  it('several operations in one document: the one named runs, an unknown name is 400', async () => {
    const document = `query A { __typename } query B($f: UrlTaskFilter) { urlTasks(first: 2, filter: $f) { nodes { id } } }`;
    const { body } = await same(document, { f: DAY_AGO }, {}, 'B');
    expect((body.data as { urlTasks: { nodes: unknown[] } }).urlTasks.nodes).toHaveLength(2);
    const unknown = await same(document, undefined, {}, 'C');
    expect(unknown.status).toBe(400);
  });

  it('errors: variables that do not coerce (400 BAD_USER_INPUT)', async () => {
    const { status, body } = await same('query($n: Int!, $f: UrlTaskFilter) { urlTasks(first: $n, filter: $f) { nodes { id } } }', { n: 'ten', f: { createdAfter: 'soon' } });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('errors: the upstream failing, with the catalogue code and upstream context', async () => {
    await sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 503, operations: ['url-tasks'], rateLimits: UNLIMITED });
    try {
      const { body } = await same(`query($f: UrlTaskFilter) { urlTasks(first: 3, filter: $f) { nodes { id } } task(taskId: "${firstPage.edges[0]!.node.taskId}") { total } }`, { f: DAY_AGO });
      expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    } finally {
      await sim('PUT', '/__sim/faults', { rateLimits: UNLIMITED });
    }
  });
});
