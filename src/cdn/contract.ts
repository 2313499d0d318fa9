/**
 * The response contract of the CDN API as Huawei's official SDK models define it
 * (docs/upstream.md, Common rules, Ids, Enumerations and each endpoint's section): the fields
 * each level of a 200 body may carry, their JSON kinds, and the documented enum values with
 * their casing. Pure data, hand-transcribed like test/contract/fixtures/ (whose `_source`
 * lists the same SDK files) and kept equal to those fixtures by test/contract/contract-source.test.ts.
 * Every field is optional (docs/upstream.md#common-rules): a missing field never breaks it.
 */
import type { OperationName } from './operations';

/** A JSON type a model field may have. */
export type FieldKind = 'int' | 'string' | 'bool' | 'list' | 'object';

/** The contract of one level of a body: its fields' kinds and the allowed values of its enum fields. */
export interface LevelContract {
  readonly fields: Readonly<Record<string, FieldKind>>;
  readonly enums: Readonly<Record<string, readonly string[]>>;
}

/** The response contract of one endpoint: the top level and, for lists, the records under `list`. */
export interface BodyContract {
  /** The SDK model files transcribed, as `<owner>/<repo>:<path>` (docs/upstream.md#sources). */
  readonly sources: readonly string[];
  readonly top: LevelContract;
  readonly list?: { readonly key: string; readonly records: LevelContract };
}

const PY = 'huaweicloud/huaweicloud-sdk-python-v3:huaweicloud-sdk-cdn/huaweicloudsdkcdn/v2/model/';

// docs/upstream.md#enumerations
const URL_STATUSES = ['processing', 'succeed', 'failed', 'waiting', 'refreshing', 'preheating'] as const;
const FILE_TYPES = ['file', 'directory'] as const;
const TASK_ENUMS = { task_type: ['refresh', 'preheating'], status: ['task_inprocess', 'task_done'], file_type: FILE_TYPES };

// TasksObject: docs/upstream.md#historytasks (ids are strings, docs/upstream.md#ids).
const TASK_FIELDS = {
  id: 'string',
  task_type: 'string',
  status: 'string',
  processing: 'int',
  succeed: 'int',
  failed: 'int',
  total: 'int',
  create_time: 'int',
  file_type: 'string',
} as const;

/** The response contracts by operation name. */
export const CONTRACTS: Readonly<Record<OperationName, BodyContract>> = {
  // docs/upstream.md#url-tasks: PY show_url_task_info_response, urls (ids are integers here).
  'url-tasks': {
    sources: [`${PY}show_url_task_info_response.py`, `${PY}urls.py`],
    top: { fields: { total: 'int', count: 'int', result: 'list' }, enums: {} },
    list: {
      key: 'result',
      records: {
        fields: { id: 'int', url: 'string', status: 'string', type: 'string', task_id: 'int', modify_time: 'int', create_time: 'int', file_type: 'string', mode: 'string' },
        enums: {
          // Upper case as the API reference example shows (docs/upstream.md#enumerations; the SDK docstring lists them lower case).
          status: URL_STATUSES.map((s) => s.toUpperCase()),
          type: ['REFRESH', 'PREHEATING'],
          file_type: FILE_TYPES,
          mode: ['all', 'detect_modify_refresh'],
        },
      },
    },
  },
  // docs/upstream.md#historytasks: PY show_history_tasks_response, tasks_object.
  historytasks: {
    sources: [`${PY}show_history_tasks_response.py`, `${PY}tasks_object.py`],
    top: { fields: { total: 'int', tasks: 'list' }, enums: {} },
    list: { key: 'tasks', records: { fields: TASK_FIELDS, enums: TASK_ENUMS } },
  },
  // docs/upstream.md#task-detail: PY show_history_task_details_response, url_object (no modify_time, file_type or mode on URLs).
  detail: {
    sources: [`${PY}show_history_task_details_response.py`, `${PY}url_object.py`],
    top: { fields: { ...TASK_FIELDS, urls: 'list' }, enums: TASK_ENUMS },
    list: {
      key: 'urls',
      records: {
        fields: { id: 'string', url: 'string', status: 'string', create_time: 'int', task_id: 'string', task_type: 'string', fail_classify: 'string', fail_desc: 'string' },
        enums: {
          status: URL_STATUSES,
          task_type: ['REFRESH', 'PREHEATING', 'REFRESH_AFTER_PREHEATING'],
          fail_classify: ['ORIGIN_ERROR', 'INNER_ERROR', 'UNKNOWN_ERROR'],
        },
      },
    },
  },
  // docs/upstream.md#create-refresh and #create-preheat: the created task's id, a string.
  refresh: { sources: [`${PY}create_refresh_tasks_response.py`], top: { fields: { refresh_task: 'string' }, enums: {} } },
  preheat: { sources: [`${PY}create_preheating_tasks_response.py`], top: { fields: { preheating_task: 'string' }, enums: {} } },
};
