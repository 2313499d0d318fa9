/**
 * The CDN API simulator over real loopback HTTP, requests signed by the project's signer:
 * response shapes, ordering, every error shape, authentication, rate limits, task creation
 * and its transitions, quotas, and the control API (stats, reset, insert, patch, faults).
 */
import { HistoryTasksResponseWire, TaskDetailResponseWire, UrlTasksResponseWire, type UrlTaskWire } from '../../src/cdn/wire';
import {
  buildCanonicalRequest,
  buildStringToSign,
  canonicalQuery,
  canonicalUri,
  computeSignature,
  EMPTY_BODY_SHA256,
  formatSdkDate,
  signRequest,
  type QueryParams,
} from '../../src/cdn/signer';
import { createSimulator, DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, type Simulator } from '../../src/simulator';
import { api, control, CREDS, expectCdnError, expectGatewayError, HEX32, send, type Reply } from '../support/sim-api';
import { eventually } from '../support/eventually';

const URL_TASKS = '/v1.0/cdn/contentgateway/url-tasks';
const HISTORY = '/v1.0/cdn/historytasks';
const REFRESH = '/v1.0/cdn/content/refresh-tasks';
const PREHEAT = '/v1.0/cdn/content/preheating-tasks';
const DAY = 86_400_000;
const UNLIMITED = { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 };
const AKSK_FAILURE = 'Incorrect IAM authentication information: verify aksk signature fail';

/** Returns ids in order, for ordering checks. */
function ids(records: ReadonlyArray<{ id: number | string }>): number[] {
  return records.map((r) => Number(r.id));
}

/** Tells whether a list is strictly decreasing. */
function strictlyDecreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v < (values[i - 1] as number));
}

