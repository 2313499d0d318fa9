/**
 * What the graph sees of the upstream: normalized, typed models (camelCase, upper-case
 * enums, numeric times in ms). Converters from the wire shapes live in src/cdn/convert.ts.
 * A field the upstream may omit is `null` here (never `undefined`), so resolvers return it as is.
 */
import type { FailClassifyValue, FileTypeValue, RefreshModeValue, TaskTypeValue, UrlTaskStatusValue } from './enums';

/** Operation names; the table of their facts is src/cdn/operations.ts. */
export type { OperationName } from './operations';

/**
 * One URL refresh/preheat record, from url-tasks or from a task detail, in the form the graph
 * returns it: built once from the wire record (convert.ts), with its enum fields already the
 * schema's values (upper case; `UNKNOWN` for a value the gateway does not know), so that only
 * the fields the schema names differently (`id`, `createdAt`, `modifiedAt`) need a resolver.
 */
export interface UrlTaskModel {
  /** The record id. Required: cursors and ordering compare record ids (the GraphQL `id` is a global id built from it when selected). */
  readonly id: number;
  readonly url: string | null;
  /** PROCESSING SUCCEED FAILED WAITING REFRESHING PREHEATING, or UNKNOWN. */
  readonly status: UrlTaskStatusValue | null;
  /** REFRESH, PREHEATING or REFRESH_AFTER_PREHEATING, or UNKNOWN. */
  readonly type: TaskTypeValue | null;
  /** Required: the global id embeds it and `task` loads by it (a detail URL without one takes its task's). */
  readonly taskId: string;
  /** Required for url-tasks records (windows and cursors order by it); a task detail may omit it. */
  readonly createTime: number | null;
  /** Only url-tasks records carry it; null through task details. */
  readonly modifyTime: number | null;
  /** FILE or DIRECTORY (or UNKNOWN); only url-tasks records carry it. */
  readonly fileType: FileTypeValue | null;
  /** ALL or DETECT_MODIFY_REFRESH (or UNKNOWN); only url-tasks records of directory refreshes carry it. */
  readonly mode: RefreshModeValue | null;
  /** ORIGIN_ERROR, INNER_ERROR or UNKNOWN_ERROR (or UNKNOWN); only task details carry it, on failed URLs. */
  readonly failClassify: FailClassifyValue | null;
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
