import { toTaskDetailModel, toTaskPage, toUrlTaskPage } from '../../src/cdn/convert';
import { HistoryTasksResponseWire, TaskDetailResponseWire, UrlTasksResponseWire } from '../../src/cdn/wire';

describe('wire → model converters', () => {
  it('keeps url-task statuses as sent and turns numeric task ids into strings', () => {
    const wire = UrlTasksResponseWire.parse({
      total: 31548,
      count: 2,
      result: [
        { id: 8992619, url: 'https://a.example.com/test.jpg', status: 'SUCCEED', type: 'REFRESH', task_id: 407354, modify_time: 1652325742000, create_time: 1652325740318, file_type: 'file' },
        { id: 8992618, url: 'https://a.example.com/dir/', status: 'processing', type: 'REFRESH', task_id: 407353, modify_time: 1, create_time: 2, file_type: 'directory', mode: 'all' },
      ],
    });
    expect(toUrlTaskPage(wire)).toEqual({
      total: 31548,
      records: [
        { id: 8992619, url: 'https://a.example.com/test.jpg', status: 'SUCCEED', type: 'REFRESH', taskId: '407354', createTime: 1652325740318, modifyTime: 1652325742000, fileType: 'file' },
        { id: 8992618, url: 'https://a.example.com/dir/', status: 'processing', type: 'REFRESH', taskId: '407353', createTime: 2, modifyTime: 1, fileType: 'directory', mode: 'all' },
      ],
    });
    expect('mode' in (toUrlTaskPage(wire).records[0] ?? {})).toBe(false);
  });

  it('renames history task counters', () => {
    const wire = HistoryTasksResponseWire.parse({
      total: 1,
      tasks: [{ id: '7620240', task_type: 'refresh', status: 'task_done', processing: 0, succeed: 3, failed: 1, total: 4, create_time: 1652325740318, file_type: 'file' }],
    });
    expect(toTaskPage(wire)).toEqual({
      total: 1,
      tasks: [{ id: '7620240', taskType: 'refresh', status: 'task_done', processing: 0, succeeded: 3, failed: 1, total: 4, createTime: 1652325740318, fileType: 'file' }],
    });
  });

  it('turns detail URL ids into numbers and statuses upper case, keeping failure fields', () => {
    const wire = TaskDetailResponseWire.parse({
      id: '407354', task_type: 'refresh', status: 'task_done', processing: 0, succeed: 1, failed: 1, total: 2, create_time: 10, file_type: 'file',
      urls: [
        { id: '8992619', url: 'https://a/x', status: 'succeed', create_time: 10, task_id: '407354', task_type: 'REFRESH' },
        { id: '8992620', url: 'https://a/y', status: 'failed', create_time: 11, modify_time: 12, task_id: '407354', task_type: 'REFRESH', fail_classify: 'ORIGIN_ERROR', fail_desc: 'origin 502' },
      ],
    });
    const model = toTaskDetailModel(wire);
    expect(model).toEqual({
      id: '407354', taskType: 'refresh', status: 'task_done', processing: 0, succeeded: 1, failed: 1, total: 2, createTime: 10, fileType: 'file',
      urls: [
        { id: 8992619, url: 'https://a/x', status: 'SUCCEED', type: 'REFRESH', taskId: '407354', createTime: 10 },
        { id: 8992620, url: 'https://a/y', status: 'FAILED', type: 'REFRESH', taskId: '407354', createTime: 11, modifyTime: 12, failClassify: 'ORIGIN_ERROR', failDesc: 'origin 502' },
      ],
    });
  });
});
