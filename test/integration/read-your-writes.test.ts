/**
 * Read-your-writes, over loopback with the gateway's economy on (the default CACHE_TTL_MS):
 * after createRefreshTask or createPreheatTask, refetching `urlTasks` and `tasks` shows the new
 * records at once, although the same lists were answered from the cache just before; and a
 * list call made after a create does not join an identical call still in flight from before it.
 *
 * The gateway and its economy run on a clock that stands still (after every create of the test),
 * so that a refetch is the very same upstream call as the fetch before it and a cached answer
 * never ages out: without the invalidation, the refetch would be answered from the old page.
 */
import { OPS, startStack, type Stack } from '../support/stack';
import { eventually } from '../support/eventually';

// The gateway's "now": later than anything this file creates, fixed for the whole run.
const FROZEN = Date.now() + 10 * 60_000;
const UNLIMITED = { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 };

const LISTS = /* GraphQL */ `
  query Lists {
    urlTasks(first: 10) { nodes { url taskId } }
    tasks(first: 5) { nodes { taskId total } }
  }
`;
const CREATE_REFRESH = 'mutation($urls: [String!]!) { createRefreshTask(input: { urls: $urls }) { taskId } }';
const CREATE_PREHEAT = 'mutation($urls: [String!]!) { createPreheatTask(input: { urls: $urls }) { taskId } }';

interface Lists {
  urlTasks: { nodes: Array<{ url: string; taskId: string }> };
  tasks: { nodes: Array<{ taskId: string; total: number }> };
}

let stack: Stack;
let serial = 0;
// URLs unique to this run.
const unique = (name: string) => `https://cdn.example.com/ryw-${Date.now()}-${++serial}/${name}`;

beforeAll(async () => {
  stack = await startStack({
    simulator: { rateLimits: UNLIMITED },
    // The default CACHE_TTL_MS (2 s) of the configuration; the clock keeps entries from ageing out.
    economy: { now: () => FROZEN, rateLimits: UNLIMITED },
    now: () => FROZEN,
  });
  expect(stack.config.cacheTtlMs).toBe(2000);
});

afterAll(async () => {
  await stack?.close();
});

afterEach(async () => {
  await stack.sim('DELETE', '/__sim/faults');
});

// Sends a query and returns its data, failing the test on any GraphQL error.
async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await stack.query<T>(query, variables);
  if (res.errors || !res.data) throw new Error(`unexpected answer ${res.status}: ${JSON.stringify(res.errors)}`);
  return res.data;
}

// The upstream list calls the simulator has received.
const listCalls = async () => (await stack.upstreamCalls(OPS.urlTasks)) + (await stack.upstreamCalls(OPS.historyTasks));

describe('read-your-writes after a create', () => {
  it('lists, creates, lists again: the new records and task are there at once (3 of 3, refresh and preheat)', async () => {
    // What fetching both lists afresh costs upstream.
    const start = await listCalls();
    await data<Lists>(LISTS);
    const perFetch = (await listCalls()) - start;
    expect(perFetch).toBeGreaterThanOrEqual(2);
    for (let trial = 1; trial <= 3; trial++) {
      const before = await data<Lists>(LISTS);
      // The lists are cached: asking again costs no upstream call (and would show the same page).
      const calls = await listCalls();
      expect(await data<Lists>(LISTS)).toEqual(before);
      expect(await listCalls()).toBe(calls);

      const urls = [unique(`t${trial}-a.js`), unique(`t${trial}-b.css`)];
      const created = trial === 2 ? await data<{ createPreheatTask: { taskId: string } }>(CREATE_PREHEAT, { urls }) : null;
      const refreshed = trial !== 2 ? await data<{ createRefreshTask: { taskId: string } }>(CREATE_REFRESH, { urls }) : null;
      const taskId = created?.createPreheatTask.taskId ?? refreshed!.createRefreshTask.taskId;

      const after = await data<Lists>(LISTS);
      expect(after.urlTasks.nodes.filter((n) => n.taskId === taskId).map((n) => n.url).sort()).toEqual([...urls].sort());
      expect(after.tasks.nodes[0]).toEqual({ taskId, total: 2 });
      // Both lists went upstream again.
      expect(await listCalls()).toBe(calls + perFetch);
    }
  });

  it('keeps task details cached across a create: a create changes no existing task', async () => {
    const { tasks } = await data<Lists>(LISTS);
    const taskId = tasks.nodes[1]!.taskId;
    const TASK = 'query($id: ID!) { task(taskId: $id) { taskId total } }';
    const first = await data(TASK, { id: taskId });
    const details = await stack.upstreamCalls(OPS.detail);
    await data(CREATE_REFRESH, { urls: [unique('detail.js')] });
    expect(await data(TASK, { id: taskId })).toEqual(first);
    expect(await stack.upstreamCalls(OPS.detail)).toBe(details);
  });

  it('does not let a list call made after a create join an identical one still in flight from before it', async () => {
    // A page nobody asked for yet (not cached), answered slowly: the simulator computes the answer on arrival, then waits.
    const SLOW = 'query { urlTasks(first: 7) { nodes { url taskId } } }';
    type Page = { urlTasks: { nodes: Array<{ url: string; taskId: string }> } };
    await stack.sim('PUT', '/__sim/faults', { latencyMs: 4000, operations: ['url-tasks'], rateLimits: UNLIMITED });
    const calls = await stack.upstreamCalls(OPS.urlTasks);
    let earlierDone = false;
    const earlier = data<Page>(SLOW).finally(() => {
      earlierDone = true;
    });
    // The earlier call has reached the simulator, so its answer predates the create.
    await eventually(async () => expect(await stack.upstreamCalls(OPS.urlTasks)).toBe(calls + 1));
    const urls = [unique('in-flight.js')];
    const { createRefreshTask } = await data<{ createRefreshTask: { taskId: string } }>(CREATE_REFRESH, { urls });
    // The earlier call is still in flight when the later one is sent: without the generation the later one would join it.
    expect(earlierDone).toBe(false);
    const later = await data<Page>(SLOW);
    expect(later.urlTasks.nodes.filter((n) => n.taskId === createRefreshTask.taskId).map((n) => n.url)).toEqual(urls);
    expect((await earlier).urlTasks.nodes.some((n) => n.taskId === createRefreshTask.taskId)).toBe(false);
    expect(await stack.upstreamCalls(OPS.urlTasks)).toBe(calls + 2);
  });
});
