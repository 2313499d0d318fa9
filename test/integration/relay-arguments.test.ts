/**
 * One set of Relay argument rules for every connection (src/pagination/args.ts, cursor.ts):
 * the same misuse sent to urlTasks, tasks and Task.urls, as real GraphQL requests against the
 * simulator, gets the same BAD_USER_INPUT message from all three.
 */
import { startStack, type Stack } from '../support/stack';

const URL_TASKS = /* GraphQL */ `
  query UrlTasks($first: Int, $after: String, $last: Int, $before: String, $filter: UrlTaskFilter) {
    urlTasks(first: $first, after: $after, last: $last, before: $before, filter: $filter) { pageInfo { endCursor } }
  }
`;
const TASKS = /* GraphQL */ `
  query Tasks($first: Int, $after: String, $last: Int, $before: String, $filter: TaskFilter) {
    tasks(first: $first, after: $after, last: $last, before: $before, filter: $filter) { pageInfo { endCursor } }
  }
`;
const TASK_URLS = /* GraphQL */ `
  query TaskUrls($taskId: ID!, $first: Int, $after: String, $last: Int, $before: String, $filter: TaskUrlFilter) {
    task(taskId: $taskId) { urls(first: $first, after: $after, last: $last, before: $before, filter: $filter) { pageInfo { endCursor } } }
  }
`;

/** One connection under test: how to query it, a cursor it issued, and a filter other than that cursor's. */
interface Target {
  readonly name: string;
  readonly query: string;
  readonly fixed: Record<string, unknown>;
  readonly cursor: string;
  readonly otherFilter: Record<string, unknown>;
}

/** A misuse: the Relay arguments sent to a target, and the one answer every connection must give. */
type Misuse = [name: string, variables: (t: Target) => Record<string, unknown>, message: (t: Target) => string];

// The simulator's data clock stands still, so the records and tasks read below stay put.
const dataNow = Date.now();
let stack: Stack;
let targets: Target[];
// A Task.urls cursor of a task none of the targets pages: another connection for all three.
let foreignCursor: string;
let foreignTaskId: string;

beforeAll(async () => {
  stack = await startStack({ simulator: { now: () => dataNow, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
  const urlTasks = await data<{ urlTasks: { pageInfo: { endCursor: string } } }>(URL_TASKS, { first: 2 });
  const tasks = await data<{ tasks: { pageInfo: { endCursor: string }; nodes: Array<{ taskId: string; urls: { pageInfo: { endCursor: string | null } } }> } }>(
    '{ tasks(first: 10) { pageInfo { endCursor } nodes { taskId urls(first: 1) { pageInfo { endCursor } } } } }',
  );
  const withUrls = tasks.tasks.nodes.filter((t) => t.urls.pageInfo.endCursor !== null);
  expect(withUrls.length).toBeGreaterThanOrEqual(2);
  const [own, foreign] = withUrls as [(typeof withUrls)[0], (typeof withUrls)[0]];
  foreignCursor = foreign.urls.pageInfo.endCursor!;
  foreignTaskId = foreign.taskId;
  targets = [
    { name: 'urlTasks', query: URL_TASKS, fixed: {}, cursor: urlTasks.urlTasks.pageInfo.endCursor, otherFilter: { status: 'FAILED' } },
    { name: 'tasks', query: TASKS, fixed: {}, cursor: tasks.tasks.pageInfo.endCursor, otherFilter: { taskType: 'REFRESH' } },
    { name: 'Task.urls', query: TASK_URLS, fixed: { taskId: own.taskId }, cursor: own.urls.pageInfo.endCursor!, otherFilter: { status: 'FAILED' } },
  ];
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

// Replaces the character at `i` with another base64url character.
const flip = (text: string, i: number) => text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
const ALTERED = () => 'after cursor was altered or issued by another gateway (signature check failed)';

const MISUSES: Misuse[] = [
  ['first and last together', () => ({ first: 2, last: 2 }), () => 'first and last cannot be combined; pass one of them (got first 2, last 2)'],
  ['a negative first', () => ({ first: -1 }), () => 'first must not be negative; got -1'],
  ['a negative last', () => ({ last: -3 }), () => 'last must not be negative; got -3'],
  ['first over the cap', () => ({ first: 101 }), () => 'first must be at most 100; got 101'],
  ['last over the cap', () => ({ last: 500 }), () => 'last must be at most 100; got 500'],
  // The rule chosen for all three: after with before is refused (Relay permits both readings).
  ['after and before together', (t) => ({ after: t.cursor, before: t.cursor }), () => 'after and before cannot be combined; page forwards with first/after or backwards with last/before'],
  ['after with last', (t) => ({ after: t.cursor, last: 2 }), () => 'after pages forwards: use it with first, not last (got last 2)'],
  ['before with first', (t) => ({ before: t.cursor, first: 2 }), () => 'before pages backwards: use it with last, not first (got first 2)'],
  ['a malformed cursor', () => ({ first: 2, after: 'not-a-cursor' }), () => 'after is not a valid cursor (malformed); got "not-a-cursor"'],
  [
    'a cursor of another connection',
    () => ({ first: 2, after: foreignCursor }),
    () => `after cursor was issued for a different connection ("Task.urls:${foreignTaskId}"); pass it where it was issued, or start again without after`,
  ],
  [
    'a cursor of the same connection with another filter',
    (t) => ({ first: 2, after: t.cursor, filter: t.otherFilter }),
    () => 'after cursor was issued for different filter arguments; pass the filter of the page that issued it, or start again without after',
  ],
  [
    'a cursor of the same connection with another filter, backwards',
    (t) => ({ last: 2, before: t.cursor, filter: t.otherFilter }),
    () => 'before cursor was issued for different filter arguments; pass the filter of the page that issued it, or start again without before',
  ],
  ['an altered signature character', (t) => ({ first: 2, after: flip(t.cursor, t.cursor.length - 2) }), ALTERED],
  ['an altered payload character', (t) => ({ first: 2, after: flip(t.cursor, 6) }), ALTERED],
  ['trailing bytes', (t) => ({ first: 2, after: `${t.cursor}AAAA` }), ALTERED],
  ['one trailing character', (t) => ({ first: 2, after: `${t.cursor}A` }), ALTERED],
];

describe.each(MISUSES)('%s', (_name, variables, message) => {
  test('gets the same BAD_USER_INPUT message from urlTasks, tasks and Task.urls', async () => {
    const answers: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const target of targets) {
      const res = await stack.query(target.query, { ...target.fixed, ...variables(target) });
      answers[target.name] = res.errors?.map((e) => ({ code: e.extensions?.code, message: e.message }));
      expected[target.name] = [{ code: 'BAD_USER_INPUT', message: message(target) }];
    }
    expect(answers).toEqual(expected);
  });
});

test('the cursors under test are good: each connection pages on with its own cursor', async () => {
  for (const target of targets) {
    const res = await stack.query(target.query, { ...target.fixed, first: 1, after: target.cursor });
    expect({ target: target.name, errors: res.errors }).toEqual({ target: target.name, errors: undefined });
  }
});
