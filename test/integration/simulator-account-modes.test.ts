/**
 * The simulator's fidelity modes over real loopback HTTP, requests signed by the project's
 * signer: enterprise projects, url-tasks not enabled, the documented historytasks default,
 * detail URLs as url_object.py has them, both task id formats, error shapes per API and
 * layer, and response reshaping (omitted fields, unknown enum values).
 */
import type { QueryParams } from '../../src/cdn/signer';
import { createSimulator, type Simulator } from '../../src/simulator';
import { PROJECT_REQUIRED_MESSAGE, URL_TASKS_DISABLED_MESSAGE } from '../../src/simulator/account';
import { api, control, CREDS, expectCdnError, expectGatewayError, send } from '../support/sim-api';

const URL_TASKS = '/v1.0/cdn/contentgateway/url-tasks';
const HISTORY = '/v1.0/cdn/historytasks';
const REFRESH = '/v1.0/cdn/content/refresh-tasks';
const PREHEAT = '/v1.0/cdn/content/preheating-tasks';
const DAY = 86_400_000;
const UNLIMITED = { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 };
const HEX_ID = /^ff8080[0-9a-f]{26}$/;
const DETAIL_URL_FIELDS = ['id', 'url', 'status', 'create_time', 'task_id', 'task_type', 'fail_classify', 'fail_desc'];
const detailPath = (id: string): string => `${HISTORY}/${id}/detail`;

interface Task {
  readonly id: string;
  readonly task_type: string;
  readonly status: string;
  readonly total: number;
  readonly failed: number;
  readonly create_time: number;
  readonly file_type: string;
}

