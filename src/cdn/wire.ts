/**
 * The upstream's JSON as Huawei sends it (docs/upstream.md), with zod schemas that check a
 * 200 body once where it enters. Nothing outside src/cdn/ sees these shapes.
 *
 * Tolerant like Huawei's SDKs, whose models make every response field optional: a field the
 * gateway can do without may be absent (or null) and becomes null in the model. Only what the
 * gateway cannot work without is required, so its absence is UPSTREAM_BAD_RESPONSE naming the
 * field: a url-tasks record's `id` and `create_time` (cursors and ordering) and `task_id` (its
 * global id and its task), a page's `total` and list, a task's `id`, a detail URL's `id`
 * (global ids and lookups by record).
 */
import { z } from 'zod';

// Absent or null on the wire: both mean "the upstream did not say".
const opt = <T extends z.ZodType>(schema: T) => schema.nullish();

/** A task id: the SDK's models type it as a string; older APIs sent numbers. */
export const WireTaskId = z.union([z.string().min(1), z.number().int().nonnegative()]);

/** A record id: a number or a decimal string (ordering and cursors compare them as numbers). */
export const WireRecordId = z.union([
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  z.string().regex(/^\d{1,15}$/, 'must be a decimal id of at most 15 digits'),
]);

/** One record of `GET /v1.0/cdn/contentgateway/url-tasks`. */
export const UrlTaskWire = z.object({
  id: WireRecordId,
  url: opt(z.string()),
  status: opt(z.string()),
  type: opt(z.string()),
  task_id: WireTaskId,
  modify_time: opt(z.number()),
  create_time: z.number(),
  file_type: opt(z.string()),
  mode: opt(z.string()),
});
export type UrlTaskWire = z.infer<typeof UrlTaskWire>;

/** The 200 body of url-tasks; `count` (records in this page) may be absent. */
export const UrlTasksResponseWire = z.object({
  total: z.number().int().nonnegative(),
  count: opt(z.number().int().nonnegative()),
  result: z.array(UrlTaskWire),
});
export type UrlTasksResponseWire = z.infer<typeof UrlTasksResponseWire>;

/** One task of `GET /v1.0/cdn/historytasks`. */
export const HistoryTaskWire = z.object({
  id: WireTaskId,
  task_type: opt(z.string()),
  status: opt(z.string()),
  processing: opt(z.number().int()),
  succeed: opt(z.number().int()),
  failed: opt(z.number().int()),
  total: opt(z.number().int()),
  create_time: opt(z.number()),
  file_type: opt(z.string()),
});
export type HistoryTaskWire = z.infer<typeof HistoryTaskWire>;

/** The 200 body of historytasks. */
export const HistoryTasksResponseWire = z.object({
  total: z.number().int().nonnegative(),
  tasks: z.array(HistoryTaskWire),
});
export type HistoryTasksResponseWire = z.infer<typeof HistoryTasksResponseWire>;

/**
 * One URL of a task detail (the SDK's `UrlObject`, docs/upstream.md#task-detail): statuses
 * lower case, and no `modify_time`, `file_type` or `mode` (any sent are dropped unread).
 */
export const TaskUrlWire = z.object({
  id: WireRecordId,
  url: opt(z.string()),
  status: opt(z.string()),
  create_time: opt(z.number()),
  task_id: opt(WireTaskId),
  task_type: opt(z.string()),
  /** ORIGIN_ERROR, INNER_ERROR or UNKNOWN_ERROR, on failed URLs. */
  fail_classify: opt(z.string()),
  fail_desc: opt(z.string()),
});
export type TaskUrlWire = z.infer<typeof TaskUrlWire>;

/** The 200 body of `GET /v1.0/cdn/historytasks/{id}/detail`; `urls` may be absent (details are kept 15 days). */
export const TaskDetailResponseWire = HistoryTaskWire.extend({
  urls: opt(z.array(TaskUrlWire)),
});
export type TaskDetailResponseWire = z.infer<typeof TaskDetailResponseWire>;

/** The 200 body of `POST /v1.0/cdn/content/refresh-tasks`. */
export const CreateRefreshResponseWire = z.object({ refresh_task: z.string() });
/** The 200 body of `POST /v1.0/cdn/content/preheating-tasks`. */
export const CreatePreheatResponseWire = z.object({ preheating_task: z.string() });

/** Request body of a refresh task. */
export interface CreateRefreshRequestWire {
  refresh_task: { type: 'file' | 'directory'; mode?: 'all' | 'detect_modify_refresh'; zh_url_encode: boolean; urls: string[] };
}
/** Request body of a preheat task. */
export interface CreatePreheatRequestWire {
  preheating_task: { zh_url_encode: boolean; urls: string[] };
}

/** The three error shapes (docs/upstream.md, Error shapes): gateway (`request_id`), top-level 400, and `{error: {...}}` inside a 200. */
export const ErrorBodyWire = z.union([
  z.object({ error: z.object({ error_code: z.string(), error_msg: z.string().optional() }) }),
  z.object({ error_code: z.string(), error_msg: z.string().optional(), request_id: z.string().optional() }),
]);
export type ErrorBodyWire = z.infer<typeof ErrorBodyWire>;