describe('the simulator on a fixed data clock', () => {
  // Noon UTC: the default url-tasks window (today) holds half a day of records.
  let clock = Date.UTC(2025, 0, 15, 12, 0, 0);
  const dayStart = Date.UTC(2025, 0, 15);
  const window24h = (): QueryParams => ({ start_time: clock - DAY, end_time: clock });
  let sim: Simulator;

  beforeAll(async () => {
    sim = await createSimulator({
      quiet: true,
      now: () => clock,
      records: 8_000,
      rateLimits: UNLIMITED,
      transitionMs: 1000,
      tokens: [
        { token: 'good-token', expiresAt: Date.now() + 3_600_000 },
        { token: 'old-token', expiresAt: Date.now() - 1 },
      ],
    });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 15, 12, 0, 0);
    expect((await control(sim, 'POST', '/__sim/reset')).status).toBe(200);
  });

  describe('GET url-tasks', () => {
    it('answers the default window (today, UTC) newest first, count being the page length', async () => {
      const reply = await api(sim, 'GET', URL_TASKS, { query: { limit: 100 } });
      expect(reply.status).toBe(200);
      expect(reply.headers['x-request-id']).toMatch(HEX32);
      const body = UrlTasksResponseWire.parse(reply.json);
      expect(body.total).toBeGreaterThan(100);
      expect(body.count).toBe(100);
      expect(body.result).toHaveLength(100);
      expect(strictlyDecreasing(ids(body.result))).toBe(true);
      for (const r of body.result) {
        expect(r.create_time).toBeGreaterThanOrEqual(dayStart);
        expect(r.create_time).toBeLessThan(dayStart + DAY);
        expect(['PROCESSING', 'SUCCEED', 'FAILED', 'WAITING', 'REFRESHING', 'PREHEATING']).toContain(r.status);
        expect(['REFRESH', 'PREHEATING']).toContain(r.type);
        expect(r.modify_time! % 1000).toBe(0);
        expect(r.modify_time).toBeGreaterThanOrEqual(r.create_time);
      }
      const defaultPage = await api(sim, 'GET', URL_TASKS);
      expect(defaultPage.json.count).toBe(10);
      expect(defaultPage.json.total).toBe(body.total);
    });

    it('pages with offset and limit, and an offset past the end gives an empty page', async () => {
      const whole = (await api(sim, 'GET', URL_TASKS, { query: { ...window24h(), limit: 40 } })).json;
      const first = (await api(sim, 'GET', URL_TASKS, { query: { ...window24h(), limit: 20 } })).json;
      const second = (await api(sim, 'GET', URL_TASKS, { query: { ...window24h(), offset: 20, limit: 20 } })).json;
      expect([...first.result, ...second.result]).toEqual(whole.result);
      expect(second.total).toBe(whole.total);
      const past = (await api(sim, 'GET', URL_TASKS, { query: { ...window24h(), offset: whole.total } })).json;
      expect(past).toEqual({ total: whole.total, count: 0, result: [] });
    });

    it('filters create_time with start inclusive and end exclusive', async () => {
      const record: UrlTaskWire = (await api(sim, 'GET', URL_TASKS, { query: { ...window24h(), offset: 37, limit: 1 } })).json.result[0];
      const at = record.create_time;
      const including = (await api(sim, 'GET', URL_TASKS, { query: { start_time: at, end_time: at + 1, limit: 100 } })).json;
      expect(ids(including.result)).toContain(record.id);
      expect(including.result.every((r: UrlTaskWire) => r.create_time === at)).toBe(true);
      const before = (await api(sim, 'GET', URL_TASKS, { query: { start_time: at - 3_600_000, end_time: at, limit: 100 } })).json;
      expect(ids(before.result)).not.toContain(record.id);
    });

    it('filters by url, task_type, status (either case) and file_type', async () => {
      const sample: UrlTaskWire = (await api(sim, 'GET', URL_TASKS, { query: { ...window24h(), offset: 5, limit: 1 } })).json.result[0];
      const byUrl = (await api(sim, 'GET', URL_TASKS, { query: { ...window24h(), url: sample.url!, limit: 100 } })).json;
      expect(ids(byUrl.result)).toContain(sample.id);
      expect(byUrl.result.every((r: UrlTaskWire) => r.url === sample.url)).toBe(true);

      const all = (await api(sim, 'GET', URL_TASKS, { query: window24h() })).json.total;
      const cases: Array<[QueryParams, (r: UrlTaskWire) => boolean]> = [
        [{ task_type: 'PREHEATING' }, (r) => r.type === 'PREHEATING'],
        [{ status: 'failed' }, (r) => r.status === 'FAILED'],
        [{ status: 'SUCCEED' }, (r) => r.status === 'SUCCEED'],
        [{ file_type: 'directory' }, (r) => r.file_type === 'directory' && (r.mode === 'all' || r.mode === 'detect_modify_refresh')],
      ];
      for (const [filter, holds] of cases) {
        const page = (await api(sim, 'GET', URL_TASKS, { query: { ...window24h(), ...filter, limit: 100 } })).json;
        expect(page.total).toBeGreaterThan(0);
        expect(page.total).toBeLessThan(all);
        expect(page.result.every(holds)).toBe(true);
      }
    });

    it('refuses bad parameters with a top-level CDN.0001 that names the parameter', async () => {
      const cases: Array<[QueryParams, string]> = [
        [{ limit: 101 }, 'limit must be an integer from 1 to 100, got "101"'],
        [{ start_time: clock - 1000 }, 'start_time and end_time must be given together, got start_time only'],
        [{ start_time: clock - DAY - 1, end_time: clock }, 'end_time - start_time must not exceed 24 hours (86400000 ms), got 86400001 ms'],
        [{ status: 'done' }, 'status must be one of PROCESSING, SUCCEED, FAILED, WAITING, REFRESHING, PREHEATING, got "done"'],
      ];
      for (const [query, message] of cases) {
        const reply = await api(sim, 'GET', URL_TASKS, { query });
        expect(reply.status).toBe(400);
        expect(reply.json).toEqual({ error_code: 'CDN.0001', error_msg: message });
        expect(reply.headers['x-request-id']).toMatch(HEX32);
      }
    });
  });

  describe('GET historytasks', () => {
    it('answers tasks newest first with string ids and counts that add up', async () => {
      const reply = await api(sim, 'GET', HISTORY);
      expect(reply.status).toBe(200);
      const body = HistoryTasksResponseWire.parse(reply.json);
      expect(body.tasks).toHaveLength(30);
      expect(body.total).toBeGreaterThan(500);
      const times = body.tasks.map((t) => t.create_time);
      expect(times).toEqual([...times].sort((a, b) => b! - a!));
      for (const t of body.tasks) {
        expect(t.id).toMatch(/^\d+$/);
        expect(t.processing! + t.succeed! + t.failed!).toBe(t.total);
        expect(t.status).toBe(t.processing! > 0 ? 'task_inprocess' : 'task_done');
        expect(['refresh', 'preheating']).toContain(t.task_type);
      }
      // The last hour of the data set is still being worked on.
      expect(body.tasks[0]?.status).toBe('task_inprocess');
    });

    it('orders by another field, pages, and filters by status, type, file type and dates', async () => {
      const byTotal = (await api(sim, 'GET', HISTORY, { query: { order_field: 'total', order_type: 'asc', page_size: 500, page_number: 1 } })).json;
      const totals = byTotal.tasks.map((t: { total: number }) => t.total);
      expect(totals).toEqual([...totals].sort((a, b) => a - b));
      const page2 = (await api(sim, 'GET', HISTORY, { query: { page_size: 10, page_number: 2 } })).json;
      const first20 = (await api(sim, 'GET', HISTORY, { query: { page_size: 20, page_number: 1 } })).json;
      expect(page2.tasks).toEqual(first20.tasks.slice(10));

      const inProcess = (await api(sim, 'GET', HISTORY, { query: { status: 'task_inprocess' } })).json;
      expect(inProcess.total).toBeGreaterThan(0);
      expect(inProcess.tasks.every((t: { processing: number }) => t.processing > 0)).toBe(true);
      const preheats = (await api(sim, 'GET', HISTORY, { query: { task_type: 'preheating', file_type: 'file' } })).json;
      expect(preheats.tasks.every((t: { task_type: string; file_type: string }) => t.task_type === 'preheating' && t.file_type === 'file')).toBe(true);
      const dated = (await api(sim, 'GET', HISTORY, { query: { start_date: clock - 2 * DAY, end_date: clock - DAY, page_size: 10000, page_number: 1 } })).json;
      expect(dated.total).toBeGreaterThan(0);
      expect(dated.tasks).toHaveLength(dated.total);
      expect(dated.tasks.every((t: { create_time: number }) => t.create_time >= clock - 2 * DAY && t.create_time < clock - DAY)).toBe(true);
    });

    it('refuses page_size without page_number and out-of-range pages', async () => {
      // Outside url-tasks, a 400 carries the SDKs' ErrRsp shape.
      expect((await api(sim, 'GET', HISTORY, { query: { page_size: 10 } })).json).toEqual({
        error: { error_code: 'CDN.0001', error_msg: 'page_size and page_number must be given together, got page_size only' },
      });
      const tooBig = await api(sim, 'GET', HISTORY, { query: { page_size: 10001, page_number: 1 } });
      expect(tooBig.status).toBe(400);
      expect(tooBig.json.error.error_msg).toContain('page_size');
    });
  });

  describe('GET historytasks/{id}/detail', () => {
    it('shows a task whose counts agree with its URL records in both APIs', async () => {
      const tasks = (await api(sim, 'GET', HISTORY, { query: { start_date: clock - 3 * DAY, order_field: 'total', order_type: 'desc', page_size: 100, page_number: 1 } })).json.tasks;
      const task = tasks.find((t: { total: number; failed: number }) => t.total <= 100 && t.total >= 5);
      expect(task).toBeDefined();
      const reply = await api(sim, 'GET', `${HISTORY}/${task.id}/detail`, { query: { page_size: 10000, page_number: 1 } });
      const detail = TaskDetailResponseWire.parse(reply.json);
      expect({ ...detail, urls: undefined }).toEqual({ ...task, urls: undefined });
      expect(detail.urls).toHaveLength(task.total);
      const count = (status: string): number => detail.urls!.filter((u) => u.status === status).length;
      expect(count('succeed')).toBe(task.succeed);
      expect(count('failed')).toBe(task.failed);
      for (const u of detail.urls!) {
        expect(u.id).toMatch(/^\d+$/);
        expect(u.task_id).toBe(task.id);
        expect(u.status).toBe(u.status!.toLowerCase());
        // A few preheats show REFRESH_AFTER_PREHEATING, a value only url_object.py has.
        expect(task.task_type === 'preheating' ? ['PREHEATING', 'REFRESH_AFTER_PREHEATING'] : ['REFRESH']).toContain(u.task_type);
        expect(u.fail_classify !== undefined).toBe(u.status === 'failed');
      }
      const records = (await api(sim, 'GET', URL_TASKS, { query: { start_time: task.create_time, end_time: task.create_time + 5, limit: 100 } })).json.result;
      const own = records.filter((r: UrlTaskWire) => String(r.task_id) === task.id);
      expect(own.map((r: UrlTaskWire) => String(r.id)).sort()).toEqual(detail.urls!.map((u) => u.id).sort());
      expect(own.map((r: UrlTaskWire) => r.status!.toLowerCase()).sort()).toEqual(detail.urls!.map((u) => u.status).sort());
    });

    it('pages and filters the URLs of a task', async () => {
      const [task] = (await api(sim, 'GET', HISTORY, { query: { start_date: clock - 3 * DAY, order_field: 'total', order_type: 'desc', page_size: 1, page_number: 1 } })).json.tasks;
      const all = (await api(sim, 'GET', `${HISTORY}/${task.id}/detail`, { query: { page_size: 10000, page_number: 1 } })).json.urls;
      const page = (await api(sim, 'GET', `${HISTORY}/${task.id}/detail`, { query: { page_size: 3, page_number: 2 } })).json.urls;
      expect(page).toEqual(all.slice(3, 6));
      const succeeded = (await api(sim, 'GET', `${HISTORY}/${task.id}/detail`, { query: { status: 'SUCCEED', page_size: 10000, page_number: 1 } })).json.urls;
      expect(succeeded.length).toBe(task.succeed);
      const byUrl = (await api(sim, 'GET', `${HISTORY}/${task.id}/detail`, { query: { url: all[4].url } })).json.urls;
      expect(byUrl.map((u: { id: string }) => u.id)).toContain(all[4].id);
    });

    it('answers an unknown task with HTTP 200 holding CDN.0108', async () => {
      const reply = await api(sim, 'GET', `${HISTORY}/123/detail`);
      expect(reply.status).toBe(200);
      expect(Object.keys(reply.json)).toEqual(['error']);
      expect(reply.json.error.error_code).toBe('CDN.0108');
      expect(reply.json.error.error_msg).toContain('123');
    });

    it('searches 7 days back without create_time and 15 days back with it', async () => {
      const around = async (daysAgo: number): Promise<{ id: string; create_time: number }> =>
        (await api(sim, 'GET', HISTORY, { query: { start_date: clock - daysAgo * DAY, end_date: clock - daysAgo * DAY + 6 * 3_600_000, page_size: 1, page_number: 1 } })).json.tasks[0];
      const tenDays = await around(10);
      expect((await api(sim, 'GET', `${HISTORY}/${tenDays.id}/detail`)).json.error.error_code).toBe('CDN.0108');
      const found = await api(sim, 'GET', `${HISTORY}/${tenDays.id}/detail`, { query: { create_time: tenDays.create_time } });
      expect(found.json.id).toBe(tenDays.id);
      const twentyDays = await around(20);
      expect((await api(sim, 'GET', `${HISTORY}/${twentyDays.id}/detail`, { query: { create_time: twentyDays.create_time } })).json.error.error_code).toBe('CDN.0108');
      const sixDays = await around(6);
      expect((await api(sim, 'GET', `${HISTORY}/${sixDays.id}/detail`)).json.id).toBe(sixDays.id);
    });
  });

  describe('authentication', () => {
    it('refuses a wrong SK, an unknown AK and a missing signature with 401 APIGW.0301', async () => {
      expectGatewayError(await api(sim, 'GET', URL_TASKS, { creds: { ...CREDS, sk: `${DEFAULT_SIMULATOR_SK.slice(1)}x` } }), 401, 'APIGW.0301', AKSK_FAILURE);
      expectGatewayError(await api(sim, 'GET', URL_TASKS, { creds: { ...CREDS, ak: 'UNKNOWNAK00000000000' } }), 401, 'APIGW.0301', AKSK_FAILURE);
      expectGatewayError(await send(sim, 'GET', URL_TASKS, {}), 401, 'APIGW.0301', AKSK_FAILURE);
    });

    it('refuses a request whose query differs from the signed one', async () => {
      const host = new URL(sim.url).host;
      const signed = signRequest({ method: 'GET', host, path: URL_TASKS, query: { limit: 1 } }, CREDS);
      expect((await send(sim, 'GET', signed.pathAndQuery, signed.headers)).status).toBe(200);
      expectGatewayError(await send(sim, 'GET', `${URL_TASKS}?limit=2`, signed.headers), 401, 'APIGW.0301');
    });

    it('refuses a correct signature that leaves x-sdk-date unsigned', async () => {
      const host = new URL(sim.url).host;
      const sdkDate = formatSdkDate(new Date());
      const { canonicalRequest } = buildCanonicalRequest({ method: 'GET', uri: canonicalUri(URL_TASKS), query: '', headers: { host }, bodyHash: EMPTY_BODY_SHA256 });
      const signature = computeSignature(DEFAULT_SIMULATOR_SK, buildStringToSign(sdkDate, canonicalRequest));
      const headers = { host, 'x-sdk-date': sdkDate, authorization: `SDK-HMAC-SHA256 Access=${DEFAULT_SIMULATOR_AK}, SignedHeaders=host, Signature=${signature}` };
      expectGatewayError(await send(sim, 'GET', URL_TASKS, headers), 401, 'APIGW.0301', AKSK_FAILURE);
    });

    it('accepts 14 minutes of clock skew and refuses 16', async () => {
      expect((await api(sim, 'GET', URL_TASKS, { date: new Date(Date.now() - 14 * 60_000) })).status).toBe(200);
      expectGatewayError(await api(sim, 'GET', URL_TASKS, { date: new Date(Date.now() - 16 * 60_000) }), 401, 'APIGW.0301', AKSK_FAILURE);
      expectGatewayError(await api(sim, 'GET', URL_TASKS, { date: new Date(Date.now() + 16 * 60_000) }), 401, 'APIGW.0301');
    });

    it('accepts a known X-Auth-Token, refuses an unknown one with APIGW.0301 and an expired one with APIGW.0307', async () => {
      const ok = await api(sim, 'GET', URL_TASKS, { token: 'good-token', query: { limit: 2 } });
      expect(ok.status).toBe(200);
      expect(ok.json.count).toBe(2);
      expectGatewayError(await api(sim, 'GET', URL_TASKS, { token: 'forged' }), 401, 'APIGW.0301');
      expectGatewayError(await api(sim, 'GET', URL_TASKS, { token: 'old-token' }), 401, 'APIGW.0307');
    });
  });

  describe('unknown APIs', () => {
    it('answers 404 APIGW.0101 in the gateway shape, before authentication', async () => {
      expectGatewayError(await send(sim, 'GET', '/v1.0/cdn/nothing', {}), 404, 'APIGW.0101');
      expectGatewayError(await api(sim, 'POST', URL_TASKS, { body: {} }), 404, 'APIGW.0101');
    });
  });

  describe('the control API', () => {
    it('counts every API request by method and path template, accepted or not', async () => {
      await api(sim, 'GET', URL_TASKS);
      await api(sim, 'GET', URL_TASKS, { token: 'forged' });
      await api(sim, 'GET', URL_TASKS, { query: { limit: 0 } });
      await api(sim, 'GET', `${HISTORY}/1/detail`);
      await api(sim, 'GET', `${HISTORY}/2/detail`);
      await send(sim, 'GET', '/v2/else', {});
      const stats = (await control(sim, 'GET', '/__sim/stats')).json;
      expect(stats).toEqual({
        requests: {
          'GET /v1.0/cdn/contentgateway/url-tasks': 3,
          'GET /v1.0/cdn/historytasks': 0,
          'GET /v1.0/cdn/historytasks/{id}/detail': 2,
          'POST /v1.0/cdn/content/refresh-tasks': 0,
          'POST /v1.0/cdn/content/preheating-tasks': 0,
          'GET *': 1,
        },
        throttled: 0,
        peakPerSecond: { 'url-tasks': 2, historytasks: 0, detail: 2, refresh: 0, preheat: 0 },
      });
      await control(sim, 'POST', '/__sim/reset');
      expect((await control(sim, 'GET', '/__sim/stats')).json.requests['GET /v1.0/cdn/contentgateway/url-tasks']).toBe(0);
    });

    it('resets to the same data for the same seed and other data for another seed', async () => {
      const end = Date.UTC(2024, 5, 1);
      const snapshot = async (): Promise<unknown> => [
        (await api(sim, 'GET', URL_TASKS, { query: { start_time: end - DAY, end_time: end, limit: 100, offset: 50 } })).json,
        (await api(sim, 'GET', HISTORY, { query: { page_size: 50, page_number: 3 } })).json,
      ];
      const first = (await control(sim, 'POST', '/__sim/reset', { seed: 7, records: 5000, now: end })).json;
      expect(first.records).toBe(5000);
      expect(first.tasks).toBeGreaterThan(100);
      const a = await snapshot();
      await control(sim, 'POST', '/__sim/reset', { seed: 7, records: 5000, now: end });
      expect(await snapshot()).toEqual(a);
      await control(sim, 'POST', '/__sim/reset', { seed: 8, records: 5000, now: end });
      expect(await snapshot()).not.toEqual(a);
      expect((await control(sim, 'POST', '/__sim/reset', { records: -1 })).json).toEqual({ error: 'records must be an integer from 0 to 2000000, got -1' });
    });

    it('inserts the newest records as one task, visible in all three read APIs', async () => {
      const top = (await api(sim, 'GET', URL_TASKS, { query: { limit: 1 } })).json.result[0];
      const inserted = (await control(sim, 'POST', '/__sim/url-tasks', { count: 3, type: 'preheating', status: 'failed' })).json.result;
      expect(inserted).toHaveLength(3);
      expect(strictlyDecreasing(ids(inserted))).toBe(true);
      expect(inserted[2].id).toBeGreaterThan(top.id);
      expect(new Set(inserted.map((r: UrlTaskWire) => r.task_id)).size).toBe(1);
      expect(inserted.every((r: UrlTaskWire) => r.status === 'FAILED' && r.type === 'PREHEATING' && r.create_time === clock)).toBe(true);
      const page = (await api(sim, 'GET', URL_TASKS, { query: { limit: 3 } })).json.result;
      expect(page).toEqual(inserted);
      const taskId = String(inserted[0].task_id);
      const [task] = (await api(sim, 'GET', HISTORY, { query: { page_size: 1, page_number: 1 } })).json.tasks;
      expect(task).toMatchObject({ id: taskId, task_type: 'preheating', status: 'task_done', failed: 3, total: 3 });
      expect((await api(sim, 'GET', `${HISTORY}/${taskId}/detail`)).json.urls.map((u: { status: string }) => u.status)).toEqual(['failed', 'failed', 'failed']);
    });

    it('inserts into the past: the records land in that window with the highest ids', async () => {
      const at = clock - 30 * 3_600_000;
      const inserted = (await control(sim, 'POST', '/__sim/url-tasks', { count: 2, createTime: at, fileType: 'directory' })).json.result;
      const page = (await api(sim, 'GET', URL_TASKS, { query: { start_time: at - 3_600_000, end_time: at + 3_600_000, limit: 2 } })).json.result;
      expect(page).toEqual(inserted);
      expect(inserted.every((r: UrlTaskWire) => r.file_type === 'directory' && r.mode === 'all' && r.url!.endsWith('/'))).toBe(true);
    });

    it('patches a record: status and modify_time change, the task counts follow, unknown ids are 404', async () => {
      const [record] = (await control(sim, 'POST', '/__sim/url-tasks', { count: 1, status: 'processing' })).json.result;
      clock += 5500;
      const patched = await control(sim, 'PATCH', `/__sim/url-tasks/${record.id}`, { status: 'Succeed' });
      expect(patched.status).toBe(200);
      expect(patched.json).toEqual({ ...record, status: 'SUCCEED', modify_time: Math.ceil(clock / 1000) * 1000 });
      expect((await api(sim, 'GET', URL_TASKS, { query: { limit: 1 } })).json.result[0]).toEqual(patched.json);
      const [task] = (await api(sim, 'GET', HISTORY, { query: { page_size: 1, page_number: 1 } })).json.tasks;
      expect(task).toMatchObject({ id: String(record.task_id), status: 'task_done', succeed: 1, processing: 0 });
      expect((await control(sim, 'PATCH', '/__sim/url-tasks/1', { status: 'failed' })).status).toBe(404);
      expect((await control(sim, 'PATCH', `/__sim/url-tasks/${record.id}`, { status: 'done' })).status).toBe(400);
    });

    it('answers unknown control routes with 404 and bad JSON with 400', async () => {
      expect((await control(sim, 'GET', '/__sim/nothing')).json).toEqual({ error: 'no control route GET /__sim/nothing' });
      expect((await send(sim, 'POST', '/__sim/url-tasks', {}, '{')).status).toBe(400);
    });
  });

  describe('record status over time', () => {
    it('moves created records from WAITING through PROCESSING to their final status as the clock advances', async () => {
      const created = await api(sim, 'POST', REFRESH, { body: { refresh_task: { urls: ['https://a.example/ok.jpg'] } } });
      const taskId = created.json.refresh_task;
      const statusNow = async (): Promise<string> => (await api(sim, 'GET', `${HISTORY}/${taskId}/detail`)).json.urls[0].status;
      expect(await statusNow()).toBe('waiting');
      clock += 500;
      expect(await statusNow()).toBe('processing');
      clock += 500;
      expect(await statusNow()).toBe('succeed');
    });
  });
});

