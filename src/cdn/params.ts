/**
 * Typed, camelCase call parameters and their conversion to the upstream's query names and
 * request bodies (docs/upstream.md, Endpoints). Pure functions; the values' ranges are the caller's
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
  readonly fileType?: FileTypeFilter | Uppercase<FileTypeFilter>;
  readonly taskType?: 'refresh' | 'preheating' | 'REFRESH' | 'PREHEATING';
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
}

/** Input of a preheat task. */
export interface CreatePreheatTaskInput {
  readonly urls: readonly string[];
  /** @default false */
  readonly zhUrlEncode?: boolean;
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
    file_type: p.fileType?.toLowerCase(),
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

/** Builds the decoded path of a task detail; a task id must be one non-empty path segment. */
export function taskDetailPath(taskId: string): string | undefined {
  if (typeof taskId !== 'string' || taskId === '' || taskId.includes('/') || taskId === '.' || taskId === '..') return undefined;
  return fillPath('detail', taskId);
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
