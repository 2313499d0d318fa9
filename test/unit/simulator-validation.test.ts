/** The simulator's parameter rules (docs/upstream.md): what is accepted, what is refused and how it is worded. */
import {
  validateHistoryTasksQuery,
  validatePreheatBody,
  validateRefreshBody,
  validateTaskDetailQuery,
  validateUrlTasksQuery,
  type RawQuery,
} from '../../src/simulator/validation';

const NOW = Date.UTC(2025, 0, 15, 12, 34, 56);
const DAY = 86_400_000;
const TODAY = Date.UTC(2025, 0, 15);

describe('url-tasks parameters', () => {
  it('defaults to the UTC day holding now, offset 0 and limit 10', () => {
    expect(validateUrlTasksQuery({}, NOW)).toEqual({ ok: true, value: { filter: { startTime: TODAY, endTime: TODAY + DAY }, offset: 0, limit: 10 } });
  });

  it('normalizes filters: status in either case becomes upper case', () => {
    const result = validateUrlTasksQuery(
      { start_time: '1000', end_time: '2000', offset: '5', limit: '100', url: 'https://a.example/x', task_type: 'PREHEATING', status: 'Failed', file_type: 'directory' },
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        filter: { startTime: 1000, endTime: 2000, url: 'https://a.example/x', type: 'PREHEATING', status: 'FAILED', fileType: 'directory' },
        offset: 5,
        limit: 100,
      },
    });
  });

  it('accepts a span of exactly 24 hours and treats empty values as absent', () => {
    expect(validateUrlTasksQuery({ start_time: '0', end_time: String(DAY), limit: '' }, NOW).ok).toBe(true);
  });

  it.each<[string, RawQuery, string]>([
    ['limit 0', { limit: '0' }, 'limit must be an integer from 1 to 100, got "0"'],
    ['limit 101', { limit: '101' }, 'limit must be an integer from 1 to 100, got "101"'],
    ['limit not a number', { limit: 'ten' }, 'limit must be an integer from 1 to 100, got "ten"'],
    ['negative offset', { offset: '-1' }, 'offset must be an integer from 0 to 2147483647, got "-1"'],
    ['start_time alone', { start_time: '1000' }, 'start_time and end_time must be given together, got start_time only'],
    ['end_time alone', { end_time: '1000' }, 'start_time and end_time must be given together, got end_time only'],
    ['end before start', { start_time: '2000', end_time: '1000' }, 'end_time must be greater than start_time, got start_time=2000 and end_time=1000'],
    ['empty span', { start_time: '2000', end_time: '2000' }, 'end_time must be greater than start_time, got start_time=2000 and end_time=2000'],
    ['span over 24 h', { start_time: '0', end_time: String(DAY + 1) }, 'end_time - start_time must not exceed 24 hours (86400000 ms), got 86400001 ms'],
    ['start_time not ms', { start_time: '2025-01-01', end_time: '1000' }, 'start_time must be a time in epoch milliseconds (a non-negative integer), got "2025-01-01"'],
    ['task_type lower case', { task_type: 'refresh' }, 'task_type must be one of REFRESH, PREHEATING, got "refresh"'],
    ['unknown status', { status: 'done' }, 'status must be one of PROCESSING, SUCCEED, FAILED, WAITING, REFRESHING, PREHEATING, got "done"'],
    ['unknown file_type', { file_type: 'folder' }, 'file_type must be one of file, directory, got "folder"'],
    ['repeated limit', { limit: ['1', '2'] }, 'limit must be given at most once, got 2 values'],
  ])('refuses %s', (_name, query, message) => {
    expect(validateUrlTasksQuery(query, NOW)).toEqual({ ok: false, message });
  });
});

