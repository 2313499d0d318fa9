/**
 * The simulator's answers against the official SDK models (fixtures/): for each of the five
 * endpoints, called over loopback and signed like the client, every body keeps the contract
 * derived from the fixtures (fields, kinds, enum values and casing), in the documented order,
 * within the documented limits, and each error comes in its API's shape.
 */
import { createSimulator, type Simulator } from '../../src/simulator';
import { api, CREDS, type Reply } from '../support/sim-api';
import { contractViolations } from './support/contract';
import { FIXTURES, loadError } from './support/fixtures';

const DAY = 86_400_000;
const HEX_ID = /^ff8080[0-9a-f]{26}$/;
const UNLIMITED = { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 };
const clock = Date.UTC(2026, 10, 30, 12, 0, 0);
const URL_TASKS = FIXTURES['url-tasks'].path;
const HISTORY = FIXTURES.historytasks.path;
const detailPath = (id: string): string => FIXTURES.detail.path.replace('{history_tasks_id}', id);

interface HistoryTask {
  readonly id: string;
  readonly task_type: string;
  readonly failed: number;
  readonly create_time: number;
}

let sim: Simulator;

beforeAll(async () => {
  sim = await createSimulator({ port: 0, quiet: true, now: () => clock, records: 6000, rateLimits: UNLIMITED, dailyQuotas: { preheat: 3 } });
});
afterAll(() => sim.close());

// Calls the API and expects a 200 that keeps the contract; returns the body.
async function ok(operation: keyof typeof FIXTURES, method: 'GET' | 'POST', path: string, options: Parameters<typeof api>[3] = {}): Promise<Reply['json']> {
  const reply = await api(sim, method, path, options);
  expect([operation, reply.status, reply.json?.error]).toEqual([operation, 200, undefined]);
  expect(contractViolations(operation, reply.json)).toEqual([]);
  // The fixtures' X-Request-Id / X-request-id: header names compare case-insensitively.
  expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  return reply.json;
}

// Lists the file and directory tasks of the last `days` days, newest first per kind.
async function tasksSince(days: number, fileType = 'file'): Promise<HistoryTask[]> {
  return (await ok('historytasks', 'GET', HISTORY, { query: { start_date: clock - days * DAY, page_size: 10000, page_number: 1, file_type: fileType } })).tasks;
}

describe('the contract checker', () => {
  it('accepts every fixture body and catches a field the model lacks, a wrong kind and an undocumented value', () => {
    for (const operation of Object.keys(FIXTURES) as Array<keyof typeof FIXTURES>) {
      expect([operation, contractViolations(operation, FIXTURES[operation].response.body)]).toEqual([operation, []]);
    }
    const body = structuredClone(FIXTURES.detail.response.body) as { urls: Array<Record<string, unknown>>; id: unknown };
    body.urls[0]!.modify_time = 1;
    body.urls[1]!.status = 'SUCCEED';
    body.id = 1207711;
    expect(contractViolations('detail', body)).toEqual([
      'detail.id: 1207711 is not string',
      'detail.urls[0].modify_time: not a field of the model',
      'detail.urls[1].status: "SUCCEED" not in processing|succeed|failed|waiting|refreshing|preheating',
    ]);
  });
});

describe('url-tasks (ShowUrlTaskInfo, urls.py)', () => {
  it('answers records of the model only, integer ids, upper-case statuses and types, id descending, at most `limit`', async () => {
    const seen = { directoryWithMode: 0, preheat: 0 };
    for (const query of [
      { start_time: clock - DAY, end_time: clock, limit: 100, offset: 0 },
      { start_time: clock - DAY, end_time: clock, limit: 100, offset: 100 },
      { start_time: clock - 2 * DAY, end_time: clock - DAY, limit: 100, task_type: 'PREHEATING' },
      { start_time: clock - 2 * DAY, end_time: clock - DAY, limit: 100, file_type: 'directory' },
    ]) {
      const body = await ok('url-tasks', 'GET', URL_TASKS, { query });
      const ids = body.result.map((r: { id: number }) => r.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.length).toBeLessThanOrEqual(100);
      expect(body.count).toBe(ids.length);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      for (const r of body.result) {
        if (r.file_type === 'directory' && r.mode) seen.directoryWithMode++;
        if (r.type === 'PREHEATING') seen.preheat++;
      }
    }
    expect(seen.directoryWithMode).toBeGreaterThan(0);
    expect(seen.preheat).toBeGreaterThan(0);
  });

  it('pages by item offset, id descending across pages', async () => {
    const page = async (offset: number): Promise<number[]> =>
      (await ok('url-tasks', 'GET', URL_TASKS, { query: { start_time: clock - DAY, end_time: clock, limit: 50, offset } })).result.map((r: { id: number }) => r.id);
    const ids = [...(await page(0)), ...(await page(50))];
    expect(ids).toHaveLength(100);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeLessThan(ids[i - 1]!);
  });
});

