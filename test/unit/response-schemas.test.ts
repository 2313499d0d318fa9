/**
 * Wire → model: the zod schemas accept what Huawei's SDK models allow (every response field
 * optional, ids as strings or numbers), absent fields become null, and only the fields the
 * gateway cannot work without make a body unusable, with the issue naming the field.
 */
import fc from 'fast-check';
import { readUrlTaskPage, toTaskDetailModel, toTaskPage, toUrlTaskPage } from '../../src/cdn/convert';
import { fetchUrlTasks, type EndpointContext } from '../../src/cdn/endpoints';
import type { UpstreamResponse } from '../../src/cdn/pipeline';
import { HistoryTasksResponseWire, TaskDetailResponseWire, UrlTasksResponseWire } from '../../src/cdn/wire';

const RECORD = {
  id: 8992619,
  url: 'https://a.example.com/dir/',
  status: 'SUCCEED',
  type: 'REFRESH',
  task_id: 407354,
  modify_time: 1652325742000,
  create_time: 1652325740318,
  file_type: 'directory',
  mode: 'all',
};
const RECORD_MODEL = {
  id: 8992619,
  url: 'https://a.example.com/dir/',
  status: 'SUCCEED',
  type: 'REFRESH',
  taskId: '407354',
  createTime: 1652325740318,
  modifyTime: 1652325742000,
  fileType: 'DIRECTORY',
  mode: 'ALL',
  failClassify: null,
  failDesc: null,
};
const TASK = { id: '7620240', task_type: 'refresh', status: 'task_done', processing: 0, succeed: 3, failed: 1, total: 4, create_time: 1652325740318, file_type: 'file' };
const TASK_MODEL = { id: '7620240', taskType: 'refresh', status: 'task_done', processing: 0, succeeded: 3, failed: 1, total: 4, createTime: 1652325740318, fileType: 'file' };
const DETAIL_URL = { id: '8992620', url: 'https://a/y', status: 'failed', create_time: 11, task_id: '7620240', task_type: 'REFRESH', fail_classify: 'ORIGIN_ERROR', fail_desc: 'origin 502' };
const DETAIL_URL_MODEL = {
  id: 8992620,
  url: 'https://a/y',
  status: 'FAILED',
  type: 'REFRESH',
  taskId: '7620240',
  createTime: 11,
  modifyTime: null,
  fileType: null,
  mode: null,
  failClassify: 'ORIGIN_ERROR',
  failDesc: 'origin 502',
};

// Returns a copy of an object without one key.
function without<T extends object>(value: T, key: string): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== key)) as Partial<T>;
}

// The dotted path of the first issue a schema finds (what UPSTREAM_BAD_RESPONSE names).
function firstIssuePath(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }): string {
  expect(result.success).toBe(false);
  return (result.error?.issues[0]?.path ?? []).map(String).join('.');
}

