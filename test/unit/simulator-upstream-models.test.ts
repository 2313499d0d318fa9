/**
 * The simulator's fidelity to Huawei's SDK models, as pure parts: the data set's two task id
 * formats and REFRESH_AFTER_PREHEATING preheats, detail URLs with exactly url_object.py's
 * fields, the account refusals, response reshaping and the fault fields that drive them.
 */
import { refuseByAccount, PROJECT_REQUIRED_MESSAGE } from '../../src/simulator/account';
import { FAILURES, generateDataset, HEX_ID_AGE_MS } from '../../src/simulator/dataset';
import { defaultFaults, parseFaultConfig, type FaultConfig } from '../../src/simulator/faults';
import { historyIdOf, type TaskEntry, type UrlRecord } from '../../src/simulator/model';
import { DEFAULT_RATE_LIMITS } from '../../src/simulator/ratelimit';
import { toTaskUrlWire } from '../../src/simulator/render';
import { reshapeBody } from '../../src/simulator/reshape';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const HEX_ID = /^ff8080[0-9a-f]{26}$/;

describe('the data set against the SDK models', () => {
  const dataset = generateDataset({ seed: 1, records: 40_000, now: NOW });

  it('gives the older tasks 32-hex ff8080 ids and the newer ones decimal ids, all distinct', () => {
    const old = dataset.tasks.filter((t) => t.createTime < NOW - HEX_ID_AGE_MS);
    const recent = dataset.tasks.filter((t) => t.createTime >= NOW - HEX_ID_AGE_MS);
    expect(old.length).toBeGreaterThan(100);
    expect(recent.length).toBeGreaterThan(100);
    expect(old.every((t) => HEX_ID.test(historyIdOf(t)))).toBe(true);
    expect(recent.every((t) => historyIdOf(t) === String(t.id))).toBe(true);
    expect(new Set(dataset.tasks.map(historyIdOf)).size).toBe(dataset.tasks.length);
    // url-tasks' task_id is an integer in urls.py: records keep the decimal id whatever the task shows.
    expect(old.every((t) => t.records.every((r) => Number.isInteger(r.taskId) && r.taskId === t.id))).toBe(true);
  });

  it('draws the same hex ids and REFRESH_AFTER_PREHEATING preheats for a seed, others for another', () => {
    const again = generateDataset({ seed: 1, records: 40_000, now: NOW });
    const marks = (tasks: readonly TaskEntry[]): string[] => tasks.map((t) => `${historyIdOf(t)}:${t.refreshAfterPreheating === true}`);
    expect(marks(again.tasks)).toEqual(marks(dataset.tasks));
    const other = generateDataset({ seed: 2, records: 40_000, now: NOW });
    expect(marks(other.tasks).slice(0, 20)).not.toEqual(marks(dataset.tasks).slice(0, 20));
  });

  it('marks a few preheats, and only preheats, as REFRESH_AFTER_PREHEATING', () => {
    const marked = dataset.tasks.filter((t) => t.refreshAfterPreheating);
    const preheats = dataset.tasks.filter((t) => t.type === 'PREHEATING');
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.every((t) => t.type === 'PREHEATING')).toBe(true);
    expect(marked.length / preheats.length).toBeLessThan(0.2);
  });

  it('fails records only with the fail_classify values url_object.py lists, each of them used', () => {
    expect(FAILURES.map((f) => f.classify)).toEqual(['ORIGIN_ERROR', 'INNER_ERROR', 'UNKNOWN_ERROR']);
    const used = new Set(dataset.records.filter((r) => r.final === 'FAILED').map((r) => r.failure.classify));
    expect([...used].sort()).toEqual(['INNER_ERROR', 'ORIGIN_ERROR', 'UNKNOWN_ERROR']);
  });
});