describe('the simulator on the real clock', () => {
  let sim: Simulator;
  // The data clock runs `skewMs` ahead of the real one, and the rate-limit windows are measured on `rateMs`: tests move them instead of waiting.
  let skewMs = 0;
  let rateMs = 0;
  const TRANSITION_MS = 60_000;

  beforeAll(async () => {
    sim = await createSimulator({ quiet: true, records: 2000, transitionMs: TRANSITION_MS, now: () => Date.now() + skewMs, rateLimitClock: () => rateMs });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    skewMs = 0;
    await control(sim, 'POST', '/__sim/reset');
  });

  describe('rate limits', () => {
    it('answers the 6th url-tasks call within a second with 429 APIGW.0308, no Retry-After, and counts it', async () => {
      const replies = await Promise.all(Array.from({ length: 6 }, () => api(sim, 'GET', URL_TASKS)));
      const throttled = replies.filter((r) => r.status === 429);
      expect(replies.filter((r) => r.status === 200)).toHaveLength(5);
      expect(throttled).toHaveLength(1);
      expectGatewayError(throttled[0] as Reply, 429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second');
      expect(throttled[0]?.headers['retry-after']).toBeUndefined();
      const stats = (await control(sim, 'GET', '/__sim/stats')).json;
      expect(stats.throttled).toBe(1);
      expect(stats.peakPerSecond['url-tasks']).toBe(5);
      expect(stats.requests['GET /v1.0/cdn/contentgateway/url-tasks']).toBe(6);
    });

    it('keeps a window per tenant and per operation, and frees it after a second', async () => {
      await Promise.all(Array.from({ length: 5 }, () => api(sim, 'GET', URL_TASKS)));
      expect((await api(sim, 'GET', URL_TASKS)).status).toBe(429);
      expect((await api(sim, 'GET', HISTORY)).status).toBe(200);
      rateMs += 999;
      expect((await api(sim, 'GET', URL_TASKS)).status).toBe(429);
      rateMs += 1;
      expect((await api(sim, 'GET', URL_TASKS)).status).toBe(200);
    });

    it('follows rate limits and Retry-After from the fault configuration', async () => {
      await control(sim, 'PUT', '/__sim/faults', { rateLimits: { 'url-tasks': 2 }, retryAfterSeconds: 3 });
      const replies = await Promise.all(Array.from({ length: 3 }, () => api(sim, 'GET', URL_TASKS)));
      const throttled = replies.find((r) => r.status === 429) as Reply;
      expect(throttled.json.error_msg).toBe('The throttling threshold has been reached: policy user over ratelimit,limit:2,time:1 second');
      expect(throttled.headers['retry-after']).toBe('3');
      await control(sim, 'PUT', '/__sim/faults', { rateLimits: { 'url-tasks': 0 } });
      const unlimited = await Promise.all(Array.from({ length: 12 }, () => api(sim, 'GET', URL_TASKS)));
      expect(unlimited.every((r) => r.status === 200)).toBe(true);
      expect((await control(sim, 'GET', '/__sim/stats')).json.peakPerSecond['url-tasks']).toBeGreaterThanOrEqual(12);
    });
  });

  describe('creating tasks', () => {
    it('creates a refresh task whose records show in all read APIs and settle after transitionMs', async () => {
      const urls = ['https://a.example/one.jpg', 'https://a.example/fail/two.jpg'];
      // An explicit window around the creation: the default one is the simulator's current day, which midnight can move.
      const at = Date.now() + skewMs;
      const around = { start_time: at - 3_600_000, end_time: at + 3_600_000, limit: 2 };
      const created = await api(sim, 'POST', REFRESH, { body: { refresh_task: { type: 'file', urls } } });
      expect(created.status).toBe(200);
      const taskId = created.json.refresh_task;
      expect(Object.keys(created.json)).toEqual(['refresh_task']);
      expect(taskId).toMatch(/^\d+$/);

      const records = (await api(sim, 'GET', URL_TASKS, { query: around })).json.result;
      expect(records.map((r: UrlTaskWire) => r.url)).toEqual([...urls].reverse());
      expect(records.every((r: UrlTaskWire) => String(r.task_id) === taskId && r.status === 'WAITING' && r.type === 'REFRESH' && r.file_type === 'file')).toBe(true);
      const [task] = (await api(sim, 'GET', HISTORY, { query: { page_size: 1, page_number: 1 } })).json.tasks;
      expect(task).toMatchObject({ id: taskId, task_type: 'refresh', status: 'task_inprocess', processing: 2, total: 2, file_type: 'file' });

      skewMs += TRANSITION_MS / 2;
      expect((await api(sim, 'GET', `${HISTORY}/${taskId}/detail`)).json).toMatchObject({ status: 'task_inprocess', processing: 2 });
      skewMs += TRANSITION_MS / 2;
      const detail = (await api(sim, 'GET', `${HISTORY}/${taskId}/detail`)).json;
      expect(detail).toMatchObject({ id: taskId, status: 'task_done', processing: 0, succeed: 1, failed: 1, total: 2 });
      const failed = detail.urls.find((u: { status: string }) => u.status === 'failed');
      expect(failed.url).toBe(urls[1]);
      expect(failed.fail_classify).toEqual(expect.any(String));
      expect(failed.fail_desc).toEqual(expect.any(String));
      const settled = (await api(sim, 'GET', URL_TASKS, { query: around })).json.result;
      expect(settled.map((r: UrlTaskWire) => r.status)).toEqual(['FAILED', 'SUCCEED']);
    });

    it('creates preheat tasks and directory refreshes with their mode', async () => {
      const preheat = await api(sim, 'POST', PREHEAT, { body: { preheating_task: { zh_url_encode: false, urls: ['http://a.example/p.mp4'] } } });
      expect(Object.keys(preheat.json)).toEqual(['preheating_task']);
      const directory = await api(sim, 'POST', REFRESH, { body: { refresh_task: { type: 'directory', mode: 'detect_modify_refresh', urls: ['https://a.example/d/'] } } });
      const [dir, pre] = (await api(sim, 'GET', URL_TASKS, { query: { limit: 2 } })).json.result;
      expect(pre).toMatchObject({ task_id: Number(preheat.json.preheating_task), type: 'PREHEATING', file_type: 'file' });
      expect(pre.mode).toBeUndefined();
      expect(dir).toMatchObject({ task_id: Number(directory.json.refresh_task), type: 'REFRESH', file_type: 'directory', mode: 'detect_modify_refresh' });
    });

    it('refuses bad bodies with 400 CDN.0001 and creates nothing', async () => {
      await control(sim, 'PUT', '/__sim/faults', { rateLimits: { refresh: 0, preheat: 0 } });
      const before = (await api(sim, 'GET', HISTORY)).json.total;
      const bodies: Array<[string, unknown]> = [
        [REFRESH, '{not json'],
        [REFRESH, { refresh_task: { urls: [] } }],
        [REFRESH, { refresh_task: { urls: ['ftp://a.example/x'] } }],
        [REFRESH, { refresh_task: { type: 'directory', urls: Array.from({ length: 101 }, (_, i) => `https://a.example/${i}/`) } }],
        [PREHEAT, { preheating_task: { urls: Array.from({ length: 1001 }, (_, i) => `https://a.example/${i}`) } }],
      ];
      for (const [path, body] of bodies) {
        const reply = await api(sim, 'POST', path, { body });
        expectCdnError(reply, 400, 'CDN.0001');
      }
      expect((await api(sim, 'GET', HISTORY)).json.total).toBe(before);
    });
  });

  describe('daily quotas', () => {
    it('answers HTTP 200 CDN.0110 once a day quota would be exceeded', async () => {
      await control(sim, 'PUT', '/__sim/faults', { rateLimits: { refresh: 0, preheat: 0 } });
      const files = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `https://q.example/${prefix}${i}.js`);
      expect((await api(sim, 'POST', REFRESH, { body: { refresh_task: { urls: files(1000, 'a') } } })).json.refresh_task).toBeDefined();
      expect((await api(sim, 'POST', REFRESH, { body: { refresh_task: { urls: files(1000, 'b') } } })).json.refresh_task).toBeDefined();
      const over = await api(sim, 'POST', REFRESH, { body: { refresh_task: { urls: files(1, 'c') } } });
      expect(over.status).toBe(200);
      expect(over.json.error.error_code).toBe('CDN.0110');
      expect(over.json.error.error_msg).toContain('2000');

      const dirs = Array.from({ length: 100 }, (_, i) => `https://q.example/d${i}/`);
      expect((await api(sim, 'POST', REFRESH, { body: { refresh_task: { type: 'directory', urls: dirs } } })).json.refresh_task).toBeDefined();
      expect((await api(sim, 'POST', REFRESH, { body: { refresh_task: { type: 'directory', urls: ['https://q.example/x/'] } } })).json.error.error_code).toBe('CDN.0110');

      expect((await api(sim, 'POST', PREHEAT, { body: { preheating_task: { urls: files(1000, 'p') } } })).json.preheating_task).toBeDefined();
      expect((await api(sim, 'POST', PREHEAT, { body: { preheating_task: { urls: files(1, 'q') } } })).json.error.error_code).toBe('CDN.0110');
    });
  });

  describe('faults', () => {
    it('injects HTTP errors in the shape of their layer, only on the listed operations', async () => {
      await control(sim, 'PUT', '/__sim/faults', { errorRate: 1, errorStatus: 503, operations: ['detail'] });
      expect((await api(sim, 'GET', URL_TASKS)).status).toBe(200);
      expectGatewayError(await api(sim, 'GET', `${HISTORY}/1/detail`), 503, 'APIGW.0201');
      await control(sim, 'PUT', '/__sim/faults', { errorRate: 1 });
      // A CDN service code comes in the ErrRsp shape, without request_id.
      expectCdnError(await api(sim, 'GET', URL_TASKS), 500, 'CDN.0000', 'Internal server error.');
      await control(sim, 'PUT', '/__sim/faults', { errorRate: 1, errorStatus: 429, retryAfterSeconds: 1 });
      const throttled = await api(sim, 'GET', HISTORY);
      expectGatewayError(throttled, 429, 'APIGW.0308');
      expect(throttled.headers['retry-after']).toBe('1');
    });

    it('injects business errors inside a 200 body', async () => {
      await control(sim, 'PUT', '/__sim/faults', { businessErrorRate: 1 });
      const reply = await api(sim, 'GET', URL_TASKS);
      expect(reply.status).toBe(200);
      expect(reply.json.error.error_code).toBe('CDN.0005');
      await control(sim, 'PUT', '/__sim/faults', { businessErrorRate: 1, businessErrorCode: 'CDN.0114' });
      expect((await api(sim, 'GET', HISTORY)).json.error.error_code).toBe('CDN.0114');
    });

    it('sends any error_code and error_msg it is given, in the shape of the status', async () => {
      await control(sim, 'PUT', '/__sim/faults', { errorRate: 1, errorStatus: 500, errorCode: '<b>odd</b>', errorMessage: 'Odd.' });
      expectCdnError(await api(sim, 'GET', URL_TASKS), 500, '<b>odd</b>', 'Odd.');
      await control(sim, 'PUT', '/__sim/faults', { errorRate: 1, errorStatus: 429, errorCode: 'x\u202ey' });
      expectGatewayError(await api(sim, 'GET', URL_TASKS), 429, 'x\u202ey');
      await control(sim, 'PUT', '/__sim/faults', { businessErrorRate: 1, businessErrorCode: 'not a code', errorMessage: 'Refused.' });
      expect((await api(sim, 'GET', HISTORY)).json.error).toEqual({ error_code: 'not a code', error_msg: 'Refused.' });
    });

    it('answers truncated JSON with a malformed fault', async () => {
      await control(sim, 'PUT', '/__sim/faults', { malformedRate: 1 });
      const reply = await api(sim, 'GET', URL_TASKS);
      expect(reply.status).toBe(200);
      expect(reply.text.startsWith('{"total":')).toBe(true);
      expect(() => JSON.parse(reply.text)).toThrow();
    });

    it('destroys the socket with a reset fault and delays answers with latency', async () => {
      await control(sim, 'PUT', '/__sim/faults', { resetRate: 1 });
      await expect(api(sim, 'GET', URL_TASKS)).rejects.toThrow();
      // An answer delayed by a minute is not there when a client gives up after a fifth of a second; a short delay still ends in the answer.
      await control(sim, 'PUT', '/__sim/faults', { latencyMs: 60_000 });
      await expect(api(sim, 'GET', URL_TASKS, { timeoutMs: 200 })).rejects.toThrow(/aborted|timeout/i);
      await control(sim, 'PUT', '/__sim/faults', { latencyMs: 50 });
      expect((await api(sim, 'GET', URL_TASKS)).status).toBe(200);
    });

    it('holds the socket with a timeout fault until the client gives up', async () => {
      await control(sim, 'PUT', '/__sim/faults', { timeoutRate: 1, operations: ['historytasks'] });
      await expect(api(sim, 'GET', HISTORY, { timeoutMs: 300 })).rejects.toThrow(/aborted|timeout/i);
      expect((await api(sim, 'GET', URL_TASKS)).status).toBe(200);
    });

    it('repeats the same fault sequence after each PUT, and a PUT replaces the whole configuration', async () => {
      const sequence = async (): Promise<number[]> => {
        await control(sim, 'PUT', '/__sim/faults', { errorRate: 0.5, rateLimits: { historytasks: 0 } });
        const statuses: number[] = [];
        for (let i = 0; i < 16; i++) statuses.push((await api(sim, 'GET', HISTORY)).status);
        return statuses;
      };
      const first = await sequence();
      expect(first).toContain(200);
      expect(first).toContain(500);
      expect(await sequence()).toEqual(first);
      const replaced = (await control(sim, 'PUT', '/__sim/faults', { latencyMs: 0 })).json;
      expect(replaced.errorRate).toBe(0);
      expect(replaced.rateLimits.historytasks).toBe(10);
    });

    it('reads, validates and deletes the configuration', async () => {
      const put = await control(sim, 'PUT', '/__sim/faults', { errorRate: 0.25, operations: ['url-tasks'] });
      expect((await control(sim, 'GET', '/__sim/faults')).json).toEqual(put.json);
      expect(put.json).toMatchObject({ errorRate: 0.25, operations: ['url-tasks'], rateLimits: { 'url-tasks': 5, detail: 30 } });
      expect((await control(sim, 'PUT', '/__sim/faults', { errorRate: 'high' })).json).toEqual({ error: 'errorRate must be a number from 0 to 1, got "high"' });
      const deleted = (await control(sim, 'DELETE', '/__sim/faults')).json;
      expect(deleted).toEqual({
        latencyMs: 0,
        errorRate: 0,
        errorStatus: 500,
        timeoutRate: 0,
        resetRate: 0,
        malformedRate: 0,
        businessErrorRate: 0,
        businessErrorCode: 'CDN.0005',
        rateLimits: { 'url-tasks': 5, historytasks: 10, detail: 30, refresh: 5, preheat: 5 },
        enterpriseProjectRequired: false,
        urlTasksDisabled: false,
        omitFields: {},
        unknownEnumValues: false,
      });
    });
  });
});

