/**
 * Query.urlTasks: thin glue between GraphQL and the pure connection planner in
 * src/pagination. The planner says which windows and offsets to fetch; this file turns each
 * request into one url-tasks call and computes `totalCount` only when it is selected.
 */
import type { ListedUrlTaskModel } from '../../cdn/models';
import type { QueryUrlTasksArgs } from '../generated/resolvers-types';
import type { GraphContext } from '../context';
import type { UrlTaskConnectionModel } from '../connection-models';
import { planConnection, resolveTotalCount, runConnectionPlan, type FetchWindow } from '../../pagination';
import { checkFilterEnum, checkTaskTypeFilter } from '../enums';
import { checkUrlFilter } from '../url-validation';

/** Resolves Query.urlTasks. */
export async function resolveUrlTasks(args: QueryUrlTasksArgs, ctx: GraphContext): Promise<UrlTaskConnectionModel> {
  const f = args.filter ?? {};
  const plan = planConnection(
    {
      first: args.first,
      after: args.after,
      last: args.last,
      before: args.before,
      filter: {
        createdAfter: f.createdAfter,
        createdBefore: f.createdBefore,
        url: f.url == null ? null : checkUrlFilter('filter.url', f.url),
        taskType: f.taskType == null ? null : checkTaskTypeFilter(f.taskType),
        status: f.status == null ? null : checkFilterEnum('status', f.status),
        fileType: f.fileType == null ? null : checkFilterEnum('fileType', f.fileType),
      },
    },
    {
      cursorSecret: ctx.paging.cursorSecret,
      // Whole seconds: concurrent dashboards asking for "the last 24 hours" then send identical
      // upstream calls, which coalesce and hit the cache instead of differing by milliseconds.
      now: toNextWholeSecond(ctx.now()),
      defaultPageSize: ctx.paging.defaultPageSize,
      maxPageSize: ctx.paging.maxPageSize,
      maxRangeDays: ctx.paging.maxRangeDays,
    },
  );
  const { url, taskType, status, fileType } = plan.filter;
  const fetch: FetchWindow<ListedUrlTaskModel> = async (request) => {
    const page = await ctx.cdn.urlTasks(
      {
        startTime: request.window.start,
        endTime: request.window.end,
        offset: request.offset,
        limit: request.limit,
        url,
        taskType: taskType as 'REFRESH' | 'PREHEATING' | undefined,
        status,
        fileType: fileType?.toLowerCase() as 'file' | 'directory' | undefined,
      },
      ctx.call,
    );
    return { total: page.total, records: page.records };
  };
  const page = await runConnectionPlan(plan, fetch);
  return {
    // Read through: the page builds its edges only when a query selects them.
    get edges() {
      return page.edges;
    },
    nodes: page.nodes,
    pageInfo: page.pageInfo,
    totalCount: () => resolveTotalCount(page, fetch),
  };
}

/** Rounds an instant up to a whole second (so that a record created this very moment is inside an end-exclusive range). */
export function toNextWholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000 + 1000;
}
