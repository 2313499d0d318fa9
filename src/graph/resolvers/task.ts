/** Field resolvers of Task, and its Federation reference resolver. */
import type { TaskModel } from '../../cdn/models';
import type { TaskResolvers } from '../generated/resolvers-types';
import type { GraphContext } from '../context';
import { fromGlobalId, toTaskGlobalId } from '../ids';
import { toFileType, toTaskStatus, toTaskType } from '../enums';
import { selectsTaskUrls } from '../task-selection';
import { resolveTaskUrls } from './task-urls';

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

/** Loads a Task by its global id through the task loader, with its URLs when `withUrls` (see `Loaders.loadTask`); null when unknown. */
export async function loadTaskByGlobalId(id: string, ctx: GraphContext, withUrls = false): Promise<TaskModel | null> {
  const decoded = fromGlobalId(id);
  if (decoded?.type !== 'Task') return null;
  ctx.loaders.hintCreateTime(decoded.taskId, decoded.createTime);
  return ctx.loaders.loadTask(decoded.taskId, withUrls);
}
