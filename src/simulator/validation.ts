/**
 * Parameter validation of the CDN API (docs/upstream.md), as pure functions: raw query or
 * body in, typed request or the message of a 400 CDN.0001 out. A message names the parameter,
 * the rule and the value that broke it.
 */
import { URL_STATUSES, type FileType, type RecordType, type RefreshMode, type TaskStatus } from './model';
import type { TaskFilter, TaskOrderField, TaskUrlFilter, UrlTaskFilter } from './store';

/** Decoded query parameters; repeated keys as arrays. */
export type RawQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A validated value, or why it was refused. */
export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** The url-tasks span limit. */
export const MAX_SPAN_MS = 24 * 3600 * 1000;
/** The url-tasks page size limit. */
export const MAX_LIMIT = 100;
/** The most URLs one create call may hold. */
export const MAX_URLS_PER_CALL = 1000;
/** The most directories one refresh call may hold. */
export const MAX_DIRECTORIES_PER_CALL = 100;
/** The longest URL accepted. */
export const MAX_URL_LENGTH = 4096;

/** A validated url-tasks request. */
export interface UrlTasksQuery {
  readonly filter: UrlTaskFilter;
  readonly offset: number;
  readonly limit: number;
}

/** A validated historytasks request. */
export interface HistoryTasksQuery {
  readonly filter: TaskFilter;
  readonly order: { readonly field: TaskOrderField; readonly direction: 'asc' | 'desc' };
  readonly pageSize: number;
  readonly pageNumber: number;
}

/** A validated task detail request. */
export interface TaskDetailQuery {
  readonly filter: TaskUrlFilter;
  readonly pageSize: number;
  readonly pageNumber: number;
  /** The task's creation time, when the caller gave it (widens the search to 15 days). */
  readonly createTime?: number;
}

/** A validated refresh task body. */
export interface RefreshTaskRequest {
  readonly fileType: FileType;
  readonly mode?: RefreshMode;
  readonly urls: readonly string[];
}

/** A validated preheat task body. */
export interface PreheatTaskRequest {
  readonly urls: readonly string[];
}

// Thrown inside this module only, turned into `{ ok: false }` at each entry point.
class Invalid extends Error {}

const DAY_MS = 24 * 3600 * 1000;
const TASK_ORDER_FIELDS: readonly TaskOrderField[] = ['task_type', 'total', 'processing', 'succeed', 'failed', 'create_time'];

/** Validates url-tasks parameters; the default window is the UTC day holding `now`. */
export function validateUrlTasksQuery(query: RawQuery, now: number): Validated<UrlTasksQuery> {
  return attempt(() => {
    const start = epochMs(query, 'start_time');
    const end = epochMs(query, 'end_time');
    if ((start === undefined) !== (end === undefined)) {
      const given = start === undefined ? 'end_time' : 'start_time';
      throw new Invalid(`start_time and end_time must be given together, got ${given} only`);
    }
    const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
    const startTime = start ?? dayStart;
    const endTime = end ?? dayStart + DAY_MS;
    if (endTime <= startTime) throw new Invalid(`end_time must be greater than start_time, got start_time=${startTime} and end_time=${endTime}`);
    if (endTime - startTime > MAX_SPAN_MS) {
      throw new Invalid(`end_time - start_time must not exceed 24 hours (${MAX_SPAN_MS} ms), got ${endTime - startTime} ms`);
    }
    const status = oneOf(query, 'status', URL_STATUSES, { anyCase: true });
    const filter: UrlTaskFilter = {
      startTime,
      endTime,
      ...optional('url', single(query, 'url')),
      ...optional('type', oneOf(query, 'task_type', ['REFRESH', 'PREHEATING'] as const)),
      ...optional('status', status),
      ...optional('fileType', oneOf(query, 'file_type', ['file', 'directory'] as const)),
    };
    return {
      filter,
      offset: integer(query, 'offset', 0, 2 ** 31 - 1) ?? 0,
      limit: integer(query, 'limit', 1, MAX_LIMIT) ?? 10,
    };
  });
}

