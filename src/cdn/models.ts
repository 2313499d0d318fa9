/**
 * What the graph sees of the upstream: normalized, typed models (camelCase, upper-case
 * enums, numeric times in ms). Converters from the wire shapes live in src/cdn/convert.ts.
 * A field the upstream may omit is `null` here (never `undefined`), so resolvers return it as is.
 */

/** Operation names; the table of their facts is src/cdn/operations.ts. */
export type { OperationName } from './operations';

/** One URL refresh/preheat record, from url-tasks or from a task detail. */
export interface UrlTaskModel {
  /** Required: cursors and ordering compare record ids. */
  readonly id: number;
  readonly url: string | null;
  /** Upper case: PROCESSING SUCCEED FAILED WAITING REFRESHING PREHEATING (or unknown). */
  readonly status: string | null;
  /** REFRESH, PREHEATING or REFRESH_AFTER_PREHEATING (or unknown). */
  readonly type: string | null;
  /** Required: the global id embeds it and `task` loads by it (a detail URL without one takes its task's). */
  readonly taskId: string;
  /** Required for url-tasks records (windows and cursors order by it); a task detail may omit it. */
  readonly createTime: number | null;
  /** Only url-tasks records carry it; null through task details. */
  readonly modifyTime: number | null;
  /** file or directory; only url-tasks records carry it. */
  readonly fileType: string | null;
  /** all or detect_modify_refresh; only url-tasks records of directory refreshes carry it. */
  readonly mode: string | null;
  /** ORIGIN_ERROR, INNER_ERROR or UNKNOWN_ERROR; only task details carry it, on failed URLs. */
  readonly failClassify: string | null;
  /** Why the URL failed, in the upstream's words; only task details carry it. */
  readonly failDesc: string | null;
}

/** A url-tasks record: its creation time is always known. */
export interface ListedUrlTaskModel extends UrlTaskModel {
  readonly createTime: number;
}

/** One page of url-tasks. */
export interface UrlTaskPage {
  readonly total: number;
  /** Records in this page (the upstream's `count`, or the records' number when it is absent). */
  readonly count: number;
  readonly records: readonly ListedUrlTaskModel[];
}

/** One refresh/preheat task (a history task). */
export interface TaskModel {
  /** Required: every lookup of the task needs it. */
  readonly id: string;
  /** refresh or preheating, lower case as sent. */
  readonly taskType: string | null;
  /** task_inprocess or task_done. */
  readonly status: string | null;
  readonly processing: number | null;
  readonly succeeded: number | null;
  readonly failed: number | null;
  readonly total: number | null;
  readonly createTime: number | null;
  readonly fileType: string | null;
}

/** One page of history tasks. */
export interface TaskPage {
  readonly total: number;
  readonly tasks: readonly TaskModel[];
}

/** One URL inside a task detail: a UrlTask model whose `modifyTime`, `fileType` and `mode` are null. */
export type TaskUrlModel = UrlTaskModel;

/** A task with one page of its URLs. */
export interface TaskDetailModel extends TaskModel {
  readonly urls: readonly TaskUrlModel[];
}
