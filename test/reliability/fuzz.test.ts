/**
 * Property-based fuzzing (fast-check) of connection arguments, filters, cursors and ids, sent
 * as variables so that wrong types reach the gateway too. Whatever arrives, the answer is a
 * well-formed GraphQL response with a known code (never INTERNAL_SERVER_ERROR, never HTTP
 * 500); arguments valid by construction always succeed and the page respects them.
 * FUZZ_RUNS sets the runs per property (default 200); a failure prints the seed to replay.
 */
import fc from 'fast-check';
import { describeMalformed, send, startReliabilityStack, watchProcessFailures, type FailureWatch, type ReliabilityStack } from './support';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const DAY = 86_400_000;

const URL_TASKS = /* GraphQL */ `
  query Fuzz($first: Int, $last: Int, $after: String, $before: String, $filter: UrlTaskFilter, $withTotal: Boolean!) {
    urlTasks(first: $first, last: $last, after: $after, before: $before, filter: $filter) {
      totalCount @include(if: $withTotal)
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { id url status type fileType createdAt }
    }
  }
`;
const TASKS = /* GraphQL */ `
  query FuzzTasks($first: Int, $last: Int, $after: String, $before: String, $filter: TaskFilter, $orderBy: TaskOrder, $urlsFirst: Int, $urlsFilter: TaskUrlFilter) {
    tasks(first: $first, last: $last, after: $after, before: $before, filter: $filter, orderBy: $orderBy) {
      pageInfo { hasNextPage endCursor }
      nodes { taskId status urls(first: $urlsFirst, filter: $urlsFilter) { totalCount nodes { url } } }
    }
  }
`;
const LOOKUPS = /* GraphQL */ `
  query FuzzLookups($id: ID!, $ids: [ID!]!, $taskId: ID!) {
    node(id: $id) { id }
    nodes(ids: $ids) { id }
    task(taskId: $taskId) { taskId }
  }
`;

interface Page {
  totalCount?: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  nodes: Array<{ id: string; url: string; status: string; type: string; fileType: string; createdAt: string }>;
}

let stack: ReliabilityStack;
let watch: FailureWatch;
// Real cursors and ids from the data set, for the fuzzers to reuse and mutate.
const cursors: string[] = [];
const ids: string[] = [];
const taskIds: string[] = [];

beforeAll(async () => {
  watch = watchProcessFailures();
  stack = await startReliabilityStack({ simulator: { records: 3000, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
  const seed = await stack.query('{ urlTasks(first: 30, filter: { createdAfter: "' + new Date(Date.now() - 7 * DAY).toISOString() + '" }) { edges { cursor node { id taskId } } } tasks(first: 5) { nodes { id taskId } } }');
  const data = seed.data as { urlTasks: { edges: Array<{ cursor: string; node: { id: string; taskId: string } }> }; tasks: { nodes: Array<{ id: string; taskId: string }> } };
  for (const edge of data.urlTasks.edges) {
    cursors.push(edge.cursor);
    ids.push(edge.node.id);
    taskIds.push(edge.node.taskId);
  }
  for (const task of data.tasks.nodes) ids.push(task.id);
  expect(cursors.length).toBeGreaterThan(10);
});
afterAll(async () => {
  await stack.close();
  watch.stop();
});

// ── Arbitraries ───────────────────────────────────────────────────────────────────────────

/** Any JSON value, shallow: what a confused or hostile client puts where a typed value belongs. */
const wrongType = fc.jsonValue({ maxDepth: 2 });
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 4 }),
  fc.base64String({ maxLength: 120 }),
  fc.constantFrom('', ' ', 'null', '0', '-1', '%00', '../../', 'djE6', 'v1:', '🙂'.repeat(50), 'a'.repeat(5000)),
);
const intLike = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 120 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 53, -(2 ** 31), 1e308) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: wrongType },
);
/** One of a list's values, read when generating (the lists fill in beforeAll). */
const oneOf = (list: readonly string[]) => fc.constant(list).chain((l) => fc.constantFrom(...l));
/** A real cursor, one with a character changed, or something else. */
const cursorLike = fc.oneof(
  oneOf(cursors),
  fc.tuple(oneOf(cursors), fc.nat(), fc.constantFrom('A', 'z', '0', '_', '-', '=', '.', ':')).map(([c, at, ch]) => {
    const i = at % c.length;
    return c.slice(0, i) + ch + c.slice(i + 1);
  }),
  hostileString,
  wrongType,
);
const instant = fc.integer({ min: Date.now() - 45 * DAY, max: Date.now() + 2 * DAY });
const dateLike = fc.oneof(
  instant.map((ms) => new Date(ms).toISOString()),
  instant,
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '1970-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', 'yesterday', ''),
  hostileString,
  wrongType,
);
const enumLike = (values: readonly string[]) => fc.oneof(fc.constantFrom(...values, 'UNKNOWN'), fc.constantFrom(...values.map((v) => v.toLowerCase())), hostileString, wrongType);
const urlLike = fc.oneof(fc.webUrl(), hostileString, wrongType);
/** A filter object with any subset of fields, or not an object at all. */
const filterLike = fc.oneof(
  { weight: 5, arbitrary: fc.record(
      {
        createdAfter: dateLike,
        createdBefore: dateLike,
        url: urlLike,
        taskType: enumLike(['REFRESH', 'PREHEATING']),
        status: enumLike(['PROCESSING', 'SUCCEED', 'FAILED', 'WAITING', 'REFRESHING', 'PREHEATING']),
        fileType: enumLike(['FILE', 'DIRECTORY']),
        extra: wrongType,
      },
      { requiredKeys: [] },
    ) },
  { weight: 1, arbitrary: wrongType },
);
/** Variables of a connection: each argument present or not, with any value. */
const connectionArgs = fc.record({ first: intLike, last: intLike, after: cursorLike, before: cursorLike }, { requiredKeys: [] });