describe('a task detail URL', () => {
  const record: UrlRecord = {
    id: 8_000_123,
    url: 'https://a.example/x.jpg',
    type: 'PREHEATING',
    taskId: 400_007,
    createTime: 10_500,
    fileType: 'file',
    mode: 'all',
    waitUntil: 11_000,
    settleAt: 12_000,
    active: 'PREHEATING',
    final: 'FAILED',
    failure: { classify: 'INNER_ERROR', desc: 'inner' },
  };
  const task: TaskEntry = { id: 400_007, historyId: 'ff808081aaaaaaaabbbbbbbbcccccccc', type: 'PREHEATING', fileType: 'file', createTime: 10_500, records: [record] };

  it('has exactly url_object.py fields, string ids and the task id historytasks shows', () => {
    expect(toTaskUrlWire(record, task, 20_000)).toEqual({
      id: '8000123',
      url: 'https://a.example/x.jpg',
      status: 'failed',
      create_time: 10_500,
      task_id: 'ff808081aaaaaaaabbbbbbbbcccccccc',
      task_type: 'PREHEATING',
      fail_classify: 'INNER_ERROR',
      fail_desc: 'inner',
    });
  });

  it('leaves the failure fields out until the URL fails, and shows REFRESH_AFTER_PREHEATING for such a preheat', () => {
    const wire = toTaskUrlWire(record, { ...task, historyId: undefined, refreshAfterPreheating: true }, 11_500);
    expect(wire).toEqual({ id: '8000123', url: 'https://a.example/x.jpg', status: 'preheating', create_time: 10_500, task_id: '400007', task_type: 'REFRESH_AFTER_PREHEATING' });
  });
});

describe('account refusals', () => {
  const faults = (over: Partial<FaultConfig>): FaultConfig => ({ ...defaultFaults(DEFAULT_RATE_LIMITS), ...over });
  const required = faults({ enterpriseProjectRequired: true });

  it('refuse historytasks, detail and the creates without enterprise_project_id with a 400 ErrRsp', () => {
    for (const op of ['historytasks', 'detail', 'refresh', 'preheat'] as const) {
      expect(refuseByAccount(op, {}, required)).toEqual({ status: 400, body: { error: { error_code: 'CDN.0001', error_msg: PROJECT_REQUIRED_MESSAGE } } });
      expect(refuseByAccount(op, { enterprise_project_id: '' }, required)?.status).toBe(400);
      expect(refuseByAccount(op, { enterprise_project_id: 'all' }, required)).toBeUndefined();
      expect(refuseByAccount(op, { enterprise_project_id: '0' }, required)).toBeUndefined();
      expect(refuseByAccount(op, {}, faults({}))).toBeUndefined();
    }
  });

  it('never refuse url-tasks for a missing project, and refuse all of it when the API is not enabled', () => {
    expect(refuseByAccount('url-tasks', {}, required)).toBeUndefined();
    const disabled = faults({ urlTasksDisabled: true });
    expect(refuseByAccount('url-tasks', { enterprise_project_id: 'all' }, disabled)).toMatchObject({ status: 403, body: { error: { error_code: 'CDN.0004' } } });
    expect(refuseByAccount('historytasks', {}, disabled)).toBeUndefined();
  });
});

