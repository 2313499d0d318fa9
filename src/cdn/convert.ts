/**
 * Converters from the upstream's validated wire shapes (wire.ts) to the models the graph
 * uses (models.ts). Pure; the only place that knows both vocabularies.
 */
import type { TaskDetailModel, TaskModel, TaskPage, TaskUrlModel, UrlTaskModel, UrlTaskPage } from './models';
import type { HistoryTasksResponseWire, HistoryTaskWire, TaskDetailResponseWire, TaskUrlWire, UrlTasksResponseWire, UrlTaskWire } from './wire';

/** Converts one url-tasks record; the status stays as sent (upper case), the numeric task id becomes a string. */
export function toUrlTaskModel(w: UrlTaskWire): UrlTaskModel {
  return {
    id: w.id,
    url: w.url,
    status: w.status,
    type: w.type,
    taskId: String(w.task_id),
    createTime: w.create_time,
    modifyTime: w.modify_time,
    fileType: w.file_type,
    ...(w.mode === undefined ? {} : { mode: w.mode }),
  };
}

/** Converts a url-tasks page. */
export function toUrlTaskPage(w: UrlTasksResponseWire): UrlTaskPage {
  return { total: w.total, records: w.result.map(toUrlTaskModel) };
}

/** Converts one history task. */
export function toTaskModel(w: HistoryTaskWire): TaskModel {
  return {
    id: w.id,
    taskType: w.task_type,
    status: w.status,
    processing: w.processing,
    succeeded: w.succeed,
    failed: w.failed,
    total: w.total,
    createTime: w.create_time,
    fileType: w.file_type,
  };
}

/** Converts a historytasks page. */
export function toTaskPage(w: HistoryTasksResponseWire): TaskPage {
  return { total: w.total, tasks: w.tasks.map(toTaskModel) };
}

/** Converts one URL of a task detail; the string id becomes a number, the status upper case. */
export function toTaskUrlModel(w: TaskUrlWire): TaskUrlModel {
  return {
    id: Number(w.id),
    url: w.url,
    status: w.status.toUpperCase(),
    type: w.task_type,
    taskId: w.task_id,
    createTime: w.create_time,
    ...(w.modify_time === undefined ? {} : { modifyTime: w.modify_time }),
    ...(w.file_type === undefined ? {} : { fileType: w.file_type }),
    ...(w.mode === undefined ? {} : { mode: w.mode }),
    ...(w.fail_classify === undefined ? {} : { failClassify: w.fail_classify }),
    ...(w.fail_desc === undefined ? {} : { failDesc: w.fail_desc }),
  };
}

/** Converts a task detail. */
export function toTaskDetailModel(w: TaskDetailResponseWire): TaskDetailModel {
  return { ...toTaskModel(w), urls: w.urls.map(toTaskUrlModel) };
}