describe('url-tasks records', () => {
  it('converts a full record: ids to a number and a string, values as sent', () => {
    const page = toUrlTaskPage(UrlTasksResponseWire.parse({ total: 31548, count: 1, result: [RECORD] }));
    expect(page).toEqual({ total: 31548, count: 1, records: [RECORD_MODEL] });
  });

  const camel: Record<string, keyof typeof RECORD_MODEL> = { url: 'url', status: 'status', type: 'type', modify_time: 'modifyTime', file_type: 'fileType', mode: 'mode' };
  it.each(Object.entries(camel))('turns a missing or null %s into null and keeps the rest', (wireKey, modelKey) => {
    for (const record of [without(RECORD, wireKey), { ...RECORD, [wireKey]: null }]) {
      const page = toUrlTaskPage(UrlTasksResponseWire.parse({ total: 1, count: 1, result: [record] }));
      expect(page.records[0]).toEqual({ ...RECORD_MODEL, [modelKey]: null });
    }
  });

  it.each(['id', 'create_time', 'task_id'])('refuses a record without %s (cursors, ordering and global ids need it), naming the field', (key) => {
    expect(firstIssuePath(UrlTasksResponseWire.safeParse({ total: 1, count: 1, result: [without(RECORD, key)] }))).toBe(`result.0.${key}`);
  });

  it.each(['total', 'result'])('refuses a page without %s, naming it', (key) => {
    expect(firstIssuePath(UrlTasksResponseWire.safeParse(without({ total: 1, count: 1, result: [RECORD] }, key)))).toBe(key);
  });

  it('counts the records when count is missing, and keeps a count that is sent', () => {
    expect(toUrlTaskPage(UrlTasksResponseWire.parse({ total: 9, result: [RECORD, { ...RECORD, id: 1 }] })).count).toBe(2);
    expect(toUrlTaskPage(UrlTasksResponseWire.parse({ total: 9, count: 7, result: [RECORD] })).count).toBe(7);
  });

  it('reads ids sent as strings: a decimal record id, a decimal or 32-hex task id', () => {
    const hex = 'ff80808276f5b1f50176f6c6fa720128';
    const page = toUrlTaskPage(UrlTasksResponseWire.parse({ total: 2, result: [{ ...RECORD, id: '8992619' }, { ...RECORD, id: 5, task_id: hex }] }));
    expect(page.records.map((r) => [r.id, r.taskId])).toEqual([
      [8992619, '407354'],
      [5, hex],
    ]);
  });

  it('refuses a record id that is not decimal (ordering compares ids as numbers), naming it', () => {
    expect(firstIssuePath(UrlTasksResponseWire.safeParse({ total: 1, result: [{ ...RECORD, id: 'ab12' }] }))).toBe('result.0.id');
  });

  it('turns enum values into the schema\'s (any case in, upper case out; one it does not know is UNKNOWN) but refuses a wrongly typed field', () => {
    const page = toUrlTaskPage(UrlTasksResponseWire.parse({ total: 1, result: [{ ...RECORD, status: 'CANCELLED', type: 'PURGE', file_type: 'File', mode: 'detect_modify_refresh' }] }));
    expect([page.records[0]?.status, page.records[0]?.type, page.records[0]?.fileType, page.records[0]?.mode]).toEqual(['UNKNOWN', 'UNKNOWN', 'FILE', 'DETECT_MODIFY_REFRESH']);
    expect(firstIssuePath(UrlTasksResponseWire.safeParse({ total: 1, result: [{ ...RECORD, status: 3 }] }))).toBe('result.0.status');
  });
});