describe('historytasks parameters', () => {
  it('defaults to files only, page 1 of 30, ordered by create_time desc', () => {
    expect(validateHistoryTasksQuery({})).toEqual({ ok: true, value: { filter: { fileType: 'file' }, order: { field: 'create_time', direction: 'desc' }, pageSize: 30, pageNumber: 1 } });
  });

  it('reads every filter and the order pair', () => {
    const result = validateHistoryTasksQuery({
      page_size: '10000',
      page_number: '65535',
      status: 'task_inprocess',
      start_date: '10',
      end_date: '20',
      order_field: 'failed',
      order_type: 'asc',
      file_type: 'directory',
      task_type: 'preheating',
      enterprise_project_id: 'ALL',
    });
    expect(result).toEqual({
      ok: true,
      value: { filter: { startDate: 10, endDate: 20, status: 'task_inprocess', fileType: 'directory', type: 'PREHEATING' }, order: { field: 'failed', direction: 'asc' }, pageSize: 10000, pageNumber: 65535 },
    });
  });

  it('falls back to create_time desc when only one of order_field and order_type is given', () => {
    const result = validateHistoryTasksQuery({ order_field: 'total' });
    expect(result.ok && result.value.order).toEqual({ field: 'create_time', direction: 'desc' });
  });

  it.each<[string, RawQuery, string]>([
    ['page_size 0', { page_size: '0', page_number: '1' }, 'page_size must be an integer from 1 to 10000, got "0"'],
    ['page_size 10001', { page_size: '10001', page_number: '1' }, 'page_size must be an integer from 1 to 10000, got "10001"'],
    ['page_number 0', { page_size: '10', page_number: '0' }, 'page_number must be an integer from 1 to 65535, got "0"'],
    ['page_number 65536', { page_size: '10', page_number: '65536' }, 'page_number must be an integer from 1 to 65535, got "65536"'],
    ['page_size alone', { page_size: '10' }, 'page_size and page_number must be given together, got page_size only'],
    ['page_number alone', { page_number: '2' }, 'page_size and page_number must be given together, got page_number only'],
    ['unknown status', { status: 'done' }, 'status must be one of task_inprocess, task_done, got "done"'],
    ['task_type upper case', { task_type: 'REFRESH' }, 'task_type must be one of refresh, preheating, got "REFRESH"'],
    ['unknown order_field', { order_field: 'url', order_type: 'asc' }, 'order_field must be one of task_type, total, processing, succeed, failed, create_time, got "url"'],
    ['unknown order_type', { order_field: 'total', order_type: 'up' }, 'order_type must be one of desc, asc, got "up"'],
    ['end_date before start_date', { start_date: '20', end_date: '10' }, 'end_date must be greater than start_date, got start_date=20 and end_date=10'],
  ])('refuses %s', (_name, query, message) => {
    expect(validateHistoryTasksQuery(query)).toEqual({ ok: false, message });
  });
});

describe('task detail parameters', () => {
  it('defaults to page 1 of 30 and accepts a URL status in either case', () => {
    expect(validateTaskDetailQuery({ status: 'succeed', url: 'https://a.example/', create_time: '123' })).toEqual({
      ok: true,
      value: { filter: { status: 'SUCCEED', url: 'https://a.example/' }, pageSize: 30, pageNumber: 1, createTime: 123 },
    });
  });

  it.each<[string, RawQuery, string]>([
    ['page_size 10001', { page_size: '10001' }, 'page_size must be an integer from 1 to 10000, got "10001"'],
    ['page_number 0', { page_number: '0' }, 'page_number must be an integer from 1 to 65535, got "0"'],
    ['page_size alone', { page_size: '10' }, 'page_size and page_number must be given together, got page_size only'],
    ['page_number alone', { page_number: '2' }, 'page_size and page_number must be given together, got page_number only'],
    ['unknown status', { status: 'task_done' }, 'status must be one of PROCESSING, SUCCEED, FAILED, WAITING, REFRESHING, PREHEATING, got "task_done"'],
    ['create_time not ms', { create_time: 'yesterday' }, 'create_time must be a time in epoch milliseconds (a non-negative integer), got "yesterday"'],
  ])('refuses %s', (_name, query, message) => {
    expect(validateTaskDetailQuery(query)).toEqual({ ok: false, message });
  });
});

