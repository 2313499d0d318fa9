/**
 * The five CDN API operations: a validated request in, the store queried or changed, a
 * Huawei-shaped answer out. No HTTP here; src/simulator/http.ts does the wire.
 */
import type { QuotaBook, QuotaKind } from './quota';
import { badRequest, businessError, type ApiAnswer } from './responses';
import { toHistoryTaskWire, toTaskUrlWire, toUrlTaskWire } from './render';
import { taskCountsAt } from './model';
import { DETAIL_RETENTION_DAYS, DETAIL_SEARCH_DAYS_WITHOUT_CREATE_TIME } from '../cdn/operations';
import type { Store } from './store';
import {
  validateHistoryTasksQuery,
  validatePreheatBody,
  validateRefreshBody,
  validateTaskDetailQuery,
  validateUrlTasksQuery,
  type RawQuery,
} from './validation';

/** What an operation needs besides its parameters. */
export interface ApiContext {
  readonly store: Store;
  readonly quotas: QuotaBook;
  /** The data clock, epoch ms. */
  readonly now: number;
  /** The caller, for quotas. */
  readonly tenant: string;
  /** How long created records take to settle. */
  readonly transitionMs: number;
}

const DAY_MS = 24 * 3600 * 1000;
// Without create_time, the detail API searches the last 7 days; with it, up to 15 days back (docs/upstream.md#task-detail).
const DETAIL_DEFAULT_DAYS = DETAIL_SEARCH_DAYS_WITHOUT_CREATE_TIME;
const DETAIL_MAX_DAYS = DETAIL_RETENTION_DAYS;
/** Host suffix of domains the simulated account does not accelerate: creates naming them get CDN.0108. */
export const NOT_ACCELERATED_SUFFIX = '.not-accelerated.example';
const QUOTA_LABELS: Record<QuotaKind, string> = {
  refreshFile: 'file refreshes',
  refreshDirectory: 'directory refreshes',
  preheat: 'preheats',
};

/** Answers `GET /v1.0/cdn/contentgateway/url-tasks`. */
export function listUrlTasks(ctx: ApiContext, query: RawQuery): ApiAnswer {
  const request = validateUrlTasksQuery(query, ctx.now);
  if (!request.ok) return badRequest('url-tasks', request.message);
  const { filter, offset, limit } = request.value;
  const page = ctx.store.queryUrlTasks(filter, offset, limit, ctx.now);
  return { status: 200, body: { total: page.total, count: page.items.length, result: page.items.map((r) => toUrlTaskWire(r, ctx.now)) } };
}

/** Answers `GET /v1.0/cdn/historytasks`. */
export function listHistoryTasks(ctx: ApiContext, query: RawQuery): ApiAnswer {
  const request = validateHistoryTasksQuery(query);
  if (!request.ok) return badRequest('historytasks', request.message);
  const { filter, order, pageSize, pageNumber } = request.value;
  const page = ctx.store.queryTasks(filter, order, (pageNumber - 1) * pageSize, pageSize, ctx.now);
  return { status: 200, body: { total: page.total, tasks: page.items.map((row) => toHistoryTaskWire(row.task, row.counts)) } };
}

/** Answers `GET /v1.0/cdn/historytasks/{id}/detail`; an unknown or too old task is a 200 CDN.0108. */
export function showTaskDetail(ctx: ApiContext, id: string, query: RawQuery): ApiAnswer {
  const request = validateTaskDetailQuery(query);
  if (!request.ok) return badRequest('detail', request.message);
  const { filter, pageSize, pageNumber, createTime } = request.value;
  const days = createTime === undefined ? DETAIL_DEFAULT_DAYS : DETAIL_MAX_DAYS;
  // Only the id historytasks shows finds a task: the decimal one, or the `ff8080…` one of an older task.
  const task = ctx.store.findTask(id);
  if (!task || task.createTime < ctx.now - days * DAY_MS) {
    const hint = createTime === undefined ? ' (without create_time only the last 7 days are searched)' : '';
    return businessError('CDN.0108', `The task ${id} does not exist or was created more than ${days} days ago${hint}.`);
  }
  const urls = ctx.store.queryTaskUrls(task, filter, (pageNumber - 1) * pageSize, pageSize, ctx.now);
  return {
    status: 200,
    body: { ...toHistoryTaskWire(task, taskCountsAt(task, ctx.now)), urls: urls.items.map((r) => toTaskUrlWire(r, task, ctx.now)) },
  };
}

/** Answers `POST /v1.0/cdn/content/refresh-tasks`: creates the task and its records. */
export function createRefreshTask(ctx: ApiContext, body: string): ApiAnswer {
  const request = validateRefreshBody(body);
  if (!request.ok) return badRequest('refresh', request.message);
  const { fileType, mode, urls } = request.value;
  const refused = refuseForeignDomain(urls) ?? consumeQuota(ctx, fileType === 'directory' ? 'refreshDirectory' : 'refreshFile', urls.length);
  if (refused) return refused;
  const task = ctx.store.addTask({ type: 'REFRESH', fileType, ...(mode ? { mode } : {}), urls, createTime: ctx.now, transitionMs: ctx.transitionMs });
  return { status: 200, body: { refresh_task: String(task.id) } };
}

/** Answers `POST /v1.0/cdn/content/preheating-tasks`: creates the task and its records. */
export function createPreheatTask(ctx: ApiContext, body: string): ApiAnswer {
  const request = validatePreheatBody(body);
  if (!request.ok) return badRequest('preheat', request.message);
  const refused = refuseForeignDomain(request.value.urls) ?? consumeQuota(ctx, 'preheat', request.value.urls.length);
  if (refused) return refused;
  const task = ctx.store.addTask({ type: 'PREHEATING', fileType: 'file', urls: request.value.urls, createTime: ctx.now, transitionMs: ctx.transitionMs });
  return { status: 200, body: { preheating_task: String(task.id) } };
}

// Refuses a create naming a domain the account does not accelerate (before any quota is taken), like Huawei's CDN.0108.
function refuseForeignDomain(urls: readonly string[]): ApiAnswer | undefined {
  const host = urls.map(hostOf).find((h) => h.endsWith(NOT_ACCELERATED_SUFFIX));
  return host === undefined ? undefined : businessError('CDN.0108', `The domain ${host} is not accelerated by this account.`);
}

// The lower-case host of a validated http(s) URL ('' when it has none).
function hostOf(url: string): string {
  return (/^https?:\/\/(?:[^@/]*@)?([^/:?#]*)/i.exec(url)?.[1] ?? '').toLowerCase();
}

// Takes quota for a create call, or returns the CDN.0110 answer refusing it.
function consumeQuota(ctx: ApiContext, kind: QuotaKind, count: number): ApiAnswer | undefined {
  const outcome = ctx.quotas.tryConsume(ctx.tenant, kind, count, ctx.now);
  if (outcome.ok) return undefined;
  return businessError(
    'CDN.0110',
    `The daily quota of ${outcome.limit} ${QUOTA_LABELS[kind]} is exceeded: ${outcome.used} used today, ${count} more requested.`,
  );
}
