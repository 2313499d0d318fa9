/**
 * The simulator's records and tasks, and the pure rules that derive what the API shows of
 * them at a given instant: a record's status moves along its timeline as the clock advances,
 * and a task's counts are always derived from its records, so the two never disagree.
 */

/** A URL record status, upper case as url-tasks returns it. */
export type UrlStatus = 'PROCESSING' | 'SUCCEED' | 'FAILED' | 'WAITING' | 'REFRESHING' | 'PREHEATING';
/** Every URL status. */
export const URL_STATUSES: readonly UrlStatus[] = ['PROCESSING', 'SUCCEED', 'FAILED', 'WAITING', 'REFRESHING', 'PREHEATING'];
/** A status a record holds while the CDN still works on it (after WAITING). */
export type ActiveStatus = 'PROCESSING' | 'REFRESHING' | 'PREHEATING';
/** A status a record ends in. */
export type FinalStatus = 'SUCCEED' | 'FAILED';
/** A record's type, upper case as url-tasks returns it. */
export type RecordType = 'REFRESH' | 'PREHEATING';
/** A record's or task's file type. */
export type FileType = 'file' | 'directory';
/** How a directory is refreshed. */
export type RefreshMode = 'all' | 'detect_modify_refresh';
/** A history task status. */
export type TaskStatus = 'task_inprocess' | 'task_done';
/** A task detail URL's `task_type` (url_object.py): upper case, and one value no other API shows. */
export type DetailTaskType = RecordType | 'REFRESH_AFTER_PREHEATING';
/** Why a failed URL failed, as the task detail's `fail_classify` (url_object.py lists exactly these). */
export type FailClassify = 'ORIGIN_ERROR' | 'INNER_ERROR' | 'UNKNOWN_ERROR';

/** Why a record failed, shown by the task detail. */
export interface Failure {
  readonly classify: FailClassify;
  readonly desc: string;
}

/** One URL record: immutable facts plus a timeline, and an optional status fixed by the control API. */
export interface UrlRecord {
  readonly id: number;
  readonly url: string;
  readonly type: RecordType;
  readonly taskId: number;
  readonly createTime: number;
  readonly fileType: FileType;
  readonly mode?: RefreshMode;
  /** WAITING before this instant (epoch ms). */
  readonly waitUntil: number;
  /** `active` from `waitUntil` to this instant, `final` from it on. */
  readonly settleAt: number;
  readonly active: ActiveStatus;
  readonly final: FinalStatus;
  /** Shown when the record's status is FAILED. */
  readonly failure: Failure;
  /** Set by `PATCH /__sim/url-tasks/{id}`: the status no longer follows the timeline. */
  fixed?: { readonly status: UrlStatus; readonly modifyTime: number };
}

/** A refresh or preheat task: the records it holds, in id order. */
export interface TaskEntry {
  /** The decimal id url-tasks shows as `task_id` (an integer in urls.py). */
  readonly id: number;
  /**
   * The id historytasks and the detail show (a string in tasks_object.py / url_object.py) when
   * it is not the decimal one: older tasks carry 32-hex `ff8080…` ids, like the docs' example.
   */
  readonly historyId?: string;
  /** A preheat whose detail URLs show `task_type` REFRESH_AFTER_PREHEATING. */
  readonly refreshAfterPreheating?: boolean;
  readonly type: RecordType;
  readonly fileType: FileType;
  readonly createTime: number;
  readonly records: UrlRecord[];
  /** Counts cached once every record has settled (cleared when a record is patched). */
  settledCounts?: TaskCounts;
}

/** A task's aggregates. `processing` counts every record not yet SUCCEED or FAILED. */
export interface TaskCounts {
  readonly processing: number;
  readonly succeed: number;
  readonly failed: number;
  readonly total: number;
}

/** Returns a record's status at `now`. */
export function statusAt(record: UrlRecord, now: number): UrlStatus {
  if (record.fixed) return record.fixed.status;
  if (now < record.waitUntil) return 'WAITING';
  return now < record.settleAt ? record.active : record.final;
}

/** Returns a record's modify_time at `now`: its last transition, in whole seconds. */
export function modifyTimeAt(record: UrlRecord, now: number): number {
  if (record.fixed) return record.fixed.modifyTime;
  const changed = now < record.waitUntil ? record.createTime : now < record.settleAt ? record.waitUntil : record.settleAt;
  return toWholeSecond(changed);
}

/** Rounds an instant up to a whole second, so that modify_time never precedes create_time. */
export function toWholeSecond(ms: number): number {
  return Math.ceil(ms / 1000) * 1000;
}

/** Computes a task's counts at `now`, caching them once nothing can change any more. */
export function taskCountsAt(task: TaskEntry, now: number): TaskCounts {
  if (task.settledCounts) return task.settledCounts;
  let processing = 0;
  let succeed = 0;
  let failed = 0;
  let settled = true;
  for (const record of task.records) {
    const status = statusAt(record, now);
    if (status === 'SUCCEED') succeed++;
    else if (status === 'FAILED') failed++;
    else processing++;
    if (!record.fixed && now < record.settleAt) settled = false;
  }
  const counts = { processing, succeed, failed, total: task.records.length };
  if (settled) task.settledCounts = counts;
  return counts;
}

/** Returns a task's status from its counts. */
export function taskStatusOf(counts: TaskCounts): TaskStatus {
  return counts.processing > 0 ? 'task_inprocess' : 'task_done';
}

/** Returns the id historytasks and the task detail show for a task. */
export function historyIdOf(task: TaskEntry): string {
  return task.historyId ?? String(task.id);
}

/** Returns the history-task spelling of a record type (lower case). */
export function toTaskType(type: RecordType): 'refresh' | 'preheating' {
  return type === 'REFRESH' ? 'refresh' : 'preheating';
}
