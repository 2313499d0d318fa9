/**
 * The cost rule over real GraphQL: it reads the operation's coerced variables (defaults
 * included), caps node lookup lists for `nodes(ids:)` and `_entities(representations:)` alike,
 * and bounds the task detail lookups of one request summed over aliases (MAX_DETAIL_LOOKUPS).
 * Every refusal comes before any upstream call, which the simulator's counters show.
 */
import { toTaskGlobalId } from '../../src/graph/ids';
import { startStack, type GqlResponse, type Stack } from '../support/stack';

const DAY = 86_400_000;
// Literal lists of 100 representations need more than the default 1000 tokens; every other limit is the default.
const ENV = { MAX_TOKENS: '20000' };

let stack: Stack;
const dataNow = Date.now();

beforeAll(async () => {
  stack = await startStack({ env: ENV, simulator: { now: () => dataNow, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
});
afterAll(async () => {
  await stack?.close();
});

// Sends a query and returns its answer with the upstream calls it caused.
async function send(query: string, variables?: Record<string, unknown>): Promise<{ res: GqlResponse; calls: number }> {
  const before = await stack.upstreamCalls();
  const res = await stack.query(query, variables);
  return { res, calls: (await stack.upstreamCalls()) - before };
}

// The refusal as a client sees it: status, code and message, and no upstream call.
async function refusal(query: string, variables?: Record<string, unknown>) {
  const { res, calls } = await send(query, variables);
  expect(res.data ?? null).toBeNull();
  expect(res.errors).toHaveLength(1);
  return { status: res.status, code: res.errors?.[0]?.extensions?.code, message: res.errors?.[0]?.message, calls };
}

const taskIds = (n: number) => Array.from({ length: n }, (_, i) => toTaskGlobalId(String(900000 + i), dataNow - DAY));
const literalList = (items: string[]) => `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
const reps = (ids: string[]) => ids.map((id) => ({ __typename: 'Task', id }));
const literalReps = (ids: string[]) => `[${ids.map((id) => `{ __typename: "Task", id: ${JSON.stringify(id)} }`).join(', ')}]`;
const RECORD = 'id url status type taskId createdAt modifiedAt fileType mode';
// Five aliases of a page of records: 5 × (1 + n × 10), over MAX_COST (5000) at n = 100, under it at n = 90.
const fiveAliases = (first: string) => Array.from({ length: 5 }, (_, i) => `a${i}: urlTasks(first: ${first}) { nodes { ${RECORD} } }`).join(' ');

describe('the cost rule reads coerced variables, defaults included', () => {
  it('costs and refuses a literal first, a variable and a variable default the same way, with no upstream call', async () => {
    const literal = await refusal(`{ ${fiveAliases('100')} }`);
    const variable = await refusal(`query($n: Int) { ${fiveAliases('$n')} }`, { n: 100 });
    const byDefault = await refusal(`query($n: Int = 100) { ${fiveAliases('$n')} }`);
    const overridden = await refusal(`query($n: Int = 2) { ${fiveAliases('$n')} }`, { n: 100 });
    expect(literal).toEqual({
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: expect.stringMatching(/^Query cost 5005 exceeds the limit of 5000 \(MAX_COST\)/) as unknown as string,
      calls: 0,
    });
    expect(variable).toEqual(literal);
    expect(byDefault).toEqual(literal);
    expect(overridden).toEqual(literal);
  });

  it('costs a variable given explicitly as given, over its default', async () => {
    const { res } = await send(`query($n: Int = 100) { ${fiveAliases('$n')} }`, { n: 90 });
    expect(res.errors).toBeUndefined();
    expect(Object.keys(res.data ?? {})).toHaveLength(5);
  });

  it('weighs a list variable left to its default by the default list length', async () => {
    const ids = taskIds(101);
    const byDefault = await refusal(`query($ids: [ID!]! = ${literalList(ids)}) { nodes(ids: $ids) { id } }`);
    const literal = await refusal(`{ nodes(ids: ${literalList(ids)}) { id } }`);
    expect(byDefault).toEqual({ status: 400, code: 'BAD_USER_INPUT', message: 'nodes takes at most 100 ids; got 101', calls: 0 });
    expect(literal).toEqual(byDefault);
  });
});

describe('_entities representations are capped and weighed like nodes(ids:)', () => {
  const ENTITIES = 'query($representations: [_Any!]!) { _entities(representations: $representations) { __typename ... on Task { id taskId total } } }';

  it('refuses more than 100 representations, variable (as routers send them) or literal, with BAD_USER_INPUT before any upstream call', async () => {
    const expected = { status: 400, code: 'BAD_USER_INPUT', message: '_entities takes at most 100 representations; got 101', calls: 0 };
    expect(await refusal(ENTITIES, { representations: reps(taskIds(101)) })).toEqual(expected);
    expect(await refusal(`{ _entities(representations: ${literalReps(taskIds(101))}) { __typename } }`)).toEqual(expected);
    // The review's case: 2,000 representations once cost less than MAX_COST and were accepted.
    expect(await refusal(ENTITIES, { representations: reps(taskIds(2000)) })).toEqual({ ...expected, message: '_entities takes at most 100 representations; got 2000' });
    // The same rule, the same message shape, for nodes.
    expect(await refusal('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: taskIds(101) })).toEqual({ ...expected, message: 'nodes takes at most 100 ids; got 101' });
  });

  it('accepts 100 representations', async () => {
    const { res, calls } = await send(ENTITIES, { representations: reps(taskIds(100)) });
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities).toHaveLength(100);
    expect(calls).toBeGreaterThan(0);
  });

  it('counts representations in the cost like node ids', async () => {
    const heavy = '__typename ... on Task { urls(first: 50) { nodes { url status } } }';
    const ids = taskIds(100);
    const entities = await refusal(`query($r: [_Any!]!) { _entities(representations: $r) { ${heavy} } }`, { r: reps(ids) });
    const nodes = await refusal(`query($ids: [ID!]!) { nodes(ids: $ids) { ${heavy} } }`, { ids });
    // 1 + 100 × (urls: 1 + 50 × (nodes: 1 + 2)) = 15101
    expect(entities).toEqual({ status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: expect.stringMatching(/^Query cost 15101 exceeds the limit of 5000 \(MAX_COST\)/) as unknown as string, calls: 0 });
    expect(nodes).toEqual(entities);
  });
});

describe('task detail lookups of one request are bounded (MAX_DETAIL_LOOKUPS, default 200)', () => {
  const aliases = (n: number, field: string) => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');

  it('refuses fifteen aliases of nodes(ids: [100 ids]) before any upstream call, literal, variable or default', async () => {
    const ids = taskIds(100);
    const expected = {
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: expect.stringMatching(/^Query may make 1500 task detail lookups, over the limit of 200 \(MAX_DETAIL_LOOKUPS\)/) as unknown as string,
      calls: 0,
    };
    expect(await refusal(`query($ids: [ID!]!) { ${aliases(15, 'nodes(ids: $ids) { id }')} }`, { ids })).toEqual(expected);
    expect(await refusal(`query($ids: [ID!]! = ${literalList(ids)}) { ${aliases(15, 'nodes(ids: $ids) { id }')} }`)).toEqual(expected);
    expect(await refusal(`{ ${aliases(15, `nodes(ids: ${literalList(ids)}) { id }`)} }`)).toEqual(expected);
    expect(await refusal(`query($r: [_Any!]!) { ${aliases(15, '_entities(representations: $r) { __typename }')} }`, { r: reps(ids) })).toEqual(expected);
  });

  it('sums over aliases: two lists of 100 pass, three are refused', async () => {
    const ids = taskIds(100);
    const two = await send(`query($ids: [ID!]!) { ${aliases(2, 'nodes(ids: $ids) { id }')} }`, { ids });
    expect(two.res.errors).toBeUndefined();
    const three = await refusal(`query($ids: [ID!]!) { ${aliases(3, 'nodes(ids: $ids) { id }')} }`, { ids });
    expect(three.message).toMatch(/^Query may make 300 task detail lookups, over the limit of 200 \(MAX_DETAIL_LOOKUPS\)/);
    expect(three.calls).toBe(0);
  });

  it('multiplies lookups nested in pages: a full page with its tasks and their URLs (100: a task is loaded with its URLs) passes, with three lookups per record it is refused', async () => {
    const filter = `filter: { createdAfter: "${new Date(dataNow - 2 * DAY).toISOString()}", createdBefore: "${new Date(dataNow - DAY).toISOString()}" }`;
    const page = await send(`{ urlTasks(first: 100, ${filter}) { nodes { task { status urls { nodes { url } } } t: task { taskId } } } }`);
    expect(page.res.errors).toBeUndefined();
    const refused = await refusal(`{ urlTasks(first: 100, ${filter}) { nodes { task { status urls(filter: { status: FAILED }) { totalCount } } t: task { taskId } } } }`);
    expect(refused.message).toMatch(/^Query may make 300 task detail lookups/);
    expect(refused.calls).toBe(0);
  });

  it('follows the loaders: what a lookup by id already loaded counts nothing, what it did not counts once per item', async () => {
    const ids = taskIds(100);
    // A Task looked up by id is loaded with its URLs when they are selected (100, and twice that allowed), a filtered list is a call of its own (300).
    const unfiltered = await send(`query($ids: [ID!]!) { a: nodes(ids: $ids) { ... on Task { total urls { totalCount } } } b: nodes(ids: $ids) { id } }`, { ids });
    expect(unfiltered.res.errors).toBeUndefined();
    const filtered = await refusal(`query($ids: [ID!]!) { a: nodes(ids: $ids) { ... on Task { urls { totalCount } failed: urls(filter: { status: FAILED }) { totalCount } } } b: nodes(ids: $ids) { id } }`, { ids });
    expect(filtered.message).toMatch(/^Query may make 300 task detail lookups/);
    expect(filtered.calls).toBe(0);
  });
});