describe('response reshaping', () => {
  const none = { omitFields: {}, unknownEnumValues: false } as const;
  const urlTasks = { total: 2, count: 1, result: [{ id: 1, status: 'SUCCEED', type: 'REFRESH', mode: 'all', modify_time: 3, file_type: 'file' }] };
  const detail = {
    id: '7',
    task_type: 'refresh',
    status: 'task_done',
    total: 2,
    file_type: 'file',
    urls: [
      { id: '1', status: 'failed', task_type: 'REFRESH', fail_classify: 'ORIGIN_ERROR' },
      { id: '2', status: 'succeed', task_type: 'REFRESH' },
    ],
  };

  it('drops record fields and top-level fields of the named scope only', () => {
    expect(reshapeBody('url-tasks', urlTasks, { ...none, omitFields: { 'url-tasks': ['mode', 'modify_time', 'count'], historytasks: ['status'] } })).toEqual({
      total: 2,
      result: [{ id: 1, status: 'SUCCEED', type: 'REFRESH', file_type: 'file' }],
    });
    const history = { total: 5, tasks: [{ id: '7', total: 2, status: 'task_done' }] };
    expect(reshapeBody('historytasks', history, { ...none, omitFields: { historytasks: ['total'] } })).toEqual({ tasks: [{ id: '7', status: 'task_done' }] });
  });

  it('drops the id of a create answer when told to', () => {
    expect(reshapeBody('refresh', { refresh_task: '4001' }, { ...none, omitFields: { refresh: ['refresh_task'] } })).toEqual({});
    expect(reshapeBody('preheat', { preheating_task: '4002' }, { ...none, omitFields: { refresh: ['refresh_task'] } })).toEqual({ preheating_task: '4002' });
  });

  it('drops detail fields and detail URL fields separately', () => {
    const out = reshapeBody('detail', detail, { ...none, omitFields: { detail: ['file_type'], 'detail-urls': ['task_type', 'fail_classify'] } });
    expect(out).toEqual({ id: '7', task_type: 'refresh', status: 'task_done', total: 2, urls: [{ id: '1', status: 'failed' }, { id: '2', status: 'succeed' }] });
  });

  it('gives status and type fields unseen values with true, or the chosen enum fields, present fields only', () => {
    expect(reshapeBody('url-tasks', urlTasks, { ...none, unknownEnumValues: true })).toMatchObject({ result: [{ status: 'QUEUED', type: 'PURGE', mode: 'all', file_type: 'file' }] });
    expect(reshapeBody('detail', detail, { ...none, unknownEnumValues: true })).toMatchObject({
      status: 'task_queued',
      task_type: 'purge',
      urls: [
        { status: 'queued', task_type: 'PURGE', fail_classify: 'ORIGIN_ERROR' },
        { status: 'queued', task_type: 'PURGE' },
      ],
    });
    const chosen = reshapeBody('detail', detail, { ...none, unknownEnumValues: { 'detail-urls': ['fail_classify'] } }) as typeof detail;
    expect(chosen.status).toBe('task_done');
    expect(chosen.urls).toEqual([{ ...detail.urls[0], fail_classify: 'NETWORK_ERROR' }, detail.urls[1]]);
  });
});

describe('the fault fields of account modes and reshaping', () => {
  it('keeps the start option of enterpriseProjectRequired as the default, and reads the new fields', () => {
    expect(defaultFaults(DEFAULT_RATE_LIMITS, { enterpriseProjectRequired: true }).enterpriseProjectRequired).toBe(true);
    const parsed = parseFaultConfig({ urlTasksDisabled: true, omitFields: { 'detail-urls': ['fail_desc', 'fail_desc'] }, unknownEnumValues: true }, DEFAULT_RATE_LIMITS, { enterpriseProjectRequired: true });
    expect(parsed).toEqual({
      ok: true,
      value: { ...defaultFaults(DEFAULT_RATE_LIMITS), enterpriseProjectRequired: true, urlTasksDisabled: true, omitFields: { 'detail-urls': ['fail_desc'] }, unknownEnumValues: true },
    });
  });

  it.each<[string, unknown, string]>([
    ['a non-boolean switch', { urlTasksDisabled: 'yes' }, 'urlTasksDisabled must be true or false, got "yes"'],
    ['an unknown scope', { omitFields: { tasks: ['id'] } }, 'omitFields has an unknown key "tasks"; keys are url-tasks, historytasks, detail, detail-urls, refresh, preheat'],
    [
      'a field the scope does not have',
      { omitFields: { 'detail-urls': ['modify_time'] } },
      'omitFields.detail-urls must be an array of id, url, status, create_time, task_id, task_type, fail_classify, fail_desc, got ["modify_time"]',
    ],
    [
      'a non-enum field',
      { unknownEnumValues: { 'url-tasks': ['url'] } },
      'unknownEnumValues.url-tasks must be an array of status, type, file_type, mode, got ["url"] (or true for every status and type field)',
    ],
  ])('refuses %s', (_name, input, message) => {
    expect(parseFaultConfig(input, DEFAULT_RATE_LIMITS)).toEqual({ ok: false, message });
  });
});
