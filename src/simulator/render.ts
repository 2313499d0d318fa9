/**
 * Renders records and tasks in Huawei's wire shapes (UPSTREAM.md §1–3). The types come from
 * the gateway's own wire schemas, so the simulator cannot drift from what the gateway parses.
 */
import type { HistoryTaskWire, TaskUrlWire, UrlTaskWire } from '../cdn/wire';
import { modifyTimeAt, statusAt, taskStatusOf, toTaskType, type TaskCounts, type TaskEntry, type UrlRecord } from './model';

/** Renders a url-tasks record: numeric ids, UPPER-case status, `mode` only when the record has one. */
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

/** Renders a history task: string id, lower-case type, status derived from the counts. */
export function toHistoryTaskWire(task: TaskEntry, counts: TaskCounts): HistoryTaskWire {
  return {
    id: String(task.id),
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

/** Renders a task detail URL: string ids, lower-case status, failure fields only on failures. */
export function toTaskUrlWire(record: UrlRecord, now: number): TaskUrlWire {
  const status = statusAt(record, now);
  return {
    id: String(record.id),
    url: record.url,
    status: status.toLowerCase(),
    create_time: record.createTime,
    task_id: String(record.taskId),
    task_type: record.type,
    modify_time: modifyTimeAt(record, now),
    file_type: record.fileType,
    ...(record.mode ? { mode: record.mode } : {}),
    ...(status === 'FAILED' ? { fail_classify: record.failure.classify, fail_desc: record.failure.desc } : {}),
  };
}
