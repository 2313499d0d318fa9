/** Field resolvers of UrlTask, and its Federation reference resolver. */
import type { TaskDetailModel, UrlTaskModel } from '../../cdn/models';
import type { UrlTaskFailure, UrlTaskResolvers } from '../generated/resolvers-types';
import type { GraphContext } from '../context';
import { fromGlobalId, toUrlTaskGlobalId } from '../ids';
import { selectsTaskUrls } from '../task-selection';
import { toFailClassify, toFileType, toRefreshMode, toTaskType, toUrlTaskStatus } from '../enums';

/** Resolvers of the UrlTask type. */
export const UrlTask: UrlTaskResolvers = {
  id: (r) => toUrlTaskGlobalId(r.taskId, r.id, r.createTime),
  url: (r) => r.url,
  status: (r) => toUrlTaskStatus(r.status),
  type: (r) => toTaskType(r.type),
  taskId: (r) => r.taskId,
  createdAt: (r) => r.createTime,
  modifiedAt: (r) => r.modifyTime,
  fileType: (r) => toFileType(r.fileType),
  mode: (r) => toRefreshMode(r.mode),
  failureReason: (r) => toFailureReason(r),
  task: (r, _args, ctx, info) => {
    ctx.loaders.hintCreateTime(r.taskId, r.createTime);
    return ctx.loaders.loadTask(r.taskId, selectsTaskUrls(info));
  },
  __resolveReference: (ref, ctx) => loadUrlTaskByGlobalId(ref.id, ctx),
};

/** Returns why a record failed; null unless it is FAILED and the upstream said something about it (task details only). */
export function toFailureReason(r: UrlTaskModel): UrlTaskFailure | null {
  if (toUrlTaskStatus(r.status) !== 'FAILED' || (r.failClassify === null && r.failDesc === null)) return null;
  return { classification: toFailClassify(r.failClassify), description: r.failDesc };
}

/** Loads a UrlTask by its global id through the task loader; null when unknown. */
export async function loadUrlTaskByGlobalId(id: string, ctx: GraphContext): Promise<UrlTaskModel | null> {
  const decoded = fromGlobalId(id);
  if (decoded?.type !== 'UrlTask') return null;
  ctx.loaders.hintCreateTime(decoded.taskId, decoded.createTime);
  const detail = await ctx.loaders.taskWithUrls.load(decoded.taskId);
  return detail ? findRecord(detail, decoded.recordId) : null;
}

/** Returns a task's URL record as a UrlTask model (its task id the task's own); null when the task does not hold it. */
export function findRecord(detail: TaskDetailModel, recordId: number): UrlTaskModel | null {
  const url = detail.urls.find((u) => u.id === recordId);
  return url ? { ...url, taskId: detail.id } : null;
}
