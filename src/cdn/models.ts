/**
 * What the graph sees of the upstream: normalized, typed models (camelCase, upper-case
 * enums, numeric times in ms). Converters from the wire shapes live in src/cdn/convert.ts.
 */

/** Operation names; the table of their facts is src/cdn/operations.ts. */
export type { OperationName } from './operations';

/** One URL refresh/preheat record. */
export interface UrlTaskModel {
  readonly id: number;
  readonly url: string;
  /** Upper case as the upstream sends it: PROCESSING SUCCEED FAILED WAITING REFRESHING PREHEATING (or unknown). */
  readonly status: string;
  /** REFRESH or PREHEATING (or unknown). */
  readonly type: string;
  readonly taskId: string;
  readonly createTime: number;
  /** Absent where the upstream does not say (task detail pages). */
  readonly modifyTime?: number;
  /** file or directory. */
  readonly fileType: string;
  /** all or detect_modify_refresh; absent for most files. */
  readonly mode?: string;
}

/** One page of url-tasks. */
export interface UrlTaskPage {
  readonly total: number;
  readonly records: readonly UrlTaskModel[];
}

/** One refresh/preheat task (a history task). */
export interface TaskModel {
  readonly id: string;
  /** refresh or preheating, lower case as sent. */
  readonly taskType: string;
  /** task_inprocess or task_done. */
  readonly status: string;
  readonly processing: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly total: number;
  readonly createTime: number;
  readonly fileType: string;
}

/** One page of history tasks. */
export interface TaskPage {
  readonly total: number;
  readonly tasks: readonly TaskModel[];
}

/** One URL inside a task detail. */
export interface TaskUrlModel {
  readonly id: number;
  readonly url: string;
  /** Upper-cased from the detail's lower-case status. */
  readonly status: string;
  readonly type: string;
  readonly taskId: string;
  readonly createTime: number;
  readonly modifyTime?: number;
  readonly fileType?: string;
  readonly mode?: string;
  readonly failClassify?: string;
  readonly failDesc?: string;
}

/** A task with one page of its URLs. */
export interface TaskDetailModel extends TaskModel {
  readonly urls: readonly TaskUrlModel[];
}
