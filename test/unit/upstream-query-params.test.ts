import { isTaskId, taskDetailPath, toCreateQuery, toHistoryTasksQuery, toPreheatBody, toRefreshBody, toTaskDetailQuery, toUrlTasksQuery } from '../../src/cdn/params';
import { canonicalQuery } from '../../src/cdn/signer';

describe('params → upstream query names', () => {
  it('converts every url-tasks parameter, normalizing the documented casing', () => {
    expect(
      toUrlTasksQuery({
        startTime: 1652313600000,
        endTime: 1652400000000,
        offset: 20,
        limit: 100,
        url: 'https://example.com/a b.jpg',
        taskType: 'refresh',
        status: 'SUCCEED',
        fileType: 'FILE',
      }),
    ).toEqual({
      start_time: 1652313600000,
      end_time: 1652400000000,
      offset: 20,
      limit: 100,
      url: 'https://example.com/a b.jpg',
      task_type: 'REFRESH',
      status: 'succeed',
      file_type: 'file',
    });
  });

  it('leaves out what was not asked for, so the query and its signature stay minimal', () => {
    expect(toUrlTasksQuery({})).toEqual({});
    expect(toUrlTasksQuery()).toEqual({});
    expect(canonicalQuery(toUrlTasksQuery({ limit: 10, offset: 0 }))).toBe('limit=10&offset=0');
  });

  it('converts every historytasks parameter', () => {
    expect(
      toHistoryTasksQuery({
        pageSize: 30,
        pageNumber: 2,
        status: 'task_done',
        startDate: 1,
        endDate: 2,
        orderField: 'create_time',
        orderType: 'desc',
        fileType: 'DIRECTORY',
        taskType: 'PREHEATING',
        enterpriseProjectId: '0',
      }),
    ).toEqual({
      page_size: 30,
      page_number: 2,
      status: 'task_done',
      start_date: 1,
      end_date: 2,
      order_field: 'create_time',
      order_type: 'desc',
      file_type: 'directory',
      task_type: 'preheating',
      enterprise_project_id: '0',
    });
  });

  it('always sends file_type on historytasks, file unless asked: the answer must not depend on the upstream default', () => {
    expect(toHistoryTasksQuery()).toEqual({ file_type: 'file' });
    expect(toHistoryTasksQuery({ pageSize: 1, pageNumber: 1 })).toEqual({ page_size: 1, page_number: 1, file_type: 'file' });
    expect(toHistoryTasksQuery({ fileType: 'directory' })).toEqual({ file_type: 'directory' });
  });

  it('sends the enterprise project on creates as a query, and nothing without one', () => {
    expect(toCreateQuery({ enterpriseProjectId: '0' })).toEqual({ enterprise_project_id: '0' });
    expect(toCreateQuery({})).toEqual({});
  });

  it('converts every detail parameter', () => {
    expect(toTaskDetailQuery({ pageSize: 100, pageNumber: 1, status: 'FAILED', url: 'https://e.com/x', createTime: 5, enterpriseProjectId: 'all' })).toEqual({
      page_size: 100,
      page_number: 1,
      status: 'failed',
      url: 'https://e.com/x',
      create_time: 5,
      enterprise_project_id: 'all',
    });
  });

  it('builds the detail path from a decimal or 32-hex task id, and from nothing else', () => {
    expect(taskDetailPath('7620240')).toBe('/v1.0/cdn/historytasks/7620240/detail');
    expect(taskDetailPath('ff80808276f5b1f50176f6c6fa720128')).toBe('/v1.0/cdn/historytasks/ff80808276f5b1f50176f6c6fa720128/detail');
    expect(taskDetailPath('FF80808276F5B1F50176F6C6FA720128')).toBeDefined();
    for (const bad of ['', '1/2', '..', 'abc', 'ff8080', '1'.repeat(21), 'f'.repeat(31), 'f'.repeat(33), 'g'.repeat(32), ' 1', '1\n', '%2e%2e']) {
      expect([bad, taskDetailPath(bad)]).toEqual([bad, undefined]);
    }
  });

  it('accepts as task ids 1 to 20 decimal digits and exactly 32 hexadecimal characters', () => {
    expect(['1', '1'.repeat(20), '0'.repeat(32), 'a'.repeat(32)].every(isTaskId)).toBe(true);
    expect([1, null, undefined, '', '1'.repeat(21), 'a'.repeat(31)].some(isTaskId)).toBe(false);
  });

  it('builds the create bodies with zh_url_encode defaulting to false', () => {
    expect(toRefreshBody({ type: 'file', urls: ['https://e.com/a'] })).toEqual({ refresh_task: { type: 'file', zh_url_encode: false, urls: ['https://e.com/a'] } });
    expect(toRefreshBody({ type: 'directory', mode: 'detect_modify_refresh', urls: ['https://e.com/d/'], zhUrlEncode: true })).toEqual({
      refresh_task: { type: 'directory', mode: 'detect_modify_refresh', zh_url_encode: true, urls: ['https://e.com/d/'] },
    });
    expect(toPreheatBody({ urls: ['https://e.com/a', 'https://e.com/b'] })).toEqual({
      preheating_task: { zh_url_encode: false, urls: ['https://e.com/a', 'https://e.com/b'] },
    });
  });
});
