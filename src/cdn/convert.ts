/**
 * Converters from the upstream's validated wire shapes (wire.ts) to the models the graph
 * uses (models.ts). Pure; the only place that knows both vocabularies. Absent fields become
 * null; ids become strings (tasks) or numbers (records).
 */
import type { ListedUrlTaskModel, TaskDetailModel, TaskModel, TaskPage, TaskUrlModel, UrlTaskPage } from './models';
import type { HistoryTasksResponseWire, HistoryTaskWire, TaskDetailResponseWire, TaskUrlWire, UrlTasksResponseWire, UrlTaskWire } from './wire';

/** Converts one url-tasks record; the status stays as sent (upper case), the task id becomes a string. */
export function toUrlTaskModel(w: UrlTaskWire): ListedUrlTaskModel {
  return {
    id: Number(w.id),
    url: w.url ?? null,
    status: w.status ?? null,
    type: w.type ?? null,
    taskId: String(w.task_id),
    createTime: w.create_time,
    modifyTime: w.modify_time ?? null,
    fileType: w.file_type ?? null,
    mode: w.mode ?? null,
    failClassify: null,
    failDesc: null,
  };
}

/** Converts a url-tasks page; a missing `count` is the number of records received. */
export function toUrlTaskPage(w: UrlTasksResponseWire): UrlTaskPage {
  return { total: w.total, count: w.count ?? w.result.length, records: w.result.map(toUrlTaskModel) };
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

/** Converts one URL of a task detail of task `taskId` (its own `task_id` may be absent); the id becomes a number, the status upper case. */
export function toTaskUrlModel(w: TaskUrlWire, taskId: string): TaskUrlModel {
  return {
    id: Number(w.id),
    url: w.url ?? null,
    status: w.status == null ? null : w.status.toUpperCase(),
    type: w.task_type ?? null,
    taskId: w.task_id == null ? taskId : String(w.task_id),
    createTime: w.create_time ?? null,
    modifyTime: null,
    fileType: null,
    mode: null,
    failClassify: w.fail_classify ?? null,
    failDesc: w.fail_desc ?? null,
  };
}

/** Converts a task detail; absent `urls` is an empty list. */
export function toTaskDetailModel(w: TaskDetailResponseWire): TaskDetailModel {
  const task = toTaskModel(w);
  return { ...task, urls: (w.urls ?? []).map((u) => toTaskUrlModel(u, task.id)) };
}
