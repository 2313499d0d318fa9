/**
 * The simulator's records and tasks, indexed for the three read APIs: records and tasks are
 * kept sorted by create_time, so a time window is two binary searches, never a full scan.
 */
import type { Dataset } from './dataset';
import { FAILURES } from './dataset';
import {
  historyIdOf,
  statusAt,
  taskCountsAt,
  taskStatusOf,
  toTaskType,
  toWholeSecond,
  type FileType,
  type RecordType,
  type RefreshMode,
  type TaskCounts,
  type TaskEntry,
  type TaskStatus,
  type UrlRecord,
  type UrlStatus,
} from './model';

/** One page of a filtered, ordered list, with the number of all matches. */
export interface Page<T> {
  readonly total: number;
  readonly items: T[];
}

/** The url-tasks filter: create_time in [startTime, endTime), plus exact matches. */
export interface UrlTaskFilter {
  readonly startTime: number;
  readonly endTime: number;
  readonly url?: string;
  readonly type?: RecordType;
  readonly status?: UrlStatus;
  readonly fileType?: FileType;
}

/** The historytasks filter: create_time in [startDate, endDate) when given, plus exact matches. */
export interface TaskFilter {
  readonly startDate?: number;
  readonly endDate?: number;
  readonly status?: TaskStatus;
  readonly fileType?: FileType;
  readonly type?: RecordType;
}

/** A field historytasks can order by. */
export type TaskOrderField = 'task_type' | 'total' | 'processing' | 'succeed' | 'failed' | 'create_time';

/** The filter of a task detail's URLs. */
export interface TaskUrlFilter {
  readonly status?: UrlStatus;
  readonly url?: string;
}

/** A task with its counts at the query instant. */
export interface TaskRow {
  readonly task: TaskEntry;
  readonly counts: TaskCounts;
}

/** A task to add: created through the API, or inserted through the control API. */
export interface NewTask {
  readonly type: RecordType;
  readonly fileType: FileType;
  readonly mode?: RefreshMode;
  readonly urls: readonly string[];
  readonly createTime: number;
  /** How long the records stay WAITING then PROCESSING before they settle. */
  readonly transitionMs: number;
  /** A status fixed from the start instead of the timeline. */
  readonly fixedStatus?: UrlStatus;
}

/** Records and tasks with their indexes; the only mutable state of the data. */
export class Store {
  private readonly records: UrlRecord[];
  private readonly tasks: TaskEntry[];
  private readonly recordsById = new Map<number, UrlRecord>();
  private readonly tasksById = new Map<number, TaskEntry>();
  // Keyed by the id historytasks shows (decimal or `ff8080…` hex): the only id the detail API knows.
  private readonly tasksByHistoryId = new Map<string, TaskEntry>();
  // True while record ids increase with create_time: id-descending pages then need no sort.
  private idsFollowTime = true;
  private lastRecordId: number;
  private lastTaskId: number;

  /** Indexes a data set (records and tasks already sorted by create_time). */
  constructor(dataset: Dataset) {
    this.records = dataset.records.slice();
    this.tasks = dataset.tasks.slice();
    for (const record of this.records) this.recordsById.set(record.id, record);
    for (const task of this.tasks) this.index(task);
    this.lastRecordId = this.records.reduce((max, r) => Math.max(max, r.id), 8_000_000);
    this.lastTaskId = this.tasks.reduce((max, t) => Math.max(max, t.id), 400_000);
  }

  /** Returns the number of records and tasks. */
  size(): { records: number; tasks: number } {
    return { records: this.records.length, tasks: this.tasks.length };
  }

  /** Returns one page of records matching the filter, ordered by id descending. */
  queryUrlTasks(filter: UrlTaskFilter, offset: number, limit: number, now: number): Page<UrlRecord> {
    const lo = lowerBound(this.records, filter.startTime);
    const hi = lowerBound(this.records, filter.endTime);
    const filtered = filter.url !== undefined || filter.type || filter.status || filter.fileType;
    if (!filtered && this.idsFollowTime) {
      const items: UrlRecord[] = [];
      for (let i = hi - 1 - offset; i >= lo && items.length < limit; i--) items.push(this.records[i] as UrlRecord);
      return { total: hi - lo, items };
    }
    const matches: UrlRecord[] = [];
    for (let i = hi - 1; i >= lo; i--) {
      const r = this.records[i] as UrlRecord;
      if (filter.url !== undefined && r.url !== filter.url) continue;
      if (filter.type && r.type !== filter.type) continue;
      if (filter.fileType && r.fileType !== filter.fileType) continue;
      if (filter.status && statusAt(r, now) !== filter.status) continue;
      matches.push(r);
    }
    if (!this.idsFollowTime) matches.sort((a, b) => b.id - a.id);
    return { total: matches.length, items: matches.slice(offset, offset + limit) };
  }

