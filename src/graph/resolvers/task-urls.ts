/**
 * Task.urls: a Relay connection over one task's URL records. A task holds at most 1000 URLs
 * (the upstream's per-call limit), so one detail call of the largest page fetches them all:
 * one upstream call per connection whatever the page, exact totals, and unfiltered lookups
 * share the task loader with UrlTask node lookups. Once the detail API no longer holds the
 * task, its records come from url-tasks (src/graph/archive.ts; docs/architecture.md,
 * "Lookups past the detail retention").
 */
import type { TaskModel, UrlTaskModel } from '../../cdn/models';
import type { TaskUrlsArgs } from '../generated/resolvers-types';
import type { GraphContext } from '../context';
import { checkFilterEnum } from '../enums';
import { checkUrlFilter } from '../url-validation';
import { MAX_DETAIL_PAGE_SIZE } from '../loaders';
import { connectionFromOffsetSlice, encodeOffsetCursor, toOffsetRange, toOffsetRequest, type OffsetScope } from '../../pagination';
import { findRecord } from './url-task';
import { isPastDetailRetention } from '../archive';

/** Resolves Task.urls. */
export async function resolveTaskUrls(task: TaskModel, args: TaskUrlsArgs, ctx: GraphContext) {
  const status = args.filter?.status != null ? checkFilterEnum('status', args.filter.status).toLowerCase() : undefined;
  const url = args.filter?.url == null ? undefined : checkUrlFilter('filter.url', args.filter.url);
  // The task id is part of the connection: a cursor of another task's URLs is another connection's.
  const scope: OffsetScope = { connection: `Task.urls:${task.id}`, filter: { status, url }, secret: ctx.paging.cursorSecret };
  const request = toOffsetRequest(args, ctx.paging, scope);
  ctx.loaders.hintCreateTime(task.id, task.createTime);
  // Past the detail retention the detail API would only say it does not know the task.
  const past = task.createTime !== null && isPastDetailRetention(task.createTime, ctx.now());
  const detail = past
    ? null
    : status === undefined && url === undefined
      ? await ctx.loaders.taskWithUrls.load(task.id)
      : await ctx.cdn.taskDetail(task.id, { pageSize: MAX_DETAIL_PAGE_SIZE, pageNumber: 1, status, url, ...(task.createTime === null ? {} : { createTime: task.createTime }) }, ctx.call);
  const records: UrlTaskModel[] = detail
    ? detail.urls.map((u) => findRecord(detail, u.id)).filter((r): r is UrlTaskModel => r !== null)
    : await listedTaskUrls(task, { status, url }, ctx);
  const { start, end } = toOffsetRange(request, records.length);
  return connectionFromOffsetSlice(records.slice(start, end), start, records.length, (offset) => encodeOffsetCursor(scope, { offset }));
}

// A task's URLs when the detail API no longer shows it: its url-tasks records (src/graph/archive.ts),
// filtered here as the detail would; none without a creation time or for a 32-hex task id.
async function listedTaskUrls(task: TaskModel, filter: { status?: string; url?: string }, ctx: GraphContext): Promise<UrlTaskModel[]> {
  if (task.createTime === null) return [];
  const records = await ctx.loaders.archive.taskUrls.load({ taskId: task.id, createTime: task.createTime });
  return records.filter((r) => (filter.status === undefined || r.status?.toLowerCase() === filter.status) && (filter.url === undefined || r.url === filter.url));
}
