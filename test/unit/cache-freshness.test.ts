/** The cache's tiered freshness policy (src/cdn/freshness.ts): which answers may be served for how long. */
import { freshnessTier, freshnessTtl, LIVE_MARGIN_MS, rangeEnd, type FreshnessPolicy, type FreshnessRequest } from '../../src/cdn/freshness';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const POLICY: FreshnessPolicy = { liveTtlMs: 2000, settledTtlMs: 600_000 };

const urlTasks = (end: number | undefined, extra: Record<string, string | number> = {}): FreshnessRequest => ({
  operation: 'url-tasks',
  query: { ...(end === undefined ? {} : { start_time: end - DAY, end_time: end }), offset: 0, limit: 1, ...extra },
});
const records = (...statuses: string[]) => ({ total: statuses.length, count: statuses.length, result: statuses.map((status, id) => ({ id, status, task_id: '1', create_time: 1 })) });
const history = (end: number | undefined, extra: Record<string, string | number> = {}): FreshnessRequest => ({
  operation: 'historytasks',
  query: { page_size: 10, page_number: 1, file_type: 'file', ...(end === undefined ? {} : { end_date: end }), ...extra },
});
const tasks = (...statuses: string[]) => ({ total: statuses.length, tasks: statuses.map((status, i) => ({ id: String(i), status })) });
const detail: FreshnessRequest = { operation: 'detail', query: { page_size: 100, page_number: 1 } };

describe('freshnessTier', () => {
  test('a url-tasks range reaching into the last five minutes, or naming no end, is live whatever its records', () => {
    expect(freshnessTier(urlTasks(NOW), records('SUCCEED'), NOW)).toBe('live');
    expect(freshnessTier(urlTasks(NOW - LIVE_MARGIN_MS + 1), records('SUCCEED'), NOW)).toBe('live');
    expect(freshnessTier(urlTasks(undefined), records('SUCCEED'), NOW)).toBe('live');
    expect(freshnessTier(urlTasks(NOW - MINUTE), records('SUCCEED'), NOW, 30_000)).toBe('settled');
  });

  test('a past url-tasks range without a status filter whose records are all terminal is settled (either casing, none listed)', () => {
    expect(freshnessTier(urlTasks(NOW - LIVE_MARGIN_MS), records('SUCCEED', 'FAILED'), NOW)).toBe('settled');
    expect(freshnessTier(urlTasks(NOW - DAY), records('succeed', 'failed'), NOW)).toBe('settled');
    expect(freshnessTier(urlTasks(NOW - DAY), records(), NOW)).toBe('settled');
  });

  test('a past url-tasks range is only past with an unfinished or unknown record, or with a status filter (records move into and out of it)', () => {
    for (const status of ['PROCESSING', 'WAITING', 'REFRESHING', 'PREHEATING', 'DONE_SOMEHOW']) {
      expect(freshnessTier(urlTasks(NOW - DAY), records('SUCCEED', status), NOW)).toBe('past');
    }
    expect(freshnessTier(urlTasks(NOW - DAY, { status: 'failed' }), records('FAILED'), NOW)).toBe('past');
    expect(freshnessTier(urlTasks(NOW - DAY), { total: 1, result: [{ id: 1 }] }, NOW)).toBe('past');
    expect(freshnessTier(urlTasks(NOW - DAY), { total: 1 }, NOW)).toBe('past');
  });

  test('other filters do not matter: url, task type and file type never change', () => {
    expect(freshnessTier(urlTasks(NOW - DAY, { url: 'https://a.example.com/x', task_type: 'REFRESH', file_type: 'file' }), records('FAILED'), NOW)).toBe('settled');
  });

  test('historytasks: settled when past, unfiltered by status, ordered by something fixed and every task done', () => {
    expect(freshnessTier(history(NOW - DAY), tasks('task_done', 'task_done'), NOW)).toBe('settled');
    expect(freshnessTier(history(NOW - DAY, { order_field: 'create_time', order_type: 'asc' }), tasks('task_done'), NOW)).toBe('settled');
    expect(freshnessTier(history(NOW - DAY), tasks('task_done', 'task_inprocess'), NOW)).toBe('past');
    expect(freshnessTier(history(NOW - DAY, { status: 'task_done' }), tasks('task_done'), NOW)).toBe('past');
    expect(freshnessTier(history(NOW - DAY, { order_field: 'failed' }), tasks('task_done'), NOW)).toBe('past');
    expect(freshnessTier(history(NOW), tasks('task_done'), NOW)).toBe('live');
    expect(freshnessTier(history(undefined), tasks('task_done'), NOW)).toBe('live');
  });

  test('a task detail is settled once the task is done, live before', () => {
    expect(freshnessTier(detail, { id: '1', status: 'task_done', urls: [{ id: 1, status: 'succeed' }, { id: 2, status: 'failed' }] }, NOW)).toBe('settled');
    expect(freshnessTier(detail, { id: '1', status: 'task_done' }, NOW)).toBe('settled');
    expect(freshnessTier(detail, { id: '1', status: 'task_inprocess', urls: [{ id: 1, status: 'succeed' }] }, NOW)).toBe('live');
    expect(freshnessTier(detail, { id: '1', status: 'task_done', urls: [{ id: 1, status: 'processing' }] }, NOW)).toBe('live');
  });

  test('creates are never anything but live', () => {
    expect(freshnessTier({ operation: 'refresh' }, { refresh_task: '1' }, NOW)).toBe('live');
  });
});

describe('freshnessTtl', () => {
  test('live answers get CACHE_TTL_MS, settled ones CACHE_SETTLED_TTL_MS', () => {
    expect(freshnessTtl(POLICY, urlTasks(NOW), records('SUCCEED'), NOW)).toBe(2000);
    expect(freshnessTtl(POLICY, urlTasks(NOW - DAY), records('SUCCEED'), NOW)).toBe(600_000);
  });

  test('past answers get a tenth of the range end’s age, between the two bounds', () => {
    const past = (end: number) => freshnessTtl(POLICY, urlTasks(end, { status: 'failed' }), records('FAILED'), NOW);
    expect(past(NOW - 6 * MINUTE)).toBe(36_000);
    expect(past(NOW - 60 * MINUTE)).toBe(360_000);
    expect(past(NOW - DAY)).toBe(600_000);
    expect(freshnessTtl({ liveTtlMs: 60_000, settledTtlMs: 600_000 }, urlTasks(NOW - 6 * MINUTE, { status: 'failed' }), records(), NOW)).toBe(60_000);
  });

  test('a settled bound not above the live one turns the tiers off', () => {
    expect(freshnessTtl({ liveTtlMs: 2000, settledTtlMs: 0 }, urlTasks(NOW - DAY), records('SUCCEED'), NOW)).toBe(2000);
    expect(freshnessTtl({ liveTtlMs: 5000, settledTtlMs: 5000 }, urlTasks(NOW - DAY), records('SUCCEED'), NOW)).toBe(5000);
  });
});

test('rangeEnd reads end_time of url-tasks and end_date of historytasks, as numbers or strings', () => {
  expect(rangeEnd(urlTasks(NOW))).toBe(NOW);
  expect(rangeEnd({ operation: 'url-tasks', query: { end_time: String(NOW) } })).toBe(NOW);
  expect(rangeEnd(history(NOW))).toBe(NOW);
  expect(rangeEnd({ operation: 'url-tasks', query: { end_time: 'soon' } })).toBeUndefined();
  expect(rangeEnd(detail)).toBeUndefined();
});
