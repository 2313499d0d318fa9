/**
 * Typed, camelCase call parameters and their conversion to the upstream's query names and
 * request bodies (docs/upstream.md, one section per endpoint: url-tasks, historytasks, Task detail, Create refresh, Create preheat). Pure functions; the values' ranges are the caller's
 * business (the pagination layer), only the names and the documented casing are fixed here.
 */
import { fillPath } from './operations';
import type { QueryParams } from './signer';
import type { CreatePreheatRequestWire, CreateRefreshRequestWire } from './wire';

/** A URL record status filter; documented lower case, upper case accepted and lowered. */
export type UrlStatusFilter = 'processing' | 'succeed' | 'failed' | 'waiting' | 'refreshing' | 'preheating';
/** A file type; documented lower case, upper case accepted and lowered. */
export type FileTypeFilter = 'file' | 'directory';

/** Parameters of `GET /v1.0/cdn/contentgateway/url-tasks`. */
export interface UrlTasksParams {
  /** Epoch ms; give it with `endTime`, span ≤ 24 h. */
  readonly startTime?: number;
  readonly endTime?: number;
  /** Item offset (not a page number). */
  readonly offset?: number;
  /** Page length, ≤ 100. */
  readonly limit?: number;
  readonly url?: string;
  readonly taskType?: 'REFRESH' | 'PREHEATING' | 'refresh' | 'preheating';
  /** A `UrlStatusFilter` value in either case; sent lower case as documented. */
  readonly status?: string;
  readonly fileType?: FileTypeFilter | Uppercase<FileTypeFilter>;
}

/** Parameters of `GET /v1.0/cdn/historytasks`. */
export interface HistoryTasksParams {
  readonly pageSize?: number;
  readonly pageNumber?: number;
  readonly status?: 'task_inprocess' | 'task_done';
  /** Epoch ms. */
  readonly startDate?: number;
  readonly endDate?: number;
  readonly orderField?: 'task_type' | 'total' | 'processing' | 'succeed' | 'failed' | 'create_time';
  readonly orderType?: 'desc' | 'asc';
  /** Sent `file` when absent: the upstream lists one kind per call, and saying which keeps answers independent of its default. */
  readonly fileType?: FileTypeFilter | Uppercase<FileTypeFilter>;
  readonly taskType?: 'refresh' | 'preheating' | 'REFRESH' | 'PREHEATING';
  /** The enterprise project to list (`all` for every project); needed by IAM users of accounts with enterprise projects. */
  readonly enterpriseProjectId?: string;
}

/** Parameters of `GET /v1.0/cdn/historytasks/{id}/detail`. */
export interface TaskDetailParams {
  readonly pageSize?: number;
  readonly pageNumber?: number;
  /** URL status filter, a `UrlStatusFilter` value in either case; sent lower case. */
  readonly status?: string;
  readonly url?: string;
  /** The task's creation time (epoch ms); without it the upstream searches the last 7 days only. */
  readonly createTime?: number;
  readonly enterpriseProjectId?: string;
}

/** Input of a refresh task. */
export interface CreateRefreshTaskInput {
  readonly type: FileTypeFilter;
  readonly mode?: 'all' | 'detect_modify_refresh';
  readonly urls: readonly string[];
  /** Whether the upstream should percent-encode non-ASCII characters of the URLs. @default false */
  readonly zhUrlEncode?: boolean;
  /** The enterprise project the URLs' domains belong to; sent as the query `enterprise_project_id`. */
  readonly enterpriseProjectId?: string;
}

/** Input of a preheat task. */
export interface CreatePreheatTaskInput {
  readonly urls: readonly string[];
  /** @default false */
  readonly zhUrlEncode?: boolean;
  /** The enterprise project the URLs' domains belong to; sent as the query `enterprise_project_id`. */
  readonly enterpriseProjectId?: string;
}

/**
 * The task id formats the upstream uses: decimal (newer tasks, at most 20 digits) or 32
 * hexadecimal characters (older tasks, e.g. `ff80808276f5b1f50176f6c6fa720128`).
 */
export const TASK_ID_PATTERN = /^(?:[0-9]{1,20}|[0-9a-fA-F]{32})$/;

/** The rule of TASK_ID_PATTERN in words, for error messages. */
export const TASK_ID_RULE = 'a task id is 1 to 20 decimal digits or 32 hexadecimal characters';

/** Tells whether a value is a task id in one of the upstream's formats. */
export function isTaskId(value: unknown): value is string {
  return typeof value === 'string' && TASK_ID_PATTERN.test(value);
}

/** Converts url-tasks parameters to the upstream query. */
export function toUrlTasksQuery(p: UrlTasksParams = {}): QueryParams {
  return compact({
    start_time: p.startTime,
    end_time: p.endTime,
    offset: p.offset,
    limit: p.limit,
    url: p.url,
    task_type: p.taskType?.toUpperCase(),
    status: p.status?.toLowerCase(),
    file_type: p.fileType?.toLowerCase(),
  });
}

/** Converts historytasks parameters to the upstream query. */
export function toHistoryTasksQuery(p: HistoryTasksParams = {}): QueryParams {
  return compact({
    page_size: p.pageSize,
    page_number: p.pageNumber,
    status: p.status,
    start_date: p.startDate,
    end_date: p.endDate,
    order_field: p.orderField,
    order_type: p.orderType,
    file_type: (p.fileType ?? 'file').toLowerCase(),
    task_type: p.taskType?.toLowerCase(),
    enterprise_project_id: p.enterpriseProjectId,
  });
}

/** Converts task detail parameters to the upstream query. */
export function toTaskDetailQuery(p: TaskDetailParams = {}): QueryParams {
  return compact({
    page_size: p.pageSize,
    page_number: p.pageNumber,
    status: p.status?.toLowerCase(),
    url: p.url,
    create_time: p.createTime,
    enterprise_project_id: p.enterpriseProjectId,
  });
}

/** Builds the path of a task detail; `undefined` unless the id is in one of the upstream's formats (TASK_ID_PATTERN). */
export function taskDetailPath(taskId: string): string | undefined {
  if (!isTaskId(taskId)) return undefined;
  return fillPath('detail', taskId);
}

/** Converts the query of a create call: only the enterprise project, when given. */
export function toCreateQuery(input: { readonly enterpriseProjectId?: string }): QueryParams {
  return compact({ enterprise_project_id: input.enterpriseProjectId });
}

/** Builds the refresh request body. */
export function toRefreshBody(input: CreateRefreshTaskInput): CreateRefreshRequestWire {
  return {
    refresh_task: {
      type: input.type,
      ...(input.mode === undefined ? {} : { mode: input.mode }),
      zh_url_encode: input.zhUrlEncode ?? false,
      urls: [...input.urls],
    },
  };
}

/** Builds the preheat request body. */
export function toPreheatBody(input: CreatePreheatTaskInput): CreatePreheatRequestWire {
  return { preheating_task: { zh_url_encode: input.zhUrlEncode ?? false, urls: [...input.urls] } };
}

// Drops undefined values so the query (and its signature) holds only what was asked for.
function compact(query: Record<string, string | number | undefined>): QueryParams {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) out[key] = value;
  return out;
}