/** Validates historytasks parameters; page_size and page_number come together, as Huawei requires. */
export function validateHistoryTasksQuery(query: RawQuery): Validated<HistoryTasksQuery> {
  return attempt(() => {
    const { pageSize, pageNumber } = paging(query);
    const startDate = epochMs(query, 'start_date');
    const endDate = epochMs(query, 'end_date');
    if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
      throw new Invalid(`end_date must be greater than start_date, got start_date=${startDate} and end_date=${endDate}`);
    }
    const field = oneOf(query, 'order_field', TASK_ORDER_FIELDS);
    const direction = oneOf(query, 'order_type', ['desc', 'asc'] as const);
    single(query, 'enterprise_project_id');
    const taskType = oneOf(query, 'task_type', ['refresh', 'preheating'] as const);
    const filter: TaskFilter = {
      ...optional('startDate', startDate),
      ...optional('endDate', endDate),
      ...optional('status', oneOf(query, 'status', ['task_inprocess', 'task_done'] as const satisfies readonly TaskStatus[])),
      // The SDK documents file_type's default as `file`: without it, directory tasks are not listed.
      fileType: oneOf(query, 'file_type', ['file', 'directory'] as const) ?? 'file',
      ...optional<'type', RecordType>('type', taskType && (taskType === 'refresh' ? 'REFRESH' : 'PREHEATING')),
    };
    // Huawei falls back to create_time desc unless both order fields are given.
    const order = field && direction ? { field, direction } : { field: 'create_time' as const, direction: 'desc' as const };
    return { filter, order, pageSize: pageSize ?? 30, pageNumber: pageNumber ?? 1 };
  });
}

/** Validates task detail parameters; page_size and page_number come together, as for historytasks. */
export function validateTaskDetailQuery(query: RawQuery): Validated<TaskDetailQuery> {
  return attempt(() => {
    const { pageSize, pageNumber } = paging(query);
    const createTime = epochMs(query, 'create_time');
    single(query, 'enterprise_project_id');
    return {
      filter: {
        ...optional('status', oneOf(query, 'status', URL_STATUSES, { anyCase: true })),
        ...optional('url', single(query, 'url')),
      },
      pageSize: pageSize ?? 30,
      pageNumber: pageNumber ?? 1,
      ...optional('createTime', createTime),
    };
  });
}

/** Validates a `POST /v1.0/cdn/content/refresh-tasks` body. */
export function validateRefreshBody(body: string): Validated<RefreshTaskRequest> {
  return attempt(() => {
    const task = rootObject(body, 'refresh_task');
    const fileType = enumField(task.type, 'refresh_task.type', ['file', 'directory'] as const) ?? 'file';
    const mode = enumField(task.mode, 'refresh_task.mode', ['all', 'detect_modify_refresh'] as const);
    const urls = urlList(task, 'refresh_task');
    if (fileType === 'directory' && urls.length > MAX_DIRECTORIES_PER_CALL) {
      throw new Invalid(`refresh_task.urls must hold at most ${MAX_DIRECTORIES_PER_CALL} directories per request, got ${urls.length}`);
    }
    // Directories are refreshed with mode "all" unless told otherwise; files keep a mode only when given.
    const effectiveMode = mode ?? (fileType === 'directory' ? 'all' : undefined);
    return { fileType, urls, ...optional('mode', effectiveMode) };
  });
}

/** Validates a `POST /v1.0/cdn/content/preheating-tasks` body. */
export function validatePreheatBody(body: string): Validated<PreheatTaskRequest> {
  return attempt(() => ({ urls: urlList(rootObject(body, 'preheating_task'), 'preheating_task') }));
}