describe('temporary credentials and closing', () => {
  it('requires the signed X-Security-Token when one is configured', async () => {
    const sim = await createSimulator({ quiet: true, records: 100, securityToken: 'sts-token' });
    try {
      expect((await api(sim, 'GET', URL_TASKS, { creds: { ...CREDS, securityToken: 'sts-token' } })).status).toBe(200);
      expectGatewayError(await api(sim, 'GET', URL_TASKS), 401, 'APIGW.0301');
      expectGatewayError(await api(sim, 'GET', URL_TASKS, { creds: { ...CREDS, securityToken: 'other' } }), 401, 'APIGW.0301');
    } finally {
      await sim.close();
    }
  });

  it('closes with a hung request in flight, ending it', async () => {
    const sim = await createSimulator({ quiet: true, records: 100 });
    await control(sim, 'PUT', '/__sim/faults', { timeoutRate: 1 });
    const hung = api(sim, 'GET', URL_TASKS).catch((error: unknown) => error);
    // The call has arrived (and is being held) once the stats count it.
    await eventually(async () => expect((await control(sim, 'GET', '/__sim/stats')).json.requests['GET /v1.0/cdn/contentgateway/url-tasks']).toBe(1));
    // A server that waited for the held socket would never close: the test would time out here.
    await sim.close();
    expect(await hung).toBeInstanceOf(Error);
  });
});