// ── Checks ────────────────────────────────────────────────────────────────────────────────

/** Posts a request and checks the properties every answer must have; returns the parsed body. */
async function postChecked(query: string, variables: Record<string, unknown>): Promise<{ status: number; data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions: { code: string } }> }> {
  const res = await send(stack.url, { body: JSON.stringify({ query, variables }) });
  const problem = describeMalformed(res);
  if (problem) throw new Error(`${problem}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const body = JSON.parse(res.text) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions: { code: string } }> };
  if (res.status !== 200 && res.status !== 400) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  const internal = body.errors?.find((e) => e.extensions.code === 'INTERNAL_SERVER_ERROR');
  if (internal) throw new Error(`INTERNAL_SERVER_ERROR for variables ${JSON.stringify(variables).slice(0, 300)}`);
  return { status: res.status, ...body };
}

// Checks the page-level invariants of a successful urlTasks page.
function checkPage(page: Page, count: number): void {
  expect(page.nodes.length).toBeLessThanOrEqual(count);
  expect(new Set(page.nodes.map((n) => n.id)).size).toBe(page.nodes.length);
  for (const node of page.nodes) expect(node.url).toEqual(expect.any(String));
  if (page.nodes.length === 0) expect(page.pageInfo.endCursor).toBeNull();
  if (page.totalCount !== undefined) expect(page.totalCount).toBeGreaterThanOrEqual(page.nodes.length);
}

// ── Properties ────────────────────────────────────────────────────────────────────────────

it(`urlTasks: any arguments and filter (${RUNS} runs) give a well-formed answer with a known code`, async () => {
  await fc.assert(
    fc.asyncProperty(connectionArgs, fc.option(filterLike, { nil: undefined }), fc.boolean(), async (args, filter, withTotal) => {
      const answer = await postChecked(URL_TASKS, { ...args, filter, withTotal });
      if (answer.errors === undefined) {
        const requested = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : 20;
        checkPage((answer.data as { urlTasks: Page }).urlTasks, requested);
      } else {
        expect(answer.errors.length).toBeGreaterThan(0);
      }
    }),
    { numRuns: RUNS },
  );
});

it(`urlTasks: arguments valid by construction (${RUNS} runs) always succeed, and the page keeps to its filter`, async () => {
  const now = Date.now();
  const validFilter = fc.record(
    {
      createdAfter: fc.integer({ min: now - 30 * DAY, max: now - 1000 }).map((ms) => new Date(ms).toISOString()),
      status: fc.constantFrom('PROCESSING', 'SUCCEED', 'FAILED', 'WAITING'),
      taskType: fc.constantFrom('REFRESH', 'PREHEATING'),
      fileType: fc.constantFrom('FILE', 'DIRECTORY'),
    },
    { requiredKeys: [] },
  );
  const direction = fc.oneof(fc.record({ first: fc.integer({ min: 0, max: 100 }) }), fc.record({ last: fc.integer({ min: 0, max: 100 }) }));
  await fc.assert(
    fc.asyncProperty(direction, validFilter, fc.boolean(), async (args, filter, withTotal) => {
      const answer = await postChecked(URL_TASKS, { ...args, filter, withTotal });
      expect(answer.errors).toBeUndefined();
      const page = (answer.data as { urlTasks: Page }).urlTasks;
      checkPage(page, 'first' in args ? args.first : args.last);
      const after = filter.createdAfter ? Date.parse(filter.createdAfter) : now - DAY;
      for (const node of page.nodes) {
        if (filter.status) expect(node.status).toBe(filter.status);
        if (filter.taskType) expect(node.type).toBe(filter.taskType);
        if (filter.fileType) expect(node.fileType).toBe(filter.fileType);
        expect(Date.parse(node.createdAt)).toBeGreaterThanOrEqual(after);
      }
    }),
    { numRuns: RUNS },
  );
});

it(`urlTasks: a real cursor with one character changed (${RUNS} runs) is refused as BAD_USER_INPUT, never followed`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...cursors), fc.nat(), fc.constantFrom('A', 'z', '0', '_', '-', '+', '/', '='), fc.boolean(), async (cursor, at, ch, forward) => {
      const i = at % cursor.length;
      fc.pre(cursor[i] !== ch);
      const mutated = cursor.slice(0, i) + ch + cursor.slice(i + 1);
      // The cursors were issued for this filter, so only the change itself can be wrong.
      const filter = { createdAfter: new Date(Date.now() - 7 * DAY).toISOString() };
      const answer = await postChecked(URL_TASKS, forward ? { first: 5, after: mutated, filter, withTotal: false } : { last: 5, before: mutated, filter, withTotal: false });
      expect(answer.errors?.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    }),
    { numRuns: RUNS },
  );
});

it(`tasks and Task.urls: any arguments, filters and orders (${Math.ceil(RUNS / 2)} runs) give a well-formed answer with a known code`, async () => {
  const taskFilter = fc.oneof(
    fc.record(
      { createdAfter: dateLike, createdBefore: dateLike, status: enumLike(['IN_PROCESS', 'DONE']), taskType: enumLike(['REFRESH', 'PREHEATING']), fileType: enumLike(['FILE', 'DIRECTORY']) },
      { requiredKeys: [] },
    ),
    wrongType,
  );
  const orderBy = fc.oneof(fc.record({ field: enumLike(['CREATED_AT', 'TASK_TYPE', 'TOTAL', 'PROCESSING', 'SUCCEEDED', 'FAILED']), direction: enumLike(['ASC', 'DESC']) }), wrongType);
  const urlsFilter = fc.record({ status: enumLike(['SUCCEED', 'FAILED']), url: urlLike }, { requiredKeys: [] });
  await fc.assert(
    fc.asyncProperty(connectionArgs, fc.option(taskFilter, { nil: undefined }), fc.option(orderBy, { nil: undefined }), intLike, fc.option(urlsFilter, { nil: undefined }), async (args, filter, order, urlsFirst, urlsF) => {
      // Task.urls pages of up to 100 under up to 100 tasks would pass MAX_COST: keep the outer page small when both are numbers.
      const first = typeof args.first === 'number' && typeof urlsFirst === 'number' ? Math.min(args.first, 5) : args.first;
      await postChecked(TASKS, { ...args, first, filter, orderBy: order, urlsFirst, urlsFilter: urlsF });
    }),
    { numRuns: Math.ceil(RUNS / 2) },
  );
});

it(`node, nodes and task: any ids (${Math.ceil(RUNS / 2)} runs) give a well-formed answer with a known code`, async () => {
  const idLike = fc.oneof(oneOf(ids), oneOf(ids).map((id) => id.slice(0, -2)), hostileString, fc.integer().map(String), wrongType);
  const taskIdLike = fc.oneof(oneOf(taskIds), fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String), hostileString, wrongType);
  await fc.assert(
    fc.asyncProperty(idLike, fc.oneof(fc.array(idLike, { maxLength: 8 }), wrongType), taskIdLike, async (id, idList, taskId) => {
      await postChecked(LOOKUPS, { id, ids: idList, taskId });
    }),
    { numRuns: Math.ceil(RUNS / 2) },
  );
});

it('fired no unhandled rejection and no uncaught exception while fuzzing', () => {
  expect(watch.rejections).toEqual([]);
  expect(watch.exceptions).toEqual([]);
});