// Reads page_size (1-10000) and page_number (1-65535), which must be given together or not
// at all: show_history_tasks_request.py and show_history_task_details_request.py both say so.
function paging(query: RawQuery): { pageSize?: number; pageNumber?: number } {
  const pageSize = integer(query, 'page_size', 1, 10000);
  const pageNumber = integer(query, 'page_number', 1, 65535);
  if ((pageSize === undefined) !== (pageNumber === undefined)) {
    throw new Invalid(`page_size and page_number must be given together, got ${pageSize === undefined ? 'page_number' : 'page_size'} only`);
  }
  return { ...optional('pageSize', pageSize), ...optional('pageNumber', pageNumber) };
}

// Runs a validation, turning `Invalid` into a refusal.
function attempt<T>(run: () => T): Validated<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, message: error.message };
    throw error;
  }
}

// Returns `{ [key]: value }`, or nothing when the value is undefined (keeps optional fields absent).
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// Reads a parameter given at most once; an empty value counts as absent.
function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || typeof value === 'string') return value === '' ? undefined : value;
  throw new Invalid(`${name} must be given at most once, got ${value.length} values`);
}

// Reads an integer parameter within [min, max].
function integer(query: RawQuery, name: string, min: number, max: number): number | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw new Invalid(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

// Reads a time in epoch milliseconds.
function epochMs(query: RawQuery, name: string): number | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value)) throw new Invalid(`${name} must be a time in epoch milliseconds (a non-negative integer), got ${JSON.stringify(raw)}`);
  return value;
}

// Reads an enumerated parameter; `anyCase` accepts any casing and returns the canonical spelling.
function oneOf<T extends string>(query: RawQuery, name: string, values: readonly T[], options: { anyCase?: boolean } = {}): T | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  const found = values.find((v) => (options.anyCase ? v.toLowerCase() === raw.toLowerCase() : v === raw));
  if (found === undefined) throw new Invalid(`${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return found;
}

// Parses a JSON body and returns the object under its single root key.
function rootObject(body: string, root: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Invalid(`the request body must be a JSON object holding ${root}, got ${body === '' ? 'an empty body' : 'invalid JSON'}`);
  }
  const task = isObject(parsed) ? parsed[root] : undefined;
  if (!isObject(task)) throw new Invalid(`${root} is required and must be an object, got ${describe(task)}`);
  return task;
}

// Reads an optional enumerated body field.
function enumField<T extends string>(value: unknown, name: string, values: readonly T[]): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  throw new Invalid(`${name} must be one of ${values.join(', ')}, got ${describe(value)}`);
}

// Reads `urls` (and applies `zh_url_encode`): 1 to 1000 http(s) URLs of at most 4096 characters.
function urlList(task: Record<string, unknown>, root: string): string[] {
  const encode = task.zh_url_encode;
  if (encode !== undefined && typeof encode !== 'boolean') throw new Invalid(`${root}.zh_url_encode must be a boolean, got ${describe(encode)}`);
  const urls = task.urls;
  if (!Array.isArray(urls) || urls.length === 0) throw new Invalid(`${root}.urls must be a non-empty array of URLs, got ${describe(urls)}`);
  if (urls.length > MAX_URLS_PER_CALL) throw new Invalid(`${root}.urls must hold at most ${MAX_URLS_PER_CALL} URLs per request, got ${urls.length}`);
  return urls.map((url: unknown, i) => {
    if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+\S*$/.test(url)) {
      throw new Invalid(`${root}.urls[${i}] must be an http:// or https:// URL without spaces, got ${describe(url)}`);
    }
    if (url.length > MAX_URL_LENGTH) throw new Invalid(`${root}.urls[${i}] must be at most ${MAX_URL_LENGTH} characters long, got ${url.length}`);
    return encode ? url.replace(/[^\x00-\x7f]+/g, (s) => encodeURIComponent(s)) : url;
  });
}

// Tells whether a value is a plain JSON object.
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Describes a value for a message, shortening long ones.
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
