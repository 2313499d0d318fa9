/** Field resolvers of UrlTask, and its Federation reference resolver. */
import type { TaskDetailModel, UrlTaskModel } from '../../cdn/models';
import type { UrlTaskResolvers } from '../generated/resolvers-types';
import type { GraphContext } from '../context';
import { fromGlobalId, toUrlTaskGlobalId } from '../ids';
import { toFileType, toRefreshMode, toTaskType, toUrlTaskStatus } from '../enums';

/** Resolvers of the UrlTask type. */
export const UrlTask: UrlTaskResolvers = {
  id: (r) => toUrlTaskGlobalId(r.taskId, r.id, r.createTime),
  status: (r) => toUrlTaskStatus(r.status),
  type: (r) => toTaskType(r.type),
  taskId: (r) => r.taskId,
  createdAt: (r) => r.createTime,
  modifiedAt: (r) => r.modifyTime ?? null,
  fileType: (r) => toFileType(r.fileType),
  mode: (r) => toRefreshMode(r.mode),
  task: (r, _args, ctx) => {
    ctx.loaders.hintCreateTime(r.taskId, r.createTime);
    return ctx.loaders.task.load(r.taskId);
  },
  __resolveReference: (ref, ctx) => loadUrlTaskByGlobalId(ref.id, ctx),
};

/** Loads a UrlTask by its global id through the task loader; null when unknown. */
export async function loadUrlTaskByGlobalId(id: string, ctx: GraphContext): Promise<UrlTaskModel | null> {
  const decoded = fromGlobalId(id);
  if (decoded?.type !== 'UrlTask') return null;
  ctx.loaders.hintCreateTime(decoded.taskId, decoded.createTime);
  const detail = await ctx.loaders.taskWithUrls.load(decoded.taskId);
  return detail ? findRecord(detail, decoded.recordId) : null;
}

/** Returns a task's URL record as a UrlTask model; null when the task does not hold it. */
export function findRecord(detail: TaskDetailModel, recordId: number): UrlTaskModel | null {
  const url = detail.urls.find((u) => u.id === recordId);
  if (!url) return null;
  return {
    id: url.id,
    url: url.url,
    status: url.status,
    type: url.type,
    taskId: detail.id,
    createTime: url.createTime,
    modifyTime: url.modifyTime,
    fileType: url.fileType ?? detail.fileType,
    mode: url.mode,
  };
}