describe('refresh and preheat bodies', () => {
  const refresh = (task: unknown): string => JSON.stringify({ refresh_task: task });
  const urls = (n: number, suffix = 'x.jpg'): string[] => Array.from({ length: n }, (_, i) => `https://a.example/${i}/${suffix}`);

  it('defaults a refresh to files, and a directory refresh to mode all', () => {
    expect(validateRefreshBody(refresh({ urls: ['http://a.example/x'] }))).toEqual({ ok: true, value: { fileType: 'file', urls: ['http://a.example/x'] } });
    expect(validateRefreshBody(refresh({ type: 'directory', urls: ['https://a.example/d/'] }))).toEqual({
      ok: true,
      value: { fileType: 'directory', mode: 'all', urls: ['https://a.example/d/'] },
    });
  });

  it('accepts 1000 files, 100 directories and 4096-character URLs', () => {
    expect(validateRefreshBody(refresh({ type: 'file', urls: urls(1000) })).ok).toBe(true);
    expect(validateRefreshBody(refresh({ type: 'directory', mode: 'detect_modify_refresh', urls: urls(100, '') })).ok).toBe(true);
    const long = `https://a.example/${'x'.repeat(4096 - 'https://a.example/'.length)}`;
    expect(validateRefreshBody(refresh({ urls: [long] })).ok).toBe(true);
  });

  it('percent-encodes non-ASCII characters when zh_url_encode is true', () => {
    expect(validatePreheatBody(JSON.stringify({ preheating_task: { zh_url_encode: true, urls: ['https://a.example/图片.jpg'] } }))).toEqual({
      ok: true,
      value: { urls: ['https://a.example/%E5%9B%BE%E7%89%87.jpg'] },
    });
  });

  it.each<[string, string, string]>([
    ['an empty body', '', 'the request body must be a JSON object holding refresh_task, got an empty body'],
    ['invalid JSON', '{"refresh_task":', 'the request body must be a JSON object holding refresh_task, got invalid JSON'],
    ['no refresh_task', '{"preheating_task":{}}', 'refresh_task is required and must be an object, got nothing'],
    ['an unknown type', refresh({ type: 'folder', urls: urls(1) }), 'refresh_task.type must be one of file, directory, got "folder"'],
    ['an unknown mode', refresh({ type: 'directory', mode: 'some', urls: urls(1) }), 'refresh_task.mode must be one of all, detect_modify_refresh, got "some"'],
    ['zh_url_encode as a string', refresh({ zh_url_encode: 'yes', urls: urls(1) }), 'refresh_task.zh_url_encode must be a boolean, got "yes"'],
    ['no urls', refresh({ type: 'file' }), 'refresh_task.urls must be a non-empty array of URLs, got nothing'],
    ['empty urls', refresh({ urls: [] }), 'refresh_task.urls must be a non-empty array of URLs, got []'],
    ['1001 urls', refresh({ urls: urls(1001) }), 'refresh_task.urls must hold at most 1000 URLs per request, got 1001'],
    ['101 directories', refresh({ type: 'directory', urls: urls(101, '') }), 'refresh_task.urls must hold at most 100 directories per request, got 101'],
    ['an ftp URL', refresh({ urls: ['https://a.example/ok', 'ftp://a.example/x'] }), 'refresh_task.urls[1] must be an http:// or https:// URL without spaces, got "ftp://a.example/x"'],
    ['a URL with a space', refresh({ urls: ['https://a.example/a b'] }), 'refresh_task.urls[0] must be an http:// or https:// URL without spaces, got "https://a.example/a b"'],
    ['a URL without host', refresh({ urls: ['https://'] }), 'refresh_task.urls[0] must be an http:// or https:// URL without spaces, got "https://"'],
    ['a 4097-character URL', refresh({ urls: [`https://a.example/${'x'.repeat(4097 - 18)}`] }), 'refresh_task.urls[0] must be at most 4096 characters long, got 4097'],
  ])('refuses a refresh with %s', (_name, body, message) => {
    expect(validateRefreshBody(body)).toEqual({ ok: false, message });
  });

  it.each<[string, string, string]>([
    ['a refresh body', refresh({ urls: urls(1) }), 'preheating_task is required and must be an object, got nothing'],
    ['1001 urls', JSON.stringify({ preheating_task: { urls: urls(1001) } }), 'preheating_task.urls must hold at most 1000 URLs per request, got 1001'],
    ['a number as URL', JSON.stringify({ preheating_task: { urls: [42] } }), 'preheating_task.urls[0] must be an http:// or https:// URL without spaces, got 42'],
  ])('refuses a preheat with %s', (_name, body, message) => {
    expect(validatePreheatBody(body)).toEqual({ ok: false, message });
  });
});