describe('historytasks (ShowHistoryTasks, tasks_object.py)', () => {
  it('answers tasks of the model only, string ids (decimal and 32-hex), lower-case values, create_time descending by default', async () => {
    for (const fileType of ['file', 'directory']) {
      const tasks = await tasksSince(15, fileType);
      expect(tasks.length).toBeGreaterThan(1);
      const times = tasks.map((t) => t.create_time);
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }
    const ids = (await tasksSince(15)).map((t) => t.id);
    expect(ids.some((id) => HEX_ID.test(id))).toBe(true);
    expect(ids.some((id) => /^\d+$/.test(id))).toBe(true);
  });

  it('orders by order_field and order_type only when both are given, else create_time desc', async () => {
    const list = async (query: Record<string, string>): Promise<Array<{ total: number; create_time: number }>> =>
      (await ok('historytasks', 'GET', HISTORY, { query: { start_date: clock - 3 * DAY, page_size: 10000, page_number: 1, ...query } })).tasks;
    const byTotal = (await list({ order_field: 'total', order_type: 'asc' })).map((t) => t.total);
    expect(byTotal).toEqual([...byTotal].sort((a, b) => a - b));
    expect(new Set(byTotal).size).toBeGreaterThan(1);
    for (const half of [{ order_field: 'total' }, { order_type: 'asc' }] as Array<Record<string, string>>) {
      const times = (await list(half)).map((t) => t.create_time);
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }
  });
});

describe('task detail (ShowHistoryTaskDetails, url_object.py)', () => {
  it('answers decimal and 32-hex tasks, preheats and failures with the model fields only: URLs carry no modify_time, file_type or mode', async () => {
    const recent = await tasksSince(3);
    const old = (await tasksSince(15)).find((t) => HEX_ID.test(t.id) && t.create_time > clock - 15 * DAY);
    const picks = [recent[0], recent.find((t) => t.task_type === 'preheating'), recent.find((t) => t.failed > 0), old];
    let failedUrls = 0;
    for (const task of picks) {
      expect(task).toBeDefined();
      const body = await ok('detail', 'GET', detailPath(task!.id), { query: { page_size: 10000, page_number: 1, create_time: task!.create_time } });
      expect(body.id).toBe(task!.id);
      expect(body.urls.length).toBeGreaterThan(0);
      for (const u of body.urls) {
        expect(Object.keys(u).filter((k) => ['modify_time', 'file_type', 'mode'].includes(k))).toEqual([]);
        if (u.status === 'failed') failedUrls++;
      }
    }
    expect(failedUrls).toBeGreaterThan(0);
  });
});

describe('creates (CreateRefreshTasks, CreatePreheatingTasks)', () => {
  it('answer the fixtures\' example bodies with a string task id and nothing else', async () => {
    const refresh = await ok('refresh', 'POST', FIXTURES.refresh.path, { body: FIXTURES.refresh.request.example_body, query: FIXTURES.refresh.request.example_query });
    const preheat = await ok('preheat', 'POST', FIXTURES.preheat.path, { body: FIXTURES.preheat.request.example_body });
    expect(Object.keys(refresh)).toEqual(['refresh_task']);
    expect(Object.keys(preheat)).toEqual(['preheating_task']);
  });
});

