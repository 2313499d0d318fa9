/**
 * Query.tasks: a Relay connection over historytasks' page_size/page_number. The first page
 * freezes the range's end into its cursors so that new tasks cannot shift later pages.
 */
import type { TaskModel } from '../../cdn/models';
import type { QueryTasksArgs, TaskOrder } from '../generated/resolvers-types';
import type { GraphContext, HistoryTasksParams } from '../context';
import { badUserInput } from '../../errors';
import { checkFilterEnum, checkTaskTypeFilter, fromTaskStatus } from '../enums';
import { connectionFromOffsetSlice, encodeOffsetCursor, pagesCovering, sliceFromPages, toOffsetRange, toOffsetRequest, type OffsetScope } from '../../pagination';

/** Largest page the historytasks API serves. */
export const MAX_HISTORY_PAGE_SIZE = 10000;

const ORDER_FIELDS: Record<TaskOrder['field'], NonNullable<HistoryTasksParams['orderField']>> = {
  CREATED_AT: 'create_time',
  TASK_TYPE: 'task_type',
  TOTAL: 'total',
  PROCESSING: 'processing',
  SUCCEEDED: 'succeed',
  FAILED: 'failed',
};

/** Resolves Query.tasks. */
export async function resolveTasks(args: QueryTasksArgs, ctx: GraphContext) {
  const params = toHistoryParams(args);
  const scope: OffsetScope = { connection: 'tasks', filter: params, secret: ctx.paging.cursorSecret };
  const request = toOffsetRequest(args, ctx.paging, scope);
  // Exact now, not rounded: task cursors are plain offsets, so nothing created after the first
  // page may enter its frozen range.
  const endDate = params.endDate ?? request.frozenEnd ?? ctx.now();
  const base: HistoryTasksParams = { ...params, endDate };

  const fetchRange = async (start: number, end: number): Promise<{ total: number; tasks: TaskModel[] }> => {
    const { pageSize, pageNumbers } = pagesCovering(start, end, MAX_HISTORY_PAGE_SIZE);
    const pages = await Promise.all(pageNumbers.map((pageNumber) => ctx.cdn.historyTasks({ ...base, pageSize, pageNumber }, ctx.call)));
    const total = pages[0]?.total ?? 0;
    return { total, tasks: sliceFromPages(pages.map((p) => p.tasks), pageSize, pageNumbers[0] ?? 1, start, end) };
  };

  let total: number;
  let range: { start: number; end: number };
  let tasks: TaskModel[];
  if (request.kind === 'forward' || request.end !== 'total') {
    // The range is known without the total: one call answers both.
    const provisional = toOffsetRange(request, Number.MAX_SAFE_INTEGER);
    const fetched = provisional.end > provisional.start ? await fetchRange(provisional.start, provisional.end) : await fetchRange(0, 1);
    total = fetched.total;
    range = toOffsetRange(request, total);
    tasks = provisional.end > provisional.start ? fetched.tasks.slice(0, range.end - range.start) : [];
  } else {
    // `last` without `before`: the total says where the end is.
    total = (await fetchRange(0, 1)).total;
    range = toOffsetRange(request, total);
    tasks = range.end > range.start ? (await fetchRange(range.start, range.end)).tasks : [];
  }
  const frozenEnd = params.endDate === undefined ? { frozenEnd: endDate } : {};
  const cursorAt = (offset: number) => encodeOffsetCursor(scope, { offset, ...frozenEnd });
  return connectionFromOffsetSlice(tasks, range.start, total, cursorAt);
}

// Converts the GraphQL filter and order into historytasks parameters (without paging).
function toHistoryParams(args: QueryTasksArgs): HistoryTasksParams {
  const f = args.filter ?? {};
  if (f.createdAfter != null && f.createdBefore != null && f.createdAfter >= f.createdBefore) {
    throw badUserInput(`filter.createdAfter must be before filter.createdBefore; got ${new Date(f.createdAfter).toISOString()} and ${new Date(f.createdBefore).toISOString()}`);
  }
  return {
    ...(f.createdAfter != null ? { startDate: f.createdAfter } : {}),
    ...(f.createdBefore != null ? { endDate: f.createdBefore } : {}),
    ...(f.status != null ? { status: fromTaskStatus(f.status) } : {}),
    ...(f.taskType != null ? { taskType: checkTaskTypeFilter(f.taskType) === 'REFRESH' ? 'refresh' : 'preheating' } : {}),
    // Always one kind, FILE unless asked (also without a filter): the upstream lists one kind per call.
    fileType: checkFilterEnum('fileType', f.fileType ?? 'FILE') === 'FILE' ? 'file' : 'directory',
    ...(args.orderBy ? { orderField: ORDER_FIELDS[args.orderBy.field], orderType: args.orderBy.direction === 'ASC' ? 'asc' : 'desc' } : {}),
  } as HistoryTasksParams;
}
