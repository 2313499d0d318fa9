/**
 * Converters from the upstream's validated wire shapes (wire.ts) to the models the graph
 * uses (models.ts). Pure; the only place that knows both vocabularies. Absent fields become
 * null; ids become strings (tasks) or numbers (records); a URL record's enums become the
 * schema's values (enums.ts).
 */
import { toFailClassify, toFileType, toRefreshMode, toTaskType, toUrlTaskStatus } from './enums';
import type { ListedUrlTaskModel, TaskDetailModel, TaskModel, TaskPage, TaskUrlModel, UrlTaskPage } from './models';
import type { HistoryTasksResponseWire, HistoryTaskWire, TaskDetailResponseWire, TaskUrlWire, UrlTasksResponseWire, UrlTaskWire } from './wire';

/** Converts one url-tasks record: enums to the schema's values (enums.ts), the task id to a string. */
export function toUrlTaskModel(w: UrlTaskWire): ListedUrlTaskModel {
  return {
    id: Number(w.id),
    url: w.url ?? null,
    status: toUrlTaskStatus(w.status ?? null),
    type: toTaskType(w.type ?? null),
    taskId: String(w.task_id),
    createTime: w.create_time,
    modifyTime: w.modify_time ?? null,
    fileType: toFileType(w.file_type ?? null),
    mode: toRefreshMode(w.mode ?? null),
    failClassify: null,
    failDesc: null,
  };
}

/** Converts a url-tasks page; a missing `count` is the number of records received. */
export function toUrlTaskPage(w: UrlTasksResponseWire): UrlTaskPage {
  return { total: w.total, count: w.count ?? w.result.length, records: w.result.map(toUrlTaskModel) };
}

/**
 * Checks and converts a url-tasks 200 body in one pass, straight from the parsed JSON: the
 * records are read once, into their models, with no validated copy in between (a page of 100
 * is the gateway's hottest path). Accepts only what the `UrlTasksResponseWire` schema accepts
 * and converts it as `toUrlTaskPage` does (test/unit/response-schemas.test.ts checks both on
 * generated bodies); returns undefined for anything else, for the schema to name the problem.
 */
export function readUrlTaskPage(json: unknown): UrlTaskPage | undefined {
  if (!isObject(json)) return undefined;
  const { total, count, result } = json as { total?: unknown; count?: unknown; result?: unknown };
  if (!isCount(total) || !(count == null || isCount(count)) || !Array.isArray(result)) return undefined;
  const records: ListedUrlTaskModel[] = new Array(result.length);
  for (let i = 0; i < result.length; i++) {
    const record: unknown = result[i];
    if (!isUrlTaskWire(record)) return undefined;
    records[i] = toUrlTaskModel(record);
  }
  return { total, count: count ?? result.length, records };
}

// A non-negative safe integer (zod's `z.number().int().nonnegative()`).
function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

// A JSON object (not null, not an array).
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Absent, null or a string.
function isOptionalString(value: unknown): boolean {
  return value == null || typeof value === 'string';
}

// Absent, null or a finite number.
function isOptionalNumber(value: unknown): boolean {
  return value == null || (typeof value === 'number' && Number.isFinite(value));
}

const DECIMAL_ID = /^\d{1,15}$/;

// Whether a url-tasks record passes `UrlTaskWire` (wire.ts), field by field.
function isUrlTaskWire(w: unknown): w is UrlTaskWire {
  if (!isObject(w)) return false;
  const { id, task_id: taskId, create_time: createTime } = w;
  return (
    (isCount(id) || (typeof id === 'string' && DECIMAL_ID.test(id))) &&
    (isCount(taskId) || (typeof taskId === 'string' && taskId.length > 0)) &&
    typeof createTime === 'number' &&
    Number.isFinite(createTime) &&
    isOptionalString(w.url) &&
    isOptionalString(w.status) &&
    isOptionalString(w.type) &&
    isOptionalNumber(w.modify_time) &&
    isOptionalString(w.file_type) &&
    isOptionalString(w.mode)
  );
}

/** Converts one history task. */
export function toTaskModel(w: HistoryTaskWire): TaskModel {
  return {
    id: String(w.id),
    taskType: w.task_type ?? null,
    status: w.status ?? null,
    processing: w.processing ?? null,
    succeeded: w.succeed ?? null,
    failed: w.failed ?? null,
    total: w.total ?? null,
    createTime: w.create_time ?? null,
    fileType: w.file_type ?? null,
  };
}

/** Converts a historytasks page. */
export function toTaskPage(w: HistoryTasksResponseWire): TaskPage {
  return { total: w.total, tasks: w.tasks.map(toTaskModel) };
}

/** Converts one URL of a task detail of task `taskId` (its own `task_id` may be absent); the id becomes a number, enums the schema's values. */
export function toTaskUrlModel(w: TaskUrlWire, taskId: string): TaskUrlModel {
  return {
    id: Number(w.id),
    url: w.url ?? null,
    status: toUrlTaskStatus(w.status ?? null),
    type: toTaskType(w.task_type ?? null),
    taskId: w.task_id == null ? taskId : String(w.task_id),
    createTime: w.create_time ?? null,
    modifyTime: null,
    fileType: null,
    mode: null,
    failClassify: toFailClassify(w.fail_classify ?? null),
    failDesc: w.fail_desc ?? null,
  };
}

/** Converts a task detail; absent `urls` is an empty list. */
export function toTaskDetailModel(w: TaskDetailResponseWire): TaskDetailModel {
  const task = toTaskModel(w);
  return { ...task, urls: (w.urls ?? []).map((u) => toTaskUrlModel(u, task.id)) };
}
