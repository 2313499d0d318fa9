/**
 * Relay connections of url-tasks over the upstream's offset/limit API, as pure functions:
 * validate arguments into a plan (plan.ts), cut the range into ≤ 24 h windows (windows.ts),
 * step from fetched answers to a page (step.ts, where the model is explained), sign and check
 * cursors (cursor.ts), and count totals (totals.ts). run.ts holds the one async loop, with the
 * fetch function supplied by the caller. Typical resolver:
 *
 * ```ts
 * const plan = planConnection({ ...args }, { cursorSecret, now: Date.now(), ...sizes });
 * const fetch = (req) => cdn.urlTasks({ ...plan.filter, startTime: req.window.start,
 *   endTime: req.window.end, offset: req.offset, limit: req.limit });
 * const page = await runConnectionPlan(plan, fetch);
 * // totalCount, only when selected:
 * const totalCount = () => resolveTotalCount(page, fetch);
 * ```
 */
export {
  CURSOR_VERSION,
  bindFilter,
  decodeCursor,
  encodeCursor,
  type BindingFilter,
  type CursorArgument,
  type CursorData,
  type CursorSecret,
} from './cursor';
export type { FetchResult, Fetched, PageRecord } from './knowledge';
export {
  DEFAULT_MAX_PAGE_SIZE,
  DEFAULT_MAX_RANGE_DAYS,
  DEFAULT_PAGE_SIZE,
  DEFAULT_SCOPE,
  planConnection,
  type ConnectionArgs,
  type ConnectionPlan,
  type PageAnchor,
  type PaginationOptions,
  type UpstreamFilter,
  type UrlTaskFilterArgs,
} from './plan';
export { DEFAULT_MAX_ROUNDS, runConnectionPlan, type FetchWindow, type RunOptions } from './run';
export { MAX_PROBE_BATCH, stepConnection, type ConnectionPage, type ConnectionStep, type Edge, type PageInfo, type WindowTotal } from './step';
export { resolveTotalCount, sumTotalCount, totalCountRequests, windowsNeedingTotal } from './totals';
export { UPSTREAM_LIMIT, type FetchRequest } from './wants';
export {
  WINDOW_MS,
  checkRangeArgs,
  freezeRangeEnd,
  resolveRange,
  splitRange,
  windowIndexOf,
  type RangeArgs,
  type RangeOptions,
  type TimeWindow,
} from './windows';
