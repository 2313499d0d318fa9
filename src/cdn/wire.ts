/**
 * The upstream's JSON, exactly as Huawei sends it (UPSTREAM.md §1–5), with zod schemas that
 * check a 200 body once where it enters. Nothing outside src/cdn/ sees these shapes.
 */
import { z } from 'zod';

/** One record of `GET /v1.0/cdn/contentgateway/url-tasks`. */
export const UrlTaskWire = z.object({
  id: z.number().int(),
  url: z.string(),
  status: z.string(),
  type: z.string(),
  task_id: z.number().int(),
  modify_time: z.number(),
  create_time: z.number(),
  file_type: z.string(),
  mode: z.string().optional(),
});
export type UrlTaskWire = z.infer<typeof UrlTaskWire>;

/** The 200 body of url-tasks. */
export const UrlTasksResponseWire = z.object({
  total: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  result: z.array(UrlTaskWire),
});
export type UrlTasksResponseWire = z.infer<typeof UrlTasksResponseWire>;

/** One task of `GET /v1.0/cdn/historytasks`. */
export const HistoryTaskWire = z.object({
  id: z.string(),
  task_type: z.string(),
  status: z.string(),
  processing: z.number().int(),
  succeed: z.number().int(),
  failed: z.number().int(),
  total: z.number().int(),
  create_time: z.number(),
  file_type: z.string(),
});
export type HistoryTaskWire = z.infer<typeof HistoryTaskWire>;

/** The 200 body of historytasks. */
export const HistoryTasksResponseWire = z.object({
  total: z.number().int().nonnegative(),
  tasks: z.array(HistoryTaskWire),
});
export type HistoryTasksResponseWire = z.infer<typeof HistoryTasksResponseWire>;

/** One URL of a task detail (ids are strings here, statuses lower case). */
export const TaskUrlWire = z.object({
  id: z.string(),
  url: z.string(),
  status: z.string(),
  create_time: z.number(),
  task_id: z.string(),
  task_type: z.string(),
  modify_time: z.number().optional(),
  file_type: z.string().optional(),
  mode: z.string().optional(),
  fail_classify: z.string().optional(),
  fail_desc: z.string().optional(),
});
export type TaskUrlWire = z.infer<typeof TaskUrlWire>;

/** The 200 body of `GET /v1.0/cdn/historytasks/{id}/detail`. */
export const TaskDetailResponseWire = HistoryTaskWire.extend({
  urls: z.array(TaskUrlWire),
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

/** The three error shapes: gateway (`request_id`), top-level 400, and `{error: {...}}` inside a 200. */
export const ErrorBodyWire = z.union([
  z.object({ error: z.object({ error_code: z.string(), error_msg: z.string().optional() }) }),
  z.object({ error_code: z.string(), error_msg: z.string().optional(), request_id: z.string().optional() }),
]);
export type ErrorBodyWire = z.infer<typeof ErrorBodyWire>;