describe('url-tasks pages read in one pass (readUrlTaskPage, the hot path)', () => {
  // The schema's verdict and conversion, the reference the one-pass reader must agree with.
  const bySchema = (body: unknown) => {
    const parsed = UrlTasksResponseWire.safeParse(body);
    return parsed.success ? toUrlTaskPage(parsed.data) : undefined;
  };

  it('reads a page as the schema and toUrlTaskPage do', () => {
    const body = { total: 31548, count: 2, result: [RECORD, { ...RECORD, id: '17', task_id: 'ff80808276f5b1f50176f6c6fa720128', url: null, mode: undefined }] };
    expect(readUrlTaskPage(body)).toEqual(bySchema(body));
    expect(readUrlTaskPage(body)?.records[1]).toEqual({ ...RECORD_MODEL, id: 17, taskId: 'ff80808276f5b1f50176f6c6fa720128', url: null, mode: null });
  });

  it.each([
    ['a record without create_time', { total: 1, result: [without(RECORD, 'create_time')] }],
    ['a non-decimal record id', { total: 1, result: [{ ...RECORD, id: 'ab12' }] }],
    ['an empty task id', { total: 1, result: [{ ...RECORD, task_id: '' }] }],
    ['a numeric status', { total: 1, result: [{ ...RECORD, status: 3 }] }],
    ['a negative total', { total: -1, result: [] }],
    ['a result that is not a list', { total: 1, result: {} }],
    ['a record that is a list', { total: 1, result: [[]] }],
  ])('leaves %s to the schema, which refuses it', (_what, body) => {
    expect(readUrlTaskPage(body)).toBeUndefined();
    expect(bySchema(body)).toBeUndefined();
  });

  // Values of every kind for every field, valid or not: the reader accepts only what the schema accepts, and converts it the same way.
  const anyValue = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer({ min: -5, max: 2 ** 53 + 2 }),
    fc.double(),
    fc.constantFrom('', '42', '0042', '1234567890123456', 'ab12', 'SUCCEED', 'failed', 'file', 'DIRECTORY', 'all', 'x'),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
  );
  const record = fc.record(
    { id: anyValue, url: anyValue, status: anyValue, type: anyValue, task_id: anyValue, modify_time: anyValue, create_time: anyValue, file_type: anyValue, mode: anyValue, extra: anyValue },
    { requiredKeys: [] },
  );
  const valid = fc.record({
    id: fc.oneof(fc.nat(), fc.stringMatching(/^\d{1,15}$/)),
    url: fc.option(fc.string(), { nil: null }),
    status: fc.option(fc.constantFrom('SUCCEED', 'failed', 'Refreshing', 'CANCELLED'), { nil: null }),
    type: fc.option(fc.constantFrom('REFRESH', 'preheating', 'PURGE'), { nil: undefined }),
    task_id: fc.oneof(fc.nat(), fc.string({ minLength: 1 })),
    modify_time: fc.option(fc.integer(), { nil: null }),
    create_time: fc.integer(),
    file_type: fc.option(fc.constantFrom('file', 'DIRECTORY', 'archive'), { nil: undefined }),
    mode: fc.option(fc.constantFrom('all', 'detect_modify_refresh', ''), { nil: null }),
  });
  const page = (records: fc.Arbitrary<unknown>) =>
    fc.record({ total: fc.oneof(fc.nat(), anyValue), count: fc.oneof(fc.nat(), anyValue), result: fc.array(records, { maxLength: 4 }) }, { requiredKeys: ['result'] });

  it('never accepts a body the schema refuses, and reads every body it accepts as the schema does', () => {
    fc.assert(
      fc.property(fc.oneof(page(record), page(valid), page(fc.oneof(valid, record))), (body) => {
        const read = readUrlTaskPage(body);
        const reference = bySchema(body);
        if (read !== undefined) expect(read).toEqual(reference);
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('converts a body shared by several calls (coalesced, or one cache entry) once, and each new body anew', async () => {
    const response = (body: unknown): UpstreamResponse => ({ status: 200, headers: {}, body: JSON.stringify(body), json: body });
    const shared = response({ total: 1, result: [RECORD] });
    let next = shared;
    const ctx: EndpointContext = { handler: async () => next, now: () => 0, timeoutMs: 1000 };
    const [a, b] = [await fetchUrlTasks(ctx), await fetchUrlTasks(ctx)];
    expect(a.records).toEqual([RECORD_MODEL]);
    expect(b).toBe(a);
    next = response({ total: 1, result: [RECORD] });
    const c = await fetchUrlTasks(ctx);
    expect(c).not.toBe(a);
    expect(c).toEqual(a);
  });

  it('accepts the valid pages (only an unusual one falls back to the schema)', () => {
    fc.assert(
      fc.property(fc.record({ total: fc.nat(), result: fc.array(valid, { maxLength: 5 }) }), (body) => {
        expect(readUrlTaskPage(body)).toEqual(bySchema(body));
      }),
      { numRuns: 500 },
    );
  });
});

describe('history tasks', () => {
  it('renames the counters', () => {
    expect(toTaskPage(HistoryTasksResponseWire.parse({ total: 1, tasks: [TASK] }))).toEqual({ total: 1, tasks: [TASK_MODEL] });
  });

  const camel: Record<string, keyof typeof TASK_MODEL> = {
    task_type: 'taskType',
    status: 'status',
    processing: 'processing',
    succeed: 'succeeded',
    failed: 'failed',
    total: 'total',
    create_time: 'createTime',
    file_type: 'fileType',
  };
  it.each(Object.entries(camel))('turns a missing %s into null, not 0 or a guess', (wireKey, modelKey) => {
    expect(toTaskPage(HistoryTasksResponseWire.parse({ total: 1, tasks: [without(TASK, wireKey)] })).tasks[0]).toEqual({ ...TASK_MODEL, [modelKey]: null });
  });

  it('refuses a task without an id, a page without total or tasks, naming the field', () => {
    expect(firstIssuePath(HistoryTasksResponseWire.safeParse({ total: 1, tasks: [without(TASK, 'id')] }))).toBe('tasks.0.id');
    expect(firstIssuePath(HistoryTasksResponseWire.safeParse({ tasks: [] }))).toBe('total');
    expect(firstIssuePath(HistoryTasksResponseWire.safeParse({ total: 0 }))).toBe('tasks');
  });

  it('turns a numeric task id into a string', () => {
    expect(toTaskPage(HistoryTasksResponseWire.parse({ total: 1, tasks: [{ ...TASK, id: 7620240 }] })).tasks[0]?.id).toBe('7620240');
  });
});

describe('task details', () => {
  it('turns URL ids into numbers and statuses upper case, keeping the failure fields', () => {
    const model = toTaskDetailModel(TaskDetailResponseWire.parse({ ...TASK, urls: [DETAIL_URL] }));
    expect(model).toEqual({ ...TASK_MODEL, urls: [DETAIL_URL_MODEL] });
  });

  it('reads no modify_time, file_type or mode from detail URLs: the SDK\'s UrlObject has none', () => {
    const wire = TaskDetailResponseWire.parse({ ...TASK, urls: [{ ...DETAIL_URL, modify_time: 12, file_type: 'file', mode: 'all' }] });
    // The wire schema does not even carry them: they are dropped where the body enters.
    expect(Object.keys(wire.urls![0]!).filter((k) => ['modify_time', 'file_type', 'mode'].includes(k))).toEqual([]);
    const model = toTaskDetailModel(wire);
    expect(model.urls[0]).toEqual(DETAIL_URL_MODEL);
    expect(model.urls[0]).toMatchObject({ modifyTime: null, fileType: null, mode: null });
  });

  const camel: Record<string, keyof typeof DETAIL_URL_MODEL> = {
    url: 'url',
    status: 'status',
    create_time: 'createTime',
    task_type: 'type',
    fail_classify: 'failClassify',
    fail_desc: 'failDesc',
  };
  it.each(Object.entries(camel))('turns a missing URL %s into null', (wireKey, modelKey) => {
    const model = toTaskDetailModel(TaskDetailResponseWire.parse({ ...TASK, urls: [without(DETAIL_URL, wireKey)] }));
    expect(model.urls[0]).toEqual({ ...DETAIL_URL_MODEL, [modelKey]: null });
  });

  it('gives a URL without task_id its task\'s id', () => {
    const model = toTaskDetailModel(TaskDetailResponseWire.parse({ ...TASK, urls: [without(DETAIL_URL, 'task_id')] }));
    expect(model.urls[0]?.taskId).toBe('7620240');
  });

  it('reads a detail without urls as a task with none (the upstream keeps URL details 15 days)', () => {
    expect(toTaskDetailModel(TaskDetailResponseWire.parse(TASK)).urls).toEqual([]);
  });

  it('turns missing task fields into null like a history task', () => {
    const model = toTaskDetailModel(TaskDetailResponseWire.parse({ id: 'ff80808276f5b1f50176f6c6fa720128', urls: [] }));
    expect(model).toEqual({
      id: 'ff80808276f5b1f50176f6c6fa720128',
      taskType: null,
      status: null,
      processing: null,
      succeeded: null,
      failed: null,
      total: null,
      createTime: null,
      fileType: null,
      urls: [],
    });
  });

  it('refuses a URL without an id (global ids and lookups need it) or with a non-decimal one, naming it', () => {
    expect(firstIssuePath(TaskDetailResponseWire.safeParse({ ...TASK, urls: [without(DETAIL_URL, 'id')] }))).toBe('urls.0.id');
    expect(firstIssuePath(TaskDetailResponseWire.safeParse({ ...TASK, urls: [{ ...DETAIL_URL, id: 'x1' }] }))).toBe('urls.0.id');
  });
});
