import { taskDetailPath, toHistoryTasksQuery, toPreheatBody, toRefreshBody, toTaskDetailQuery, toUrlTasksQuery } from '../../src/cdn/params';
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

  it('builds the detail path from a task id that is one path segment', () => {
    expect(taskDetailPath('7620240')).toBe('/v1.0/cdn/historytasks/7620240/detail');
    expect(taskDetailPath('')).toBeUndefined();
    expect(taskDetailPath('1/2')).toBeUndefined();
    expect(taskDetailPath('..')).toBeUndefined();
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
