/**
 * Renders records and tasks in Huawei's wire shapes, field for field as the official SDK models
 * list them (urls.py, tasks_object.py, url_object.py; docs/upstream.md, `## Task detail`).
 * The types come from the gateway's own wire schemas, so the simulator cannot drift from them.
 */
import type { HistoryTaskWire, TaskUrlWire, UrlTaskWire } from '../cdn/wire';
import { historyIdOf, modifyTimeAt, statusAt, taskStatusOf, toTaskType, type DetailTaskType, type TaskCounts, type TaskEntry, type UrlRecord } from './model';

/** Renders a url-tasks record: integer ids (urls.py), UPPER-case status, `mode` only when the record has one. */
export function toUrlTaskWire(record: UrlRecord, now: number): UrlTaskWire {
  return {
    id: record.id,
    url: record.url,
    status: statusAt(record, now),
    type: record.type,
    task_id: record.taskId,
    modify_time: modifyTimeAt(record, now),
    create_time: record.createTime,
    file_type: record.fileType,
    ...(record.mode ? { mode: record.mode } : {}),
  };
}

/** Renders a history task: string id (decimal or `ff8080…` hex), lower-case type, status derived from the counts. */
export function toHistoryTaskWire(task: TaskEntry, counts: TaskCounts): HistoryTaskWire {
  return {
    id: historyIdOf(task),
    task_type: toTaskType(task.type),
    status: taskStatusOf(counts),
    processing: counts.processing,
    succeed: counts.succeed,
    failed: counts.failed,
    total: counts.total,
    create_time: task.createTime,
    file_type: task.fileType,
  };
}

// url_object.py has no modify_time, file_type or mode: a client must not come to rely on them.
/** Renders a task detail URL with exactly url_object.py's fields: string ids, lower-case status, failure fields on failures only. */
export function toTaskUrlWire(record: UrlRecord, task: TaskEntry, now: number): TaskUrlWire {
  const status = statusAt(record, now);
  const taskType: DetailTaskType = task.refreshAfterPreheating ? 'REFRESH_AFTER_PREHEATING' : record.type;
  return {
    id: String(record.id),
    url: record.url,
    status: status.toLowerCase(),
    create_time: record.createTime,
    task_id: historyIdOf(task),
    task_type: taskType,
    ...(status === 'FAILED' ? { fail_classify: record.failure.classify, fail_desc: record.failure.desc } : {}),
  };
}