describe('limits and error shapes', () => {
  // Expects an error body with exactly the keys of the fixture's body (nested for ErrRsp), its status and code.
  const expectShape = (reply: Reply, fixture: string, code?: string): void => {
    const expected = loadError(fixture).response;
    const keys = (b: Record<string, unknown>) => Object.keys('error' in b ? (b.error as object) : b).sort();
    const codeOf = (b: Record<string, unknown>) => ('error' in b ? (b.error as { error_code: string }).error_code : b.error_code);
    expect([fixture, reply.status, Object.keys(reply.json).sort(), keys(reply.json)]).toEqual([fixture, expected.status, Object.keys(expected.body).sort(), keys(expected.body)]);
    expect(codeOf(reply.json)).toBe(code ?? codeOf(expected.body));
  };

  it('url-tasks: limit ≤ 100 and a 24 h span, refused with the top-level {error_code, error_msg}', async () => {
    const window = { start_time: clock - DAY, end_time: clock };
    expect((await api(sim, 'GET', URL_TASKS, { query: { ...window, limit: 100 } })).status).toBe(200);
    expectShape(await api(sim, 'GET', URL_TASKS, { query: { ...window, limit: 101 } }), 'url-tasks-bad-request');
    expectShape(await api(sim, 'GET', URL_TASKS, { query: { start_time: clock - DAY - 1, end_time: clock } }), 'url-tasks-bad-request');
  });

  it('historytasks and detail: page_size ≤ 10000 and only with page_number, refused as ErrRsp {"error": {...}}', async () => {
    const [task] = await tasksSince(3);
    for (const path of [HISTORY, detailPath(task!.id)]) {
      expect((await api(sim, 'GET', path, { query: { page_size: 10000, page_number: 1 } })).status).toBe(200);
      expectShape(await api(sim, 'GET', path, { query: { page_size: 10001, page_number: 1 } }), 'cdn-err-rsp');
      // show_history_tasks_request.py and show_history_task_details_request.py: page_size must come with page_number.
      expectShape(await api(sim, 'GET', path, { query: { page_size: 10 } }), 'cdn-err-rsp');
      expectShape(await api(sim, 'GET', path, { query: { page_number: 2 } }), 'cdn-err-rsp');
    }
  });

  it('creates: a bad body is a 400 ErrRsp, the daily quota a 200 ErrRsp CDN.0110', async () => {
    expectShape(await api(sim, 'POST', FIXTURES.refresh.path, { body: { refresh_task: { urls: ['ftp://x.example/a'] } } }), 'cdn-err-rsp');
    expectShape(await api(sim, 'POST', FIXTURES.preheat.path, { body: { preheating_task: {} } }), 'cdn-err-rsp');
    const urls = ['https://q.example/1.js', 'https://q.example/2.js', 'https://q.example/3.js', 'https://q.example/4.js'];
    expectShape(await api(sim, 'POST', FIXTURES.preheat.path, { body: { preheating_task: { urls } } }), 'business-quota-exceeded');
  });

  it('detail of an unknown task: a 200 carrying ErrRsp CDN.0108', async () => {
    expectShape(await api(sim, 'GET', detailPath('99999999999')), 'business-unknown-task');
  });

  it('API Gateway errors: 401, 404 and 429 as {error_code, error_msg, request_id}', async () => {
    expectShape(await api(sim, 'GET', HISTORY, { creds: { ...CREDS, sk: `${CREDS.sk}x` } }), 'apigw-unauthorized');
    expectShape(await api(sim, 'GET', '/v1.0/cdn/no-such-api'), 'apigw-not-found');
    const put = await fetch(`${sim.url}/__sim/faults`, { method: 'PUT', body: JSON.stringify({ rateLimits: { ...UNLIMITED, 'url-tasks': 1 } }) });
    expect(put.status).toBe(200);
    try {
      // Poll with a deadline: a second call within the same second is throttled.
      const deadline = Date.now() + 10_000;
      let reply: Reply | undefined;
      while (Date.now() < deadline) {
        const replies = await Promise.all([api(sim, 'GET', URL_TASKS), api(sim, 'GET', URL_TASKS)]);
        reply = replies.find((r) => r.status === 429);
        if (reply) break;
      }
      expectShape(reply!, 'apigw-throttled');
    } finally {
      await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' });
    }
  });
});
