/** Field resolvers of Task, and its Federation reference resolver. */
import type { TaskModel } from '../../cdn/models';
import type { TaskResolvers } from '../generated/resolvers-types';
import type { GraphContext } from '../context';
import { fromGlobalId, toTaskGlobalId } from '../ids';
import { toFileType, toTaskStatus, toTaskType } from '../enums';
import { selectsTaskUrls } from '../task-selection';
import { resolveTaskUrls } from './task-urls';
import { isFutureTime, isPastDetailRetention } from '../archive';

/** Resolvers of the Task type. */
export const Task: TaskResolvers = {
  id: (t) => toTaskGlobalId(t.id, t.createTime),
  taskId: (t) => t.id,
  type: (t) => toTaskType(t.taskType),
  status: (t) => toTaskStatus(t.status),
  fileType: (t) => toFileType(t.fileType),
  createdAt: (t) => t.createTime,
  // Counts stay null when the upstream omits them: 0 would claim something it did not say.
  processing: (t) => t.processing,
  succeeded: (t) => t.succeeded,
  failed: (t) => t.failed,
  total: (t) => t.total,
  urls: (t, args, ctx) => resolveTaskUrls(t, args, ctx),
  __resolveReference: (ref, ctx, info) => loadTaskByGlobalId(ref.id, ctx, selectsTaskUrls(info)),
};

/**
 * Loads a Task by its global id, with its URLs when `withUrls` (see `Loaders.loadTask`); null when
 * unknown. Through the task detail (the task loader) while the detail API holds the task; past its
 * retention, or when the detail does not know it, through historytasks around the creation time
 * the id carries (src/graph/archive.ts), so every task `tasks` lists is found. An id without a
 * creation time (an older format) is looked up through the detail only.
 */
export async function loadTaskByGlobalId(id: string, ctx: GraphContext, withUrls = false): Promise<TaskModel | null> {
  const decoded = fromGlobalId(id);
  if (decoded?.type !== 'Task') return null;
  const { taskId, createTime } = decoded;
  const now = ctx.now();
  if (createTime !== undefined && isFutureTime(createTime, now)) return null;
  if (createTime === undefined || !isPastDetailRetention(createTime, now)) {
    ctx.loaders.hintCreateTime(taskId, createTime);
    const task = await ctx.loaders.loadTask(taskId, withUrls);
    if (task || createTime === undefined) return task;
  }
  return ctx.loaders.archive.task.load({ taskId, createTime });
}