  /** Returns one page of tasks matching the filter, in the requested order (ties by id, same direction). */
  queryTasks(filter: TaskFilter, order: { field: TaskOrderField; direction: 'asc' | 'desc' }, offset: number, limit: number, now: number): Page<TaskRow> {
    const lo = filter.startDate === undefined ? 0 : lowerBound(this.tasks, filter.startDate);
    const hi = filter.endDate === undefined ? this.tasks.length : lowerBound(this.tasks, filter.endDate);
    const rows: TaskRow[] = [];
    for (let i = lo; i < hi; i++) {
      const task = this.tasks[i] as TaskEntry;
      if (filter.type && task.type !== filter.type) continue;
      if (filter.fileType && task.fileType !== filter.fileType) continue;
      const counts = taskCountsAt(task, now);
      if (filter.status && taskStatusOf(counts) !== filter.status) continue;
      rows.push({ task, counts });
    }
    const sign = order.direction === 'asc' ? 1 : -1;
    // Tasks are already in (create_time, id) order; other fields need a sort.
    if (order.field === 'create_time') {
      if (sign < 0) rows.reverse();
    } else {
      const key = sortKey(order.field);
      rows.sort((a, b) => sign * (compare(key(a), key(b)) || compare(a.task.createTime, b.task.createTime) || a.task.id - b.task.id));
    }
    return { total: rows.length, items: rows.slice(offset, offset + limit) };
  }

  /** Finds a task by the id historytasks shows. */
  findTask(historyId: string): TaskEntry | undefined {
    return this.tasksByHistoryId.get(historyId);
  }

  /** Returns one page of a task's URLs matching the filter, ordered by id descending as url-tasks is. */
  queryTaskUrls(task: TaskEntry, filter: TaskUrlFilter, offset: number, limit: number, now: number): Page<UrlRecord> {
    const matches: UrlRecord[] = [];
    for (let i = task.records.length - 1; i >= 0; i--) {
      const r = task.records[i] as UrlRecord;
      if (filter.url !== undefined && r.url !== filter.url) continue;
      if (filter.status && statusAt(r, now) !== filter.status) continue;
      matches.push(r);
    }
    return { total: matches.length, items: matches.slice(offset, offset + limit) };
  }

  /** Adds a task and its records with ids above all existing ones; returns the task. */
  addTask(spec: NewTask): TaskEntry {
    const taskId = ++this.lastTaskId;
    const type = spec.type;
    const records = spec.urls.map((url): UrlRecord => {
      const id = ++this.lastRecordId;
      const final = /fail/i.test(url) ? 'FAILED' : 'SUCCEED';
      return {
        id,
        url,
        type,
        taskId,
        createTime: spec.createTime,
        fileType: spec.fileType,
        mode: spec.mode,
        waitUntil: spec.createTime + Math.floor(spec.transitionMs / 2),
        settleAt: spec.createTime + spec.transitionMs,
        active: 'PROCESSING',
        final,
        failure: FAILURES[0] as UrlRecord['failure'],
        fixed: spec.fixedStatus ? { status: spec.fixedStatus, modifyTime: toWholeSecond(spec.createTime) } : undefined,
      };
    });
    const task: TaskEntry = { id: taskId, type, fileType: spec.fileType, createTime: spec.createTime, records };
    const at = upperBound(this.records, spec.createTime);
    if (at < this.records.length) this.idsFollowTime = false;
    this.records.splice(at, 0, ...records);
    this.tasks.splice(upperBound(this.tasks, spec.createTime), 0, task);
    for (const record of records) this.recordsById.set(record.id, record);
    this.index(task);
    return task;
  }

  /** Fixes a record's status (and its modify_time to `now`); `undefined` when the id is unknown. */
  patchRecord(id: number, status: UrlStatus, now: number): UrlRecord | undefined {
    const record = this.recordsById.get(id);
    if (!record) return undefined;
    record.fixed = { status, modifyTime: toWholeSecond(now) };
    const task = this.tasksById.get(record.taskId);
    if (task) task.settledCounts = undefined;
    return record;
  }

  // Makes a task findable by both of its ids.
  private index(task: TaskEntry): void {
    this.tasksById.set(task.id, task);
    this.tasksByHistoryId.set(historyIdOf(task), task);
  }
}

// Returns the first index whose create_time is >= t (the list is sorted by create_time).
function lowerBound(items: ReadonlyArray<{ createTime: number }>, t: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as { createTime: number }).createTime < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Returns the first index whose create_time is > t.
function upperBound(items: ReadonlyArray<{ createTime: number }>, t: number): number {
  return lowerBound(items, t + 1);
}

// Returns the value a task row is ordered by.
function sortKey(field: Exclude<TaskOrderField, 'create_time'>): (row: TaskRow) => number | string {
  if (field === 'task_type') return (row) => toTaskType(row.task.type);
  return (row) => row.counts[field];
}

// Compares two numbers or two strings.
function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
