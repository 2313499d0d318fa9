/**
 * What the gateway's client puts on the wire, captured where the simulator received it
 * (`GET /__sim/requests`) while real GraphQL requests use every filter: only parameters the
 * SDK model of each endpoint has, with its casing and ranges; `enterprise_project_id` on
 * historytasks, detail and the creates exactly when configured, never on url-tasks;
 * `file_type` on every historytasks call; create bodies as the request models define them.
 */
import type { LoggedRequest } from '../../src/simulator/request-log';
import { startStack, type Stack } from '../support/stack';
import { FIXTURES } from './support/fixtures';
import { bodyFieldNames, operationOf, receivedRequests, requestViolations } from './support/sim-requests';

const DAY = 86_400_000;
const PROJECT = '2f1e8a3c-5b7d-4e9f-a1c2-3d4e5f6a7b8c';
const UNLIMITED = { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 };
// The wall clock, frozen: the gateway's default windows end at the real now.
const clock = Date.now();
const iso = (ms: number): string => new Date(ms).toISOString();

const READS = /* GraphQL */ `
  query($u: UrlTaskFilter, $t: TaskFilter) {
    plain: urlTasks(first: 3) { totalCount nodes { id task { taskId } } }
    filtered: urlTasks(first: 3, filter: $u) { nodes { id } }
    oldest: urlTasks(last: 2) { nodes { id } }
    tasks(first: 2) { totalCount nodes { id taskId urls(first: 2) { nodes { id } } } }
    oldestTasks: tasks(last: 2) { nodes { taskId } }
    ordered: tasks(first: 2, filter: $t, orderBy: { field: TOTAL, direction: ASC }) {
      nodes { taskId urls(first: 2, filter: { status: SUCCEED, url: "https://static.example.com/a.js" }) { nodes { id } } }
    }
  }
`;
const CREATES = /* GraphQL */ `
  mutation {
    dir: createRefreshTask(input: { urls: ["https://contract.example.com/img/"], type: DIRECTORY, mode: DETECT_MODIFY_REFRESH }) { taskId }
    file: createRefreshTask(input: { urls: ["https://contract.example.com/a.js"] }) { taskId }
    createPreheatTask(input: { urls: ["https://contract.example.com/主页.mp4"] }) { taskId }
  }
`;
const VARIABLES = {
  u: { createdAfter: iso(clock - 2 * DAY), createdBefore: iso(clock), url: 'https://static.example.com/a.js', taskType: 'PREHEATING', status: 'FAILED', fileType: 'FILE' },
  t: { createdAfter: iso(clock - 3 * DAY), createdBefore: iso(clock), status: 'DONE', taskType: 'REFRESH', fileType: 'DIRECTORY' },
};

let plain: Stack;
let scoped: Stack;

beforeAll(async () => {
  plain = await startStack({ simulator: { now: () => clock, records: 4000, rateLimits: UNLIMITED } });
  scoped = await startStack({ upstream: plain.simulator, env: { HUAWEICLOUD_ENTERPRISE_PROJECT_ID: PROJECT } });
});
afterAll(async () => {
  await scoped?.close();
  await plain?.close();
});

const NODES = /* GraphQL */ `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`;

// Runs the reads, node lookups, the creates and the readiness probe through one gateway; returns what the simulator received.
async function exercise(stack: Stack): Promise<readonly LoggedRequest[]> {
  await stack.sim('POST', '/__sim/reset');
  const reads = await stack.query<{ plain: { nodes: Array<{ id: string }> }; tasks: { nodes: Array<{ id: string }> } }>(READS, VARIABLES);
  expect(reads.errors).toBeUndefined();
  const ids = [reads.data!.plain.nodes[0]!.id, reads.data!.tasks.nodes[0]!.id];
  for (const [query, variables] of [[NODES, { ids }], [CREATES, {}]] as const) {
    const res = await stack.query(query, variables);
    expect(res.errors).toBeUndefined();
  }
  expect((await fetch(stack.url.replace(/\/graphql$/, '/readyz'))).status).toBe(200);
  const received = await receivedRequests(stack.simulator.url);
  expect(new Set(received.map(operationOf))).toEqual(new Set(Object.keys(FIXTURES)));
  return received;
}

describe.each([
  ['without an enterprise project', () => plain, undefined],
  ['with HUAWEICLOUD_ENTERPRISE_PROJECT_ID', () => scoped, PROJECT],
] as const)('the client %s', (_name, stackOf, project) => {
  let received: readonly LoggedRequest[];
  beforeAll(async () => {
    received = await exercise(stackOf());
  });

  it('sends only parameters of each model, with the documented casing and ranges', () => {
    expect(received.flatMap(requestViolations)).toEqual([]);
    const sent = (operation: string, name: string) => received.filter((r) => operationOf(r) === operation).map((r) => r.query[name]);
    // The filters reached the wire in the casing each API documents.
    expect(sent('url-tasks', 'task_type')).toContain('PREHEATING');
    expect(sent('url-tasks', 'status')).toContain('failed');
    expect(sent('url-tasks', 'file_type')).toContain('file');
    expect(sent('historytasks', 'task_type')).toContain('refresh');
    expect(sent('historytasks', 'status')).toContain('task_done');
    expect(sent('historytasks', 'order_field')).toContain('total');
    expect(sent('historytasks', 'order_type')).toContain('asc');
    expect(sent('detail', 'status')).toContain('succeed');
  });

  it(`sends enterprise_project_id ${project ? 'on historytasks, detail and the creates' : 'nowhere'}, never on url-tasks`, () => {
    for (const request of received) {
      const operation = operationOf(request);
      const expected = operation === 'url-tasks' ? undefined : project;
      expect([operation, request.query.enterprise_project_id]).toEqual([operation, expected]);
    }
  });

  it('sends file_type on every historytasks call', () => {
    const historyCalls = received.filter((r) => operationOf(r) === 'historytasks');
    expect(historyCalls.length).toBeGreaterThanOrEqual(2);
    expect(historyCalls.filter((r) => r.query.file_type === undefined)).toEqual([]);
    expect(new Set(historyCalls.map((r) => r.query.file_type))).toEqual(new Set(['file', 'directory']));
  });

  it('sends create bodies exactly as the request models have them, and no body on reads', () => {
    const bodies = (operation: string) => received.filter((r) => operationOf(r) === operation).map((r) => JSON.parse(r.body ?? 'null'));
    expect(bodies('refresh')).toEqual([
      { refresh_task: { type: 'directory', mode: 'detect_modify_refresh', zh_url_encode: false, urls: ['https://contract.example.com/img/'] } },
      { refresh_task: { type: 'file', zh_url_encode: false, urls: ['https://contract.example.com/a.js'] } },
    ]);
    expect(bodies('preheat')).toEqual([{ preheating_task: { zh_url_encode: false, urls: ['https://contract.example.com/主页.mp4'] } }]);
    for (const operation of ['refresh', 'preheat'] as const) {
      const known = Object.keys(FIXTURES[operation].request.body_fields ?? {});
      for (const body of bodies(operation)) expect(bodyFieldNames(body).filter((n) => !known.includes(n))).toEqual([]);
    }
    expect(received.filter((r) => r.method === 'GET' && r.body !== null)).toEqual([]);
  });
});