describe('the simulator fidelity modes', () => {
  const clock = Date.UTC(2025, 0, 15, 12, 0, 0);
  let sim: Simulator;
  // The tasks of the last `days` days, newest first, as historytasks lists them (files unless told otherwise).
  const tasksSince = async (days: number, query: QueryParams = {}): Promise<Task[]> =>
    (await api(sim, 'GET', HISTORY, { query: { start_date: clock - days * DAY, page_size: 10000, page_number: 1, ...query } })).json.tasks;

  beforeAll(async () => {
    sim = await createSimulator({ quiet: true, now: () => clock, records: 20_000, rateLimits: UNLIMITED });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    expect((await control(sim, 'POST', '/__sim/reset')).status).toBe(200);
  });

  describe('enterprise projects', () => {
    it('refuses historytasks, detail and the creates without enterprise_project_id, creating nothing', async () => {
      const [task] = await tasksSince(3);
      expect((await control(sim, 'PUT', '/__sim/faults', { enterpriseProjectRequired: true })).json.enterpriseProjectRequired).toBe(true);
      const before = (await api(sim, 'GET', HISTORY, { query: { enterprise_project_id: 'all' } })).json.total;
      const calls: Array<Promise<unknown>> = [];
      for (const query of [{}, { enterprise_project_id: '' }]) {
        calls.push(
          api(sim, 'GET', HISTORY, { query }).then((r) => expectCdnError(r, 400, 'CDN.0001', PROJECT_REQUIRED_MESSAGE)),
          api(sim, 'GET', detailPath(task?.id ?? ''), { query }).then((r) => expectCdnError(r, 400, 'CDN.0001', PROJECT_REQUIRED_MESSAGE)),
          api(sim, 'POST', REFRESH, { query, body: { refresh_task: { urls: ['https://a.example/x.js'] } } }).then((r) => expectCdnError(r, 400, 'CDN.0001', PROJECT_REQUIRED_MESSAGE)),
          api(sim, 'POST', PREHEAT, { query, body: { preheating_task: { urls: ['https://a.example/x.js'] } } }).then((r) => expectCdnError(r, 400, 'CDN.0001', PROJECT_REQUIRED_MESSAGE)),
        );
      }
      await Promise.all(calls);
      expect((await api(sim, 'GET', HISTORY, { query: { enterprise_project_id: 'all' } })).json.total).toBe(before);
    });

    it('accepts any non-empty project, "all" included, and never asks url-tasks for one', async () => {
      await control(sim, 'PUT', '/__sim/faults', { enterpriseProjectRequired: true });
      expect((await api(sim, 'GET', URL_TASKS)).status).toBe(200);
      for (const project of ['all', '0', 'b1c2d3e4-eps']) {
        const query = { enterprise_project_id: project };
        const listed = await api(sim, 'GET', HISTORY, { query });
        expect(listed.json.tasks.length).toBeGreaterThan(0);
        expect((await api(sim, 'GET', detailPath(listed.json.tasks[0].id), { query })).json.id).toBe(listed.json.tasks[0].id);
        expect((await api(sim, 'POST', REFRESH, { query, body: { refresh_task: { urls: [`https://a.example/${project}.js`] } } })).json.refresh_task).toMatch(/^\d+$/);
        expect((await api(sim, 'POST', PREHEAT, { query, body: { preheating_task: { urls: [`https://a.example/${project}.js`] } } })).json.preheating_task).toMatch(/^\d+$/);
      }
      await control(sim, 'DELETE', '/__sim/faults');
      expect((await api(sim, 'GET', HISTORY)).status).toBe(200);
    });

    it('starts in the mode given to createSimulator, and DELETE /__sim/faults comes back to it', async () => {
      const strict = await createSimulator({ quiet: true, now: () => clock, records: 200, enterpriseProjectRequired: true });
      try {
        expectCdnError(await api(strict, 'GET', HISTORY), 400, 'CDN.0001', PROJECT_REQUIRED_MESSAGE);
        await control(strict, 'PUT', '/__sim/faults', { enterpriseProjectRequired: false });
        expect((await api(strict, 'GET', HISTORY)).status).toBe(200);
        expect((await control(strict, 'DELETE', '/__sim/faults')).json.enterpriseProjectRequired).toBe(true);
        expectCdnError(await api(strict, 'GET', HISTORY), 400, 'CDN.0001', PROJECT_REQUIRED_MESSAGE);
      } finally {
        await strict.close();
      }
      await expect(createSimulator({ enterpriseProjectRequired: 'yes' as unknown as boolean })).rejects.toThrow('createSimulator: enterpriseProjectRequired must be true or false, got "yes"');
    });
  });

  describe('url-tasks not enabled', () => {
    it('refuses every url-tasks call with 403 CDN.0004 while the other APIs keep working', async () => {
      expect((await control(sim, 'PUT', '/__sim/faults', { urlTasksDisabled: true })).json.urlTasksDisabled).toBe(true);
      expectCdnError(await api(sim, 'GET', URL_TASKS), 403, 'CDN.0004', URL_TASKS_DISABLED_MESSAGE);
      expectCdnError(await api(sim, 'GET', URL_TASKS, { query: { limit: 1000 } }), 403, 'CDN.0004', URL_TASKS_DISABLED_MESSAGE);
      const [task] = await tasksSince(3);
      expect((await api(sim, 'GET', detailPath(task?.id ?? ''))).json.id).toBe(task?.id);
      expect((await api(sim, 'POST', REFRESH, { body: { refresh_task: { urls: ['https://a.example/on.js'] } } })).json.refresh_task).toMatch(/^\d+$/);
      await control(sim, 'DELETE', '/__sim/faults');
      expect((await api(sim, 'GET', URL_TASKS)).json.result[0].url).toBe('https://a.example/on.js');
    });
  });

  describe('historytasks', () => {
    it('lists files only unless file_type says directory, as the SDK documents the default', async () => {
      const byDefault = await tasksSince(10);
      const files = await tasksSince(10, { file_type: 'file' });
      const directories = await tasksSince(10, { file_type: 'directory' });
      expect(byDefault).toEqual(files);
      expect(byDefault.every((t) => t.file_type === 'file')).toBe(true);
      expect(directories.length).toBeGreaterThan(0);
      expect(directories.every((t) => t.file_type === 'directory')).toBe(true);
    });

    it('shows decimal ids for recent tasks and 32-hex ff8080 ids for older ones', async () => {
      expect((await tasksSince(3)).every((t) => /^\d+$/.test(t.id))).toBe(true);
      const old = (await api(sim, 'GET', HISTORY, { query: { start_date: clock - 14 * DAY, end_date: clock - 13 * DAY, page_size: 10000, page_number: 1 } })).json.tasks as Task[];
      expect(old.length).toBeGreaterThan(0);
      expect(old.every((t) => HEX_ID.test(t.id))).toBe(true);
    });
  });

  describe('task detail', () => {
    it('shows URLs with exactly url_object.py fields, failures classified as the SDK lists', async () => {
      const tasks = await tasksSince(6, { order_field: 'failed', order_type: 'desc' });
      const task = tasks.find((t) => t.failed > 0 && t.failed < t.total && t.total <= 200) as Task;
      expect(task).toBeDefined();
      const urls = (await api(sim, 'GET', detailPath(task.id), { query: { page_size: 10000, page_number: 1 } })).json.urls as Array<Record<string, unknown>>;
      expect(urls).toHaveLength(task.total);
      for (const u of urls) {
        const failed = u.status === 'failed';
        expect(Object.keys(u).sort()).toEqual(DETAIL_URL_FIELDS.filter((f) => failed || !f.startsWith('fail_')).sort());
        expect(u.task_id).toBe(task.id);
        expect(u.id).toMatch(/^\d+$/);
        if (failed) expect(['ORIGIN_ERROR', 'INNER_ERROR', 'UNKNOWN_ERROR']).toContain(u.fail_classify);
      }
    });

    it('finds an older task by its hex id with create_time; its url-tasks records keep an integer task_id', async () => {
      const [old] = (await api(sim, 'GET', HISTORY, { query: { start_date: clock - 13 * DAY, end_date: clock - 12.5 * DAY, page_size: 1, page_number: 1 } })).json.tasks as Task[];
      expect(old?.id).toMatch(HEX_ID);
      const detail = (await api(sim, 'GET', detailPath(old?.id ?? ''), { query: { create_time: old?.create_time ?? 0, page_size: 10000, page_number: 1 } })).json;
      expect(detail.id).toBe(old?.id);
      expect(detail.urls.every((u: { task_id: string }) => u.task_id === old?.id)).toBe(true);
      const records = (await api(sim, 'GET', URL_TASKS, { query: { start_time: old?.create_time ?? 0, end_time: (old?.create_time ?? 0) + 4, limit: 100 } })).json.result;
      const own = records.filter((r: { id: number }) => detail.urls.some((u: { id: string }) => u.id === String(r.id)));
      expect(own).toHaveLength(old?.total ?? -1);
      expect(own.every((r: { task_id: unknown }) => Number.isInteger(r.task_id))).toBe(true);
      // The detail API knows only the id historytasks shows.
      const byNumber = await api(sim, 'GET', detailPath(String(own[0].task_id)), { query: { create_time: old?.create_time ?? 0 } });
      expect(byNumber.json.error.error_code).toBe('CDN.0108');
    });

    it('shows REFRESH_AFTER_PREHEATING on the URLs of a few preheats, which stay preheats in the other APIs', async () => {
      const preheats = await tasksSince(6, { task_type: 'preheating' });
      let found: { task: Task; urls: Array<{ id: string; task_type: string }> } | undefined;
      for (const task of preheats) {
        const urls = (await api(sim, 'GET', detailPath(task.id), { query: { page_size: 10000, page_number: 1 } })).json.urls;
        if (urls.some((u: { task_type: string }) => u.task_type === 'REFRESH_AFTER_PREHEATING')) {
          found = { task, urls };
          break;
        }
        expect(urls.every((u: { task_type: string }) => u.task_type === 'PREHEATING')).toBe(true);
      }
      expect(found).toBeDefined();
      expect(found?.task.task_type).toBe('preheating');
      expect(found?.urls.every((u) => u.task_type === 'REFRESH_AFTER_PREHEATING')).toBe(true);
      const records = (await api(sim, 'GET', URL_TASKS, { query: { start_time: found?.task.create_time ?? 0, end_time: (found?.task.create_time ?? 0) + 4, limit: 100 } })).json.result;
      const own = records.filter((r: { task_id: number }) => String(r.task_id) === found?.task.id);
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((r: { type: string }) => r.type === 'PREHEATING')).toBe(true);
    });
  });

  describe('error shapes', () => {
    it('answers 400s top-level on url-tasks and in the ErrRsp shape on the other APIs', async () => {
      const urlTasks = await api(sim, 'GET', URL_TASKS, { query: { limit: 101 } });
      expect(urlTasks.status).toBe(400);
      expect(urlTasks.json).toEqual({ error_code: 'CDN.0001', error_msg: 'limit must be an integer from 1 to 100, got "101"' });
      expectCdnError(await api(sim, 'GET', HISTORY, { query: { status: 'done' } }), 400, 'CDN.0001', 'status must be one of task_inprocess, task_done, got "done"');
      expectCdnError(await api(sim, 'GET', detailPath('1'), { query: { page_size: 0 } }), 400, 'CDN.0001', 'page_size must be an integer from 1 to 10000, got "0"');
      expectCdnError(await api(sim, 'POST', REFRESH, { body: { refresh_task: { urls: [] } } }), 400, 'CDN.0001');
      expectCdnError(await api(sim, 'POST', PREHEAT, { body: { preheating_task: { urls: ['ftp://a.example/x'] } } }), 400, 'CDN.0001');
    });

    it('keeps the API Gateway shape for authentication, unknown APIs and throttling', async () => {
      expectGatewayError(await api(sim, 'GET', HISTORY, { creds: { ...CREDS, sk: `${CREDS.sk}x` } }), 401, 'APIGW.0301');
      expectGatewayError(await send(sim, 'GET', '/v1.0/cdn/nothing', {}), 404, 'APIGW.0101');
      await control(sim, 'PUT', '/__sim/faults', { errorRate: 1, errorStatus: 429, operations: ['detail'] });
      expectGatewayError(await api(sim, 'GET', detailPath('1')), 429, 'APIGW.0308');
    });
  });

  describe('response reshaping', () => {
    it('drops the listed fields from records and bodies', async () => {
      await control(sim, 'PUT', '/__sim/faults', {
        omitFields: { 'url-tasks': ['mode', 'modify_time', 'count'], historytasks: ['file_type'], detail: ['processing'], 'detail-urls': ['fail_desc', 'create_time'] },
      });
      const records = (await api(sim, 'GET', URL_TASKS, { query: { file_type: 'directory', start_time: clock - DAY, end_time: clock, limit: 100 } })).json;
      expect(records.count).toBeUndefined();
      expect(records.total).toBeGreaterThan(0);
      expect(records.result.length).toBeGreaterThan(0);
      expect(records.result.every((r: object) => !('mode' in r) && !('modify_time' in r) && 'create_time' in r)).toBe(true);
      const tasks = (await api(sim, 'GET', HISTORY)).json.tasks;
      expect(tasks.every((t: object) => !('file_type' in t) && 'total' in t)).toBe(true);
      const withFailures = (await tasksSince(6, { order_field: 'failed', order_type: 'desc' }))[0] as Task;
      const detail = (await api(sim, 'GET', detailPath(withFailures.id))).json;
      expect('processing' in detail).toBe(false);
      expect(detail.succeed).toEqual(expect.any(Number));
      expect(detail.urls.some((u: { status: string }) => u.status === 'failed')).toBe(true);
      expect(detail.urls.every((u: object) => !('fail_desc' in u) && !('create_time' in u) && 'url' in u)).toBe(true);
    });

    it('gives status and type fields values no client has seen, while filters still work on the real ones', async () => {
      await control(sim, 'PUT', '/__sim/faults', { unknownEnumValues: true });
      const records = (await api(sim, 'GET', URL_TASKS, { query: { status: 'SUCCEED', limit: 50 } })).json.result;
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((r: { status: string; type: string; file_type: string }) => r.status === 'QUEUED' && r.type === 'PURGE' && r.file_type !== 'archive')).toBe(true);
      const [task] = (await api(sim, 'GET', HISTORY)).json.tasks;
      expect(task).toMatchObject({ status: 'task_queued', task_type: 'purge', file_type: 'file' });
      const detail = (await api(sim, 'GET', detailPath(task.id))).json;
      expect(detail.urls.every((u: { status: string; task_type: string }) => u.status === 'queued' && u.task_type === 'PURGE')).toBe(true);
      await control(sim, 'PUT', '/__sim/faults', { unknownEnumValues: { historytasks: ['file_type'] } });
      const chosen = (await api(sim, 'GET', HISTORY)).json.tasks[0];
      expect(chosen).toMatchObject({ id: task.id, task_type: expect.stringMatching(/^(refresh|preheating)$/), file_type: 'archive' });
      expect(['task_inprocess', 'task_done']).toContain(chosen.status);
    });

    it('refuses reshaping fields the scope does not have', async () => {
      const reply = await control(sim, 'PUT', '/__sim/faults', { omitFields: { detail: ['mode'] } });
      expect(reply.status).toBe(400);
      expect(reply.json.error).toBe('omitFields.detail must be an array of id, task_type, status, processing, succeed, failed, total, create_time, file_type, urls, got ["mode"]');
    });
  });
});
